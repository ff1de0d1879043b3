// How FF on a model graph writes the label into an example (TrainConfig::labelEmbedding).
#pragma once

#include "engine/nn/model_spec.h"
#include "engine/train/train_config.h"

namespace ffint8 {

// Auto made concrete: pixels for a model that takes flat vectors (the MLP's scheme), channels for
// one that takes images.
LabelEmbedding resolvedEmbedding(LabelEmbedding embedding, const ModelSpec &model);
const char *labelEmbeddingName(LabelEmbedding embedding); // "auto", "pixels", "channels"
bool labelEmbeddingFromName(const std::string &name, LabelEmbedding &out);

// The shape of an example of `data` with its label embedded: `classes` more channels, or the same.
// EngineError when an image has fewer pixels than there are classes for the pixels scheme.
Shape embeddedShape(Shape data, LabelEmbedding embedding, int classes);

// Writes `image` (NHWC, `data`'s shape) with `label` embedded as `value` into `out`
// (embeddedShape's values). Pixels: the first `classes` pixels of every channel become the one-hot
// label; channels: each pixel gets `classes` more channels holding the one-hot label. A negative
// `label` is the neutral one: every class at value / classes.
void embedLabel(const float *image, Shape data, LabelEmbedding embedding, int classes, int label, float value,
                float *out);

} // namespace ffint8
