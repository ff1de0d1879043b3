// Zero padding of a dataset's images to a larger square, so 28x28 sets fit the 32x32 (CIFAR-shaped) models.
#pragma once

#include "engine/data/dataset.h"

namespace ffint8 {

// Pads every image of `dataset` with zeros to side x side, the image centred (an odd margin puts the
// extra row or column at the bottom or right). side 0 leaves the images as they are. Throws
// EngineError naming the data set and both sizes when side is smaller than the images.
void padImages(Dataset &dataset, int side);

// padImages on train, validation and test alike, so every split keeps one shape.
void padSplits(DatasetSplits &splits, int side);

} // namespace ffint8
