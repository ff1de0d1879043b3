// Zero padding of a dataset's images to a larger square.
#include "engine/data/image_padding.h"

#include "engine/core/error.h"

#include <algorithm>
#include <string>

namespace ffint8 {

void padImages(Dataset &dataset, int side)
{
    if (side <= 0 || (side == dataset.height && side == dataset.width))
        return;
    if (side < dataset.height || side < dataset.width)
        throw EngineError("pad_to " + std::to_string(side) + " is smaller than the " + std::to_string(dataset.height)
                          + "x" + std::to_string(dataset.width) + " images of " + dataset.name
                          + ": padding only makes images larger");
    const int channels = dataset.channels;
    const int top = (side - dataset.height) / 2;
    const int left = (side - dataset.width) / 2;
    const size_t inFeatures = size_t(dataset.features());
    const size_t outFeatures = size_t(channels) * size_t(side) * size_t(side);
    const size_t inRow = size_t(dataset.width) * size_t(channels);
    std::vector<float> padded(size_t(dataset.count) * outFeatures, 0.0f);
    for (size_t i = 0; i < size_t(dataset.count); ++i) {
        const float *src = dataset.images.data() + i * inFeatures;
        float *dst = padded.data() + i * outFeatures;
        // Channels last: one source row is one contiguous run of width x channels values.
        for (int y = 0; y < dataset.height; ++y)
            std::copy_n(src + size_t(y) * inRow, inRow,
                        dst + (size_t(y + top) * size_t(side) + size_t(left)) * size_t(channels));
    }
    dataset.images = std::move(padded);
    dataset.height = side;
    dataset.width = side;
}

void padSplits(DatasetSplits &splits, int side)
{
    for (Dataset *d : {&splits.train, &splits.validation, &splits.test})
        padImages(*d, side);
}

} // namespace ffint8
