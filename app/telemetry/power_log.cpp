// Power samples and the energy of a span.
#include "app/telemetry/power_log.h"

#include <algorithm>
#include <chrono>

namespace ffint8 {

double monotonicSeconds()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void PowerLog::append(double seconds, double watts)
{
    std::lock_guard guard(m_lock);
    if (!m_points.empty() && seconds < m_points.back().seconds)
        return; // the monotonic clock never goes back; a sample that does is not ours
    m_points.push_back({seconds, watts});
}

int PowerLog::size() const
{
    std::lock_guard guard(m_lock);
    return int(m_points.size());
}

std::vector<PowerPoint> PowerLog::pointsFrom(size_t first) const
{
    std::lock_guard guard(m_lock);
    if (first >= m_points.size())
        return {};
    return {m_points.begin() + qsizetype(first), m_points.end()};
}

double PowerLog::powerAt(double seconds) const
{
    auto after = std::lower_bound(m_points.begin(), m_points.end(), seconds,
                                  [](const PowerPoint &p, double t) { return p.seconds < t; });
    if (after == m_points.begin())
        return after->watts;
    if (after == m_points.end())
        return m_points.back().watts;
    const PowerPoint &a = *(after - 1), &b = *after;
    const double f = b.seconds > a.seconds ? (seconds - a.seconds) / (b.seconds - a.seconds) : 0.0;
    return a.watts + f * (b.watts - a.watts);
}

EnergySummary PowerLog::energyBetween(double from, double to) const
{
    std::lock_guard guard(m_lock);
    if (m_points.empty() || to <= from)
        return {};
    std::vector<PowerPoint> span{{from, powerAt(from)}};
    for (const PowerPoint &p : m_points)
        if (p.seconds > from && p.seconds < to)
            span.push_back(p);
    span.push_back({to, powerAt(to)});
    EnergySummary e = integrateEnergy(span);
    e.samples = int(span.size()) - 2; // the two interpolated ends are not samples
    return e;
}

} // namespace ffint8
