// Data, backend and trainer for a run.
#include "app/session/prepared_run.h"

#include "app/session/memory_check.h"
#include "engine/backend/backend_factory.h"
#include "engine/core/error.h"
#include "engine/data/image_padding.h"

namespace ffint8 {

DatasetSplits loadRunData(const TrainConfig &config)
{
    DatasetSplits data = loadDataset(config.dataset, datasetSearchPaths());
    truncateDataset(data.train, config.trainLimit);
    truncateDataset(data.test, config.testLimit);
    if (config.validation > 0)
        splitValidation(data, config.validation, config.seed);
    // After the limits, so that only the examples kept are copied.
    padSplits(data, config.padTo);
    return data;
}

bool sameRunData(const TrainConfig &a, const TrainConfig &b)
{
    return a.dataset == b.dataset && a.trainLimit == b.trainLimit && a.testLimit == b.testLimit
        && a.validation == b.validation && (a.validation == 0 || a.seed == b.seed) && a.padTo == b.padTo;
}

TrainConfig configForData(const TrainConfig &config, const Dataset &data)
{
    TrainConfig c = config;
    if (c.graphModel()) {
        c.inputShape = Shape::image(data.channels, data.height, data.width);
        c.classes = data.numClasses;
    }
    return c;
}

PreparedRun prepareRun(const TrainConfig &given, const DatasetSplits &data)
{
    // A graph takes its input shape and class count from the data; an MLP's widths are given.
    const TrainConfig config = configForData(given, data.train.count > 0 ? data.train : data.test);
    if (!config.graphModel() && data.train.features() != config.layers.front())
        throw EngineError("dataset " + data.train.name + " has " + std::to_string(data.train.features()) +
                          " values per example, but the model's input width (layers[0]) is " +
                          std::to_string(config.layers.front()));
    const Dataset &shaped = data.train.count > 0 ? data.train : data.test;
    if (config.augment && (shaped.height < 2 || shaped.width < 2))
        throw EngineError("augment crops and flips images, but dataset " + shaped.name + " holds flat examples of "
                          + std::to_string(shaped.height) + "x" + std::to_string(shaped.width)
                          + " values; turn augment off for it");
    checkMemoryFits(config);
    PreparedRun run;
    run.backend = createBackend(config.backend, config.threads);
    run.trainer = createTrainer(config, *run.backend);
    return run;
}

} // namespace ffint8
