// CoreAvailability from /proc/stat (per-CPU time) and /proc/self/stat (this process's time), both
// in the kernel's clock ticks.
#include "engine/backend/core_availability.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#if defined(__linux__)
#include <sched.h>
#endif

namespace ffint8 {

CoreAvailability::CoreAvailability()
{
    m_fallbackCores = int(std::max(1u, std::thread::hardware_concurrency()));
#if defined(__linux__)
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        for (int c = 0; c < CPU_SETSIZE; ++c)
            if (CPU_ISSET(c, &set))
                m_cpus.push_back(c);
    m_measurable = !m_cpus.empty() && sample(m_last);
#endif
}

bool CoreAvailability::sample(Sample &s) const
{
    std::ifstream stat("/proc/stat");
    std::string line;
    size_t matched = 0;
    s = Sample{};
    while (std::getline(stat, line)) {
        // "cpuN user nice system idle iowait irq softirq steal guest guest_nice"; the aggregate "cpu "
        // line and other CPUs are skipped. Guest time is already inside user.
        int cpu = -1;
        if (std::sscanf(line.c_str(), "cpu%d", &cpu) != 1 || !std::binary_search(m_cpus.begin(), m_cpus.end(), cpu))
            continue;
        std::istringstream fields(line.substr(line.find(' ')));
        uint64_t v[8] = {};
        for (uint64_t &x : v)
            fields >> x;
        s.busyTicks += v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
        s.totalTicks += v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
        ++matched;
    }
    if (matched != m_cpus.size())
        return false;
    // /proc/self/stat: fields 14 and 15 (utime, stime) after the command name, which may hold spaces
    // but ends at the last ')'.
    std::ifstream self("/proc/self/stat");
    std::string all((std::istreambuf_iterator<char>(self)), std::istreambuf_iterator<char>());
    const size_t close = all.rfind(')');
    if (close == std::string::npos)
        return false;
    std::istringstream rest(all.substr(close + 2));
    std::string field;
    for (int i = 3; i <= 13 && rest >> field; ++i) { }
    uint64_t utime = 0, stime = 0;
    if (!(rest >> utime >> stime))
        return false;
    s.selfTicks = utime + stime;
    s.at = std::chrono::steady_clock::now();
    return true;
}

double CoreAvailability::othersBusySince(std::chrono::milliseconds minimumWindow)
{
    if (!m_measurable || std::chrono::steady_clock::now() - m_last.at < minimumWindow)
        return -1.0;
    Sample now;
    if (!sample(now))
        return -1.0;
    const double total = double(now.totalTicks - m_last.totalTicks);
    const double others = double(now.busyTicks - m_last.busyTicks) - double(now.selfTicks - m_last.selfTicks);
    m_last = now;
    if (total <= 0.0)
        return -1.0;
    // Ticks of our cores per core of wall time: total / cores.
    return std::clamp(others / (total / double(cores())), 0.0, double(cores()));
}

} // namespace ffint8
