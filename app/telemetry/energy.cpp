// Energy from power samples (trapezoid rule) or from a source's own energy counter (NVML, RAPL).
#include "app/telemetry/energy.h"

namespace ffint8 {

EnergySummary integrateEnergy(const std::vector<PowerPoint> &points)
{
    EnergySummary e;
    e.samples = int(points.size());
    if (points.empty())
        return e;
    double sumWatts = points[0].watts;
    for (size_t i = 1; i < points.size(); ++i) {
        const double dt = points[i].seconds - points[i - 1].seconds;
        sumWatts += points[i].watts;
        if (dt <= 0)
            continue;
        e.joules += dt * (points[i].watts + points[i - 1].watts) / 2;
        e.spanSeconds += dt;
    }
    // With no time between the samples, the time-weighted mean is undefined; the plain mean is what
    // the samples can still say.
    e.meanWatts = e.spanSeconds > 0 ? e.joules / e.spanSeconds : sumWatts / double(points.size());
    return e;
}

std::optional<quint64> counterDifference(quint64 before, quint64 after, std::optional<quint64> maxValue)
{
    if (after >= before)
        return maxValue && after > *maxValue ? std::nullopt : std::optional<quint64>(after - before);
    if (!maxValue || before > *maxValue)
        return std::nullopt;
    // Up to the top, one step over to 0, then up to `after`; unsigned arithmetic keeps a 64-bit
    // counter (maxValue = 2^64 - 1) right too.
    return *maxValue - before + after + 1;
}

} // namespace ffint8
