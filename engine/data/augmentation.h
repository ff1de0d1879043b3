// CIFAR-10's usual training augmentation, seeded: a random crop with 4 pixels of zero padding, a random flip.
#pragma once

#include "engine/data/dataset.h"

#include <cstdint>

namespace ffint8 {

// The zero margin the crop is taken from: offsets run from -kAugmentPadding to +kAugmentPadding.
constexpr int kAugmentPadding = 4;

// One example's draw: the crop's offset from the centred position, and whether to mirror it.
struct AugmentDraw
{
    int dy = 0;
    int dx = 0;
    bool flip = false;
};

// The draw of example `example` (its index in the training set) in epoch `epoch` of stream `seed`:
// a pure function of the three (the counter-based RNG), so the same seed augments the same batches
// on every machine, whatever the batch size or thread layout.
AugmentDraw augmentDraw(uint64_t seed, int epoch, int example);

// dst(y, x) = src(y + dy, x' + dx) with x' = width - 1 - x when flipped, else x; zero where that
// falls outside the image. Both images are height x width x channels (channels last).
void cropAndFlip(const float *src, int channels, int height, int width, const AugmentDraw &draw, float *dst);

// `batch` becomes the `count` examples of `source` at `indices`, each cropped and flipped by its
// draw, with their labels; example k of the batch is indices[k] of the source. The batch's buffers
// are reused from call to call.
void augmentBatch(const Dataset &source, const int *indices, int count, uint64_t seed, int epoch, Dataset &batch);

} // namespace ffint8
