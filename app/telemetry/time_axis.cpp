// Sample times of a recorded tegrastats log.
#include "app/telemetry/time_axis.h"

#include <algorithm>

namespace ffint8 {

namespace {
// A step more than this many times the usual one is a clock being set, not a pause.
constexpr double kJumpFactor = 10;
} // namespace

TimeAxis buildTimeAxis(const std::vector<std::optional<qint64>> &stamps, int intervalMs)
{
    const size_t n = stamps.size();
    std::vector<std::optional<double>> ms(n);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && stamps[i] && stamps[j] == stamps[i])
            ++j;
        for (size_t k = i; k < j; ++k)
            if (stamps[k])
                ms[k] = double(*stamps[k]) + 1000.0 * double(k - i) / double(j - i);
        i = j;
    }
    std::vector<double> positive;
    for (size_t i = 1; i < n; ++i)
        if (ms[i] && ms[i - 1] && *ms[i] > *ms[i - 1])
            positive.push_back(*ms[i] - *ms[i - 1]);
    TimeAxis axis;
    axis.stepMs = intervalMs;
    if (!positive.empty()) {
        std::nth_element(positive.begin(), positive.begin() + positive.size() / 2, positive.end());
        axis.stepMs = positive[positive.size() / 2];
    }
    axis.seconds.resize(n);
    for (size_t i = 1; i < n; ++i) {
        double step = intervalMs;
        if (ms[i] && ms[i - 1]) {
            step = *ms[i] - *ms[i - 1];
            if (step < 0 || step > kJumpFactor * axis.stepMs) {
                step = axis.stepMs;
                ++axis.jumps;
            }
        }
        axis.seconds[i] = axis.seconds[i - 1] + step / 1000.0;
    }
    return axis;
}

} // namespace ffint8
