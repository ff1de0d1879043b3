// ReLU6, SiLU and dropout layers.
#include "engine/nn/activation_layers.h"

#include "engine/core/error.h"

namespace ffint8 {

namespace {

void checkOneGradient(const std::string &label, const LayerBackward &args)
{
    if (args.inputs.size() != 1 || args.gradInputs.size() != 1)
        throw EngineError(label + ": backward takes 1 input and 1 input gradient, given "
                          + std::to_string(args.inputs.size()) + " and " + std::to_string(args.gradInputs.size()));
}

} // namespace

PointwiseActivation::PointwiseActivation(Backend &backend, std::string name, Shape input, PointwiseFunction function)
    : Layer(backend, std::move(name), {input}, input), m_function(function)
{
    if (function == PointwiseFunction::Sigmoid)
        throw EngineError(label() + ": sigmoid is a gate inside squeeze-excitation, not a layer of its own");
}

const char *PointwiseActivation::kind() const
{
    return m_function == PointwiseFunction::Relu6 ? "relu6" : "silu";
}

void PointwiseActivation::forward(std::span<const Activation> inputs, int rows, float *output, LayerContext &ctx)
{
    (void)ctx;
    m_backend.pointwiseForward(m_function, singleInput(inputs).values, rows, inputShape().features(), output);
}

void PointwiseActivation::backward(const LayerBackward &args, LayerContext &ctx)
{
    (void)ctx;
    checkOneGradient(label(), args);
    if (!args.gradInputs[0])
        return;
    m_backend.pointwiseBackward(m_function, args.inputs[0].values, args.output, args.gradOutput, args.rows,
                                inputShape().features(), args.gradInputs[0]);
}

void Dropout::checkRate(const std::string &name, float rate)
{
    if (!(rate >= 0.0f && rate < 1.0f))
        throw EngineError("dropout \"" + name + "\": rate " + std::to_string(rate) + " is outside [0, 1)");
}

Dropout::Dropout(Backend &backend, std::string name, Shape input, float rate)
    : Layer(backend, std::move(name), {input}, input), m_rate(rate)
{
    checkRate(this->name(), rate);
}

void Dropout::forward(std::span<const Activation> inputs, int rows, float *output, LayerContext &ctx)
{
    const float *x = singleInput(inputs).values;
    const int features = inputShape().features();
    m_masked = ctx.training && m_rate > 0.0f;
    if (!m_masked) {
        if (output != x)
            m_backend.addTensors(x, nullptr, rows, features, false, output);
        return;
    }
    m_seed = ctx.seed;
    m_counter = ctx.counter;
    m_backend.dropout(x, rows, features, m_rate, m_seed, m_counter, output);
    ctx.counter += uint64_t(rows) * uint64_t(features);
}

void Dropout::backward(const LayerBackward &args, LayerContext &ctx)
{
    (void)ctx;
    checkOneGradient(label(), args);
    float *gradIn = args.gradInputs[0];
    if (!gradIn)
        return;
    const int features = inputShape().features();
    if (m_masked)
        m_backend.dropout(args.gradOutput, args.rows, features, m_rate, m_seed, m_counter, gradIn);
    else if (gradIn != args.gradOutput)
        m_backend.addTensors(args.gradOutput, nullptr, args.rows, features, false, gradIn);
}

} // namespace ffint8
