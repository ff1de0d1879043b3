// checkMemoryFits: a lower bound from the parameter count first (building even a counting trainer
// fills each layer's initial weights on the host), then the exact engine estimate.
#include "app/session/memory_check.h"

#include "app/telemetry/system_memory.h"
#include "engine/core/error.h"
#include "engine/train/memory_estimate.h"

#include <algorithm>
#include <cstdio>
#include <string>

namespace ffint8 {

namespace {

std::string mib(double bytes)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / 1048576.0);
    return buf;
}

} // namespace

void checkMemoryFits(const TrainConfig &config, std::optional<uint64_t> availableBytes)
{
    if (config.backend == "cuda")
        return;
    if (!availableBytes)
        availableBytes = readSystemMemory().availableBytes;
    if (!availableBytes)
        return;
    const double available = double(*availableBytes);
    // At least a byte a weight (INT8) or four (FP32) held, plus the largest layer's FP32 initial
    // weights on the host while it is built.
    // A graph model's weights are few next to its activations: its estimate alone decides.
    double weights = 0.0, largest = 0.0;
    for (size_t i = 0; !config.graphModel() && i + 1 < config.layers.size(); ++i) {
        const double count = double(config.layers[i]) * double(config.layers[i + 1]);
        weights += count;
        largest = std::max(largest, count);
    }
    const double atLeast = weights * (isInt8(config.algorithm) ? 1.0 : 4.0) + largest * 4.0;
    const std::string where = " available on this machine (MemAvailable in /proc/meminfo); a smaller model or "
                              "batch fits, or memory freed by other programs";
    if (atLeast > available)
        throw EngineError("the run needs at least " + mib(atLeast) + " of memory for its "
                          + std::to_string(uint64_t(weights)) + " weights, but only " + mib(available) + " are"
                          + where);
    const double needed = double(estimateTrainerBytes(config)) + largest * 4.0;
    if (needed > available)
        throw EngineError("the run needs about " + mib(needed)
                          + " of engine memory (weights, optimizer state, activations, gradients and workspace for its "
                            "layers, algorithm and batch), but only "
                          + mib(available) + " are" + where);
}

} // namespace ffint8
