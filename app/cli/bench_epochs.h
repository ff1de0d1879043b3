// The epoch part of `ffint8 bench`: whole epochs of BP-FP32, FF-FP32 and FF-INT8, interleaved, and
// each one's training step split into GEMMs, optimizer step and the rest; and what every epoch the
// benches time shares with them: its data and how it is run.
#pragma once

#include "app/spec/experiment_spec.h"
#include "engine/data/dataset.h"
#include "engine/train/metrics.h"

#include <QList>
#include <QTextStream>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ffint8 {

// Epochs each setting is timed, taking turns with the others; their median is what the benches report.
constexpr int kBenchEpochRepeats = 5;
double medianOf(std::vector<double> values);

// The training split of `config`'s data, without test and validation sets: a timed epoch is not
// evaluated.
std::shared_ptr<const DatasetSplits> benchData(const TrainConfig &config);
// Trains each spec on `data` as a run of its own, one after another, through the code every run
// goes through (RunGroup: prepared as `ffint8 train` prepares it; not recorded, no power source), so
// what a bench times is what a run trains. Their summaries in order; EngineError naming
// `what(i)` when run i does not complete.
std::vector<RunSummary> trainBenchRuns(const QList<ExperimentSpec> &specs, std::shared_ptr<const DatasetSplits> data,
                                       const std::function<std::string(int)> &what);

// Prints a table (or JSON events with `json`) to `out`; throws EngineError when a run fails.
void benchEpochs(const ExperimentSpec &spec, bool json, QTextStream &out);

} // namespace ffint8
