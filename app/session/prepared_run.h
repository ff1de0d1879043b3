// What a run needs before its first batch: the data (searched, limited, split), a backend and a
// trainer for the configuration. Shared by RunSession (every command that trains) and eval.
#pragma once

#include "engine/backend/backend.h"
#include "engine/data/dataset.h"
#include "engine/train/trainer.h"

#include <memory>

namespace ffint8 {

DatasetSplits loadRunData(const TrainConfig &config);
// Whether loadRunData gives both configurations the same splits, so that runs of them can share one
// copy (a comparison's methods).
bool sameRunData(const TrainConfig &a, const TrainConfig &b);

struct PreparedRun
{
    std::unique_ptr<Backend> backend;
    std::unique_ptr<Trainer> trainer;
};

// `config` with a graph model's input shape and class count taken from `data` (an MLP's unchanged).
TrainConfig configForData(const TrainConfig &config, const Dataset &data);

// Throws EngineError when the backend is unavailable or the model does not fit the data.
PreparedRun prepareRun(const TrainConfig &config, const DatasetSplits &data);

} // namespace ffint8
