// Seeded validation splits, truncation and shuffles of in-memory datasets.
#include "engine/core/counter_rng.h"
#include "engine/core/error.h"
#include "engine/data/dataset.h"

#include <algorithm>
#include <numeric>

namespace ffint8 {

namespace {

// Copies the examples at the given indices, in that order, into a dataset shaped like source.
Dataset gather(const Dataset &source, const std::vector<int> &indices)
{
    Dataset d;
    d.name = source.name;
    d.channels = source.channels;
    d.height = source.height;
    d.width = source.width;
    d.numClasses = source.numClasses;
    d.count = int(indices.size());
    size_t features = size_t(source.features());
    d.images.resize(indices.size() * features);
    d.labels.resize(indices.size());
    for (size_t k = 0; k < indices.size(); ++k) {
        std::copy_n(source.image(indices[k]), features, d.images.data() + k * features);
        d.labels[k] = source.labels[size_t(indices[k])];
    }
    return d;
}

} // namespace

std::vector<int> shuffledIndices(int count, uint64_t seed)
{
    if (count < 0)
        throw EngineError("shuffledIndices: negative count " + std::to_string(count));
    std::vector<int> order(static_cast<size_t>(count));
    std::iota(order.begin(), order.end(), 0);
    // Fisher-Yates over our own generator: std::shuffle's draws differ between standard libraries.
    SplitMix64 rng(seed);
    for (int i = count - 1; i > 0; --i)
        std::swap(order[size_t(i)], order[rng.below(uint32_t(i) + 1)]);
    return order;
}

void splitValidation(DatasetSplits &splits, int validationCount, uint64_t seed)
{
    Dataset &train = splits.train;
    if (validationCount <= 0)
        return;
    if (splits.validation.count > 0)
        throw EngineError("splitValidation: a validation split of " + std::to_string(splits.validation.count)
                          + " examples already exists");
    if (validationCount >= train.count)
        throw EngineError("validation split of " + std::to_string(validationCount)
                          + " examples leaves no training examples (the training set has " + std::to_string(train.count)
                          + ")");
    std::vector<int> order = shuffledIndices(train.count, seed);
    std::vector<int> chosen(order.begin(), order.begin() + validationCount);
    std::vector<int> kept(order.begin() + validationCount, order.end());
    // Both halves keep the original order, so the result depends only on which examples were drawn.
    std::sort(chosen.begin(), chosen.end());
    std::sort(kept.begin(), kept.end());
    splits.validation = gather(train, chosen);
    train = gather(train, kept);
}

void truncateDataset(Dataset &dataset, int limit)
{
    if (limit <= 0 || limit >= dataset.count)
        return;
    dataset.count = limit;
    dataset.images.resize(size_t(limit) * size_t(dataset.features()));
    dataset.labels.resize(size_t(limit));
    // Truncation is how small experiments fit on small boards, so give the memory back.
    dataset.images.shrink_to_fit();
    dataset.labels.shrink_to_fit();
}

} // namespace ffint8
