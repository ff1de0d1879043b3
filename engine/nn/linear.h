// A fully connected layer in a model graph: a convolution with a 1x1 kernel over a flat input
// (features x 1 x 1), so that it shares Conv2d's FP32 and INT8 paths; its weights are out x in as
// LinearLayer's. LinearLayer itself stays as it is for the MLP trainers.
#pragma once

#include "engine/nn/conv2d.h"

namespace ffint8 {

class Linear final : public Conv2d
{
public:
    Linear(Backend &backend, std::string name, Shape input, int out, const LayerOptions &options, SplitMix64 &initRng);
    // EngineError naming the layer and both shapes unless `input` is flat (a flatten comes first).
    static Shape outputShape(const std::string &name, const Shape &input, int out);
    using Layer::outputShape;

    const char *kind() const override { return "linear"; }
};

} // namespace ffint8
