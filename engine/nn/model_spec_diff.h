// The first difference between two model descriptions, in words, so a model file of another graph
// than the one asked for is refused with the block, layer and setting named and both values.
#pragma once

#include "engine/nn/model_spec.h"

#include <string>

namespace ffint8 {

// Empty when `a` and `b` describe the same graph (names, input, every block and every node's
// settings); otherwise e.g. `layer "res.conv2" kernel: 3 in FILE, 5 in model "cnn-small"`, where
// `aLabel` and `bLabel` say where each description came from.
std::string modelSpecDifference(const ModelSpec &a, const ModelSpec &b, const std::string &aLabel,
                                const std::string &bLabel);

} // namespace ffint8
