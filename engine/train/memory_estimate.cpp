// estimateTrainerBytes: a trainer built on the counting backend, taken through one training step
// and one evaluation chunk of blank examples so that their scratch is counted too.
#include "engine/train/memory_estimate.h"

#include "engine/backend/sizing_backend.h"
#include "engine/data/dataset.h"
#include "engine/train/trainer.h"

#include <algorithm>
#include <numeric>
#include <vector>

namespace ffint8 {

size_t estimateTrainerBytes(const TrainConfig &config)
{
    SizingBackend sizing;
    auto trainer = createTrainer(config, sizing);
    Dataset blank;
    blank.name = "blank";
    blank.count = std::max({config.batch, config.evalBatch, 1});
    if (config.graphModel()) {
        blank.channels = config.inputShape.channels;
        blank.height = config.inputShape.height;
        blank.width = config.inputShape.width;
        blank.numClasses = config.classes;
    } else {
        blank.height = 1;
        blank.width = config.layers.front();
    }
    blank.images.assign(size_t(blank.count) * size_t(blank.features()), 0.0f);
    blank.labels.assign(size_t(blank.count), 0);
    std::vector<int> indices(size_t(blank.count));
    std::iota(indices.begin(), indices.end(), 0);
    std::vector<uint8_t> predictions(indices.size());
    trainer->beginEpoch(0);
    trainer->trainStep(blank, indices.data(), std::min(config.batch, blank.count));
    trainer->predict(blank, indices.data(), blank.count, predictions.data(), nullptr);
    return sizing.memory().snapshot().peakTotal;
}

} // namespace ffint8
