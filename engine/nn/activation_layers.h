// The activation layers besides ReLU (ReLU6 of MobileNet-V2, SiLU of EfficientNet) and dropout
// before a classifier, on the backend's pointwise and dropout ops.
#pragma once

#include "engine/nn/layer.h"

namespace ffint8 {

// ReLU6 or SiLU. ReLU6 works in place (its output tells where the gradient passes); SiLU keeps
// its input for the backward pass.
class PointwiseActivation final : public Layer
{
public:
    PointwiseActivation(Backend &backend, std::string name, Shape input, PointwiseFunction function);
    const char *kind() const override;
    bool inPlace() const override { return m_function == PointwiseFunction::Relu6; }
    void forward(std::span<const Activation> inputs, int rows, float *output, LayerContext &ctx) override;
    void backward(const LayerBackward &args, LayerContext &ctx) override;

private:
    PointwiseFunction m_function;
};

// Inverted dropout in training (each value kept with probability 1 - rate and scaled by
// 1 / (1 - rate)), the identity in evaluation. The mask is drawn from the step's random stream
// and drawn again from the same counter in the backward pass, so nothing is stored for it.
class Dropout final : public Layer
{
public:
    // EngineError naming the layer when rate is not in [0, 1) (checkRate).
    Dropout(Backend &backend, std::string name, Shape input, float rate);
    // The check of a rate, also run when a graph is planned: EngineError naming the layer and rate.
    static void checkRate(const std::string &name, float rate);
    const char *kind() const override { return "dropout"; }
    bool inPlace() const override { return true; }
    void forward(std::span<const Activation> inputs, int rows, float *output, LayerContext &ctx) override;
    void backward(const LayerBackward &args, LayerContext &ctx) override;

private:
    float m_rate;
    // The stream and counter of the last training forward pass, which its backward pass reuses.
    uint64_t m_seed = 0;
    uint64_t m_counter = 0;
    bool m_masked = false; // the last forward pass dropped values (training, rate > 0)
};

} // namespace ffint8
