// The time of each sample of a recorded tegrastats log, from its timestamps where it has them and
// its interval where not, robust to a board's clock being set while it recorded.
#pragma once

#include <QtGlobal>

#include <optional>
#include <vector>

namespace ffint8 {

// Each sample's time in seconds from the first. Consecutive timestamps give the step where both
// samples have one, the interval otherwise (logs before JetPack 5). Samples that share a timestamp
// (an interval under the timestamps' one second) are spread evenly over their second. A step back, or
// one far longer than the usual step, is a clock being set and counts as one usual step: Jetsons have
// no RTC battery and jump by years when NTP syncs after boot.
struct TimeAxis
{
    std::vector<double> seconds;
    double stepMs = 0; // the usual step: median of the positive timestamp steps, or the interval
    int jumps = 0;
};

TimeAxis buildTimeAxis(const std::vector<std::optional<qint64>> &stamps, int intervalMs);

} // namespace ffint8
