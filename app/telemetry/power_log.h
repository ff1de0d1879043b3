// Board power samples of a run on the monotonic clock the engine times epochs with, and the energy
// of any span of it. Written by the telemetry thread, read by the run's thread.
#pragma once

#include "app/telemetry/energy.h"

#include <mutex>
#include <vector>

namespace ffint8 {

// Seconds on std::chrono::steady_clock (CLOCK_MONOTONIC), the clock of EpochMetrics' boundaries.
double monotonicSeconds();

class PowerLog
{
public:
    void append(double seconds, double watts);
    // Energy over [from, to]: the trapezoid rule over the samples inside, with the power at each
    // end interpolated between its neighbours (or held from the nearest sample before the first or
    // after the last), so that back-to-back spans add up to the energy of their union.
    EnergySummary energyBetween(double from, double to) const;
    int size() const;
    // The samples from index `first` on (a store takes what is new since its last call).
    std::vector<PowerPoint> pointsFrom(size_t first) const;

private:
    double powerAt(double seconds) const; // callers hold m_lock
    // std::mutex rather than QMutex: a contended QMutex waits on a futex inside Qt, where
    // ThreadSanitizer (scripts/sanitize.sh tsan) cannot see the ordering it gives.
    mutable std::mutex m_lock;
    std::vector<PowerPoint> m_points;
};

} // namespace ffint8
