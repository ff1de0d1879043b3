// CIFAR-10's usual training augmentation (random crop with zero padding, horizontal flip), seeded.
#include "engine/data/augmentation.h"

#include "engine/core/counter_rng.h"
#include "engine/core/error.h"

#include <algorithm>
#include <string>

namespace ffint8 {

namespace {

// Keeps the augmentation's draws apart from the other users of counterHash with the run's seed
// (stochastic rounding draws from the seed itself).
constexpr uint64_t kAugmentStream = 0x4155474D454E5421ull; // "AUGMENT!"

// 0..span-1 from `bits` random bits: a multiply-shift, whose bias (span / 2^bits) is far below
// anything a training run could notice, and which every compiler computes alike.
int scaled(uint32_t value, int bits, int span)
{
    return int((uint64_t(value) * uint64_t(span)) >> bits);
}

} // namespace

AugmentDraw augmentDraw(uint64_t seed, int epoch, int example)
{
    const uint64_t counter = uint64_t(uint32_t(epoch)) << 32 | uint32_t(example);
    const uint32_t bits = counterHash(seed ^ kAugmentStream, counter);
    const int span = 2 * kAugmentPadding + 1;
    AugmentDraw draw;
    draw.dy = scaled(bits & 0xFFFFu, 16, span) - kAugmentPadding;
    draw.dx = scaled((bits >> 16) & 0x7FFFu, 15, span) - kAugmentPadding;
    draw.flip = (bits >> 31) != 0;
    return draw;
}

void cropAndFlip(const float *src, int channels, int height, int width, const AugmentDraw &draw, float *dst)
{
    const size_t c = size_t(channels);
    std::fill_n(dst, size_t(height) * size_t(width) * c, 0.0f);
    for (int y = 0; y < height; ++y) {
        const int sy = y + draw.dy;
        if (sy < 0 || sy >= height)
            continue;
        for (int x = 0; x < width; ++x) {
            const int sx = (draw.flip ? width - 1 - x : x) + draw.dx;
            if (sx < 0 || sx >= width)
                continue;
            std::copy_n(src + (size_t(sy) * size_t(width) + size_t(sx)) * c, c,
                        dst + (size_t(y) * size_t(width) + size_t(x)) * c);
        }
    }
}

void augmentBatch(const Dataset &source, const int *indices, int count, uint64_t seed, int epoch, Dataset &batch)
{
    if (source.height <= 0 || source.width <= 0)
        throw EngineError("augmentation needs images, but " + source.name + " holds examples of "
                          + std::to_string(source.height) + "x" + std::to_string(source.width));
    batch.name = source.name;
    batch.channels = source.channels;
    batch.height = source.height;
    batch.width = source.width;
    batch.numClasses = source.numClasses;
    batch.count = count;
    const size_t features = size_t(source.features());
    batch.images.resize(size_t(count) * features);
    batch.labels.resize(size_t(count));
    for (int k = 0; k < count; ++k) {
        const int i = indices[k];
        cropAndFlip(source.image(i), source.channels, source.height, source.width, augmentDraw(seed, epoch, i),
                    batch.images.data() + size_t(k) * features);
        batch.labels[size_t(k)] = source.labels[size_t(i)];
    }
}

} // namespace ffint8
