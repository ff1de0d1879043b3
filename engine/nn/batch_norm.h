// Batch normalisation per channel of NHWC activations: batch statistics over batch x height x width
// in training (running statistics updated with momentum 0.1), the running statistics in evaluation;
// gamma and beta trained. FP32 in both precisions: it issues no GEMM.
#pragma once

#include "engine/nn/layer.h"
#include "engine/nn/parameter.h"

namespace ffint8 {

struct BatchNormOptions
{
    float eps = 1e-5f;
    float momentum = 0.1f;
};

class BatchNorm final : public Layer
{
public:
    BatchNorm(Backend &backend, std::string name, Shape input, const LayerOptions &options,
              const BatchNormOptions &norm = {});
    static Shape outputShape(const std::string &name, const Shape &input);
    using Layer::outputShape;

    const char *kind() const override { return "batch_norm"; }
    void forward(std::span<const Activation> inputs, int rows, float *output, LayerContext &ctx) override;
    void backward(const LayerBackward &args, LayerContext &ctx) override;
    void update(const OptimizerStep &step, LayerContext &ctx) override;
    size_t parameterCount() const override { return m_gamma.count() + m_beta.count(); }
    // gamma, beta, running_mean, running_var
    std::vector<NamedValues> exportState() override;
    void importState(const std::vector<NamedValues> &state) override;
    std::vector<NamedValues> gradientsToHost() override;

private:
    int channels() const { return inputShape().channels; }
    // Rows of the [count x channels] matrix the backend sees: every pixel of every example.
    int count(int rows) const { return rows * inputShape().height * inputShape().width; }

    BatchNormOptions m_norm;
    Parameter m_gamma, m_beta;
    Tensor m_runningMean, m_runningVar; // model state (Weights): kept in model files
    Tensor m_mean, m_var; // the last training batch's statistics, for backward()
    bool m_haveBatchStatistics = false;
};

} // namespace ffint8
