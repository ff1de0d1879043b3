// How many cores this process can use now: those its affinity mask allows, less what other
// processes keep busy on them, measured from the kernel's CPU time accounting (/proc on Linux).
// The cpu backend follows it so that a training run never waits at a barrier for a thread that the
// OS has handed to someone else's work.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

namespace ffint8 {

class CoreAvailability
{
public:
    CoreAvailability();

    // Cores in this process's affinity mask (at least 1).
    int cores() const { return int(m_cpus.empty() ? m_fallbackCores : m_cpus.size()); }
    // Whether the load of other processes can be measured here (Linux /proc); if not, free() is cores().
    bool measurable() const { return m_measurable; }

    // Cores that other processes kept busy, on this process's cores, since the previous call (or
    // construction); -1 when less than `minimumWindow` has passed or nothing can be measured.
    double othersBusySince(std::chrono::milliseconds minimumWindow);

private:
    struct Sample
    {
        uint64_t busyTicks = 0; // every accounted CPU time but idle and iowait, on our cores
        uint64_t totalTicks = 0; // everything, on our cores
        uint64_t selfTicks = 0; // this process's user and system time
        std::chrono::steady_clock::time_point at;
    };
    bool sample(Sample &s) const;

    std::vector<int> m_cpus; // CPU numbers of the affinity mask
    int m_fallbackCores = 1;
    bool m_measurable = false;
    Sample m_last;
};

} // namespace ffint8
