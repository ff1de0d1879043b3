// The layers without parameters that touch each value alone: ReLU, the residual add of two
// branches, and flatten (NHWC data is already one row per example: only the shape changes).
#pragma once

#include "engine/nn/layer.h"

namespace ffint8 {

class Relu final : public Layer
{
public:
    Relu(Backend &backend, std::string name, Shape input);
    const char *kind() const override { return "relu"; }
    bool inPlace() const override { return true; }
    void forward(std::span<const Activation> inputs, int rows, float *output, LayerContext &ctx) override;
    void backward(const LayerBackward &args, LayerContext &ctx) override;
};

// y = a + b: the join of a residual block (its shortcut and its branch must have one shape).
class ResidualAdd final : public Layer
{
public:
    ResidualAdd(Backend &backend, std::string name, Shape a, Shape b);
    // EngineError naming the layer and both shapes when they differ.
    static Shape outputShape(const std::string &name, const Shape &a, const Shape &b);
    using Layer::outputShape;

    const char *kind() const override { return "residual_add"; }
    void forward(std::span<const Activation> inputs, int rows, float *output, LayerContext &ctx) override;
    void backward(const LayerBackward &args, LayerContext &ctx) override;
};

class Flatten final : public Layer
{
public:
    Flatten(Backend &backend, std::string name, Shape input);
    const char *kind() const override { return "flatten"; }
    bool inPlace() const override { return true; }
    void forward(std::span<const Activation> inputs, int rows, float *output, LayerContext &ctx) override;
    void backward(const LayerBackward &args, LayerContext &ctx) override;
};

} // namespace ffint8
