// The epoch part of `ffint8 bench`: whole epochs of BP-FP32, FF-FP32 and FF-INT8, interleaved, and
// each one's training step split into GEMMs, optimizer step and the rest.
#pragma once

#include "engine/train/train_config.h"

#include <QTextStream>
#include <vector>

namespace ffint8 {

// Epochs each setting is timed, taking turns with the others; their median is what the benches report.
constexpr int kBenchEpochRepeats = 5;
double medianOf(std::vector<double> values);

// Prints a table (or JSON events with `json`) to `out`; throws EngineError when a run fails.
void benchEpochs(const TrainConfig &config, bool json, QTextStream &out);

} // namespace ffint8
