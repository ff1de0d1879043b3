// Energy from power samples (trapezoid rule) or from a source's own energy counter (NVML, RAPL).
#pragma once

#include <QtGlobal>

#include <optional>
#include <vector>

namespace ffint8 {

struct PowerPoint
{
    double seconds = 0; // on any fixed origin; only differences matter
    double watts = 0;
};

struct EnergySummary
{
    double joules = 0; // integral of power over [first, last] sample time
    double meanWatts = 0; // joules / span, or the plain mean where the span is zero
    double spanSeconds = 0; // last time minus first
    int samples = 0;
};

// Trapezoid rule over the points in the order given (times must not decrease: a step back in time is
// not integrated, since it can only be a clock that was set, and it is left out of the span too).
// No points: all zero. One point: no energy, its power as the mean.
EnergySummary integrateEnergy(const std::vector<PowerPoint> &points);

// Energy used between two readings of a counter whose readings run from 0 to `maxValue` and then start
// again at 0 (RAPL's `max_energy_range_uj`); no `maxValue` for a counter that does not wrap (NVML's
// 64-bit mJ total). Empty where the readings cannot be from one run of that counter: `after` below
// `before` on a counter that does not wrap (a driver reload reset it), or a reading above `maxValue`.
// A wrapped difference assumes a single wrap, so read the counter more often than it can wrap.
std::optional<quint64> counterDifference(quint64 before, quint64 after, std::optional<quint64> maxValue = std::nullopt);

} // namespace ffint8
