// The engine memory a run needs, found by building its trainer on a SizingBackend and taking it
// through a step and an evaluation chunk: the same allocations, counted and never made.
#pragma once

#include "engine/train/train_config.h"

#include <cstddef>

namespace ffint8 {

// Peak bytes of the engine's memory account for `config` (weights, optimizer state, activations,
// gradients, workspace, evaluation scratch). A backend's own workspace (the cpu backend's INT8
// panels) comes on top: tests/tst_memory_account.cpp bounds the difference.
size_t estimateTrainerBytes(const TrainConfig &config);

} // namespace ffint8
