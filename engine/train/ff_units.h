// The units of Forward-Forward on a model graph: the model cut into consecutive sub-models, each
// trained by its own FF loss on its (length-normalised) input, and the shapes between them.
#pragma once

#include "engine/nn/model_spec.h"
#include "engine/train/train_config.h"

#include <string>
#include <vector>

namespace ffint8 {

struct FfUnitSpec
{
    std::string name; // the block's name, or "block.layer" of the unit's first layer with weights
    ModelSpec spec; // the unit's blocks; layer names as in the whole model ("block.layer")
    Shape input; // what the unit reads: the embedded example, or the previous unit's output
    Shape output;
};

// `model` cut into units of `unit` kind for examples of `input` (the label already embedded). A
// block without weights (pooling, flatten) joins the unit before it, or the first unit when it comes
// first. EngineError naming the layer and both shapes when the model does not take `input`, and
// naming the model when it has no layer with weights.
std::vector<FfUnitSpec> ffUnits(const ModelSpec &model, Shape input, FfUnit unit);

} // namespace ffint8
