// Refuses a run whose engine memory would not fit in the memory the machine has available, before
// anything of it is allocated, with both numbers in the message.
#pragma once

#include "engine/train/train_config.h"

#include <cstdint>
#include <optional>

namespace ffint8 {

// Throws EngineError when the run of `config` on a host backend needs more than `availableBytes`
// (default: MemAvailable of /proc/meminfo; no check where the kernel does not report it). Device
// backends (cuda) hold their memory on the GPU and are not checked here.
void checkMemoryFits(const TrainConfig &config, std::optional<uint64_t> availableBytes = std::nullopt);

} // namespace ffint8
