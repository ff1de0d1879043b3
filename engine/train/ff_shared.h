// What the two FF trainers (FfTrainer on an MLP's layers, GraphFfTrainer on a graph's units)
// share: the rows of a step, the choice of negative labels, the figures of a unit, the quantisers.
#pragma once

#include "engine/backend/backend.h"
#include "engine/core/counter_rng.h"
#include "engine/data/dataset.h"
#include "engine/train/metrics.h"
#include "engine/train/train_config.h"

#include <functional>
#include <vector>

namespace ffint8 {

// The 2 x count rows of a step: positive rows (each image with its label) first, then the same
// images with the wrong labels `negatives`.
void ffStepRows(const Dataset &data, const int *indices, int count, const uint8_t *negatives,
                std::vector<int> &rowImage, std::vector<int> &rowLabel);
// The rows of an evaluation chunk: each of `count` images once per label 0..classes-1.
void ffAllLabelRows(const int *indices, int count, int classes, std::vector<int> &rowImage, std::vector<int> &rowLabel);

// The wrong label of each of `count` examples: drawn uniformly from the other classes (Random),
// or the one with the most goodness (Hardest; `allLabelGoodness` fills `classes` values per example,
// and is called only then).
void chooseNegativeLabels(NegativeLabels mode, SplitMix64 &rng, const Dataset &data, const int *indices, int count,
                          int classes, const std::function<void(std::vector<float> &)> &allLabelGoodness,
                          std::vector<uint8_t> &labels);

// The value of an embedded one-hot label for `image`: 1, or the image's largest value (1 when none
// is positive).
float labelValueOf(LabelValue value, const float *image, int features);

// A unit's goodness of positive and negative rows and its loss, averaged over the step's rows
// (the first `positives` rows are positive); host buffers are reused between calls.
LayerMetrics ffUnitMetrics(Backend &backend, const Tensor &goodness, const Tensor &loss, int rows, int positives,
                           std::vector<float> &hostGoodness, std::vector<float> &hostLoss);

// The same figures for the class-groups loss over `rows` examples: the goodness of each example's own
// class (positive) and the mean of the other classes' (negative), from `classes` goodness values per row.
LayerMetrics ffClassGroupsMetrics(Backend &backend, const Tensor &goodness, const Tensor &loss, int rows, int classes,
                                  const std::vector<int32_t> &labels, std::vector<float> &hostGoodness,
                                  std::vector<float> &hostLoss);

// The quantisers of an FF trainer; `activationCodes` says which codes its layers' inputs take.
std::vector<QuantiserInfo> ffQuantisers(const TrainConfig &config, const char *activationCodes);

} // namespace ffint8
