// ReLU, residual add and flatten on the backend's add and ReLU-backward ops.
#include "engine/nn/elementwise_layers.h"

#include "engine/core/error.h"

namespace ffint8 {

namespace {

// dst = src over rows x cols, unless they are the same buffer.
void copyUnlessSame(Backend &backend, const float *src, float *dst, int rows, int cols)
{
    if (dst && dst != src)
        backend.addTensors(src, nullptr, rows, cols, false, dst);
}

void checkGradients(const std::string &label, const LayerBackward &args, size_t inputs)
{
    if (args.inputs.size() != inputs || args.gradInputs.size() != inputs)
        throw EngineError(label + ": backward takes " + std::to_string(inputs) + " inputs and input gradients, given "
                          + std::to_string(args.inputs.size()) + " and " + std::to_string(args.gradInputs.size()));
}

} // namespace

Relu::Relu(Backend &backend, std::string name, Shape input) : Layer(backend, std::move(name), {input}, input) { }

void Relu::forward(std::span<const Activation> inputs, int rows, float *output, LayerContext &ctx)
{
    (void)ctx;
    m_backend.addTensors(singleInput(inputs).values, nullptr, rows, inputShape().features(), true, output);
}

void Relu::backward(const LayerBackward &args, LayerContext &ctx)
{
    (void)ctx;
    checkGradients(label(), args, 1);
    float *gradIn = args.gradInputs[0];
    if (!gradIn)
        return;
    const int features = inputShape().features();
    copyUnlessSame(m_backend, args.gradOutput, gradIn, args.rows, features);
    // The output is positive exactly where the input is, so either tells where the gradient passes.
    m_backend.reluBackward(gradIn, args.output, args.rows, features);
}

Shape ResidualAdd::outputShape(const std::string &name, const Shape &a, const Shape &b)
{
    if (!(a == b) || a.features() <= 0)
        throwShapeMismatch("residual_add", name, b, "the shape of its other input, " + a.text());
    return a;
}

ResidualAdd::ResidualAdd(Backend &backend, std::string name, Shape a, Shape b)
    : Layer(backend, name, {a, b}, outputShape(name, a, b))
{
}

void ResidualAdd::forward(std::span<const Activation> inputs, int rows, float *output, LayerContext &ctx)
{
    (void)ctx;
    if (inputs.size() != 2)
        throw EngineError(label() + ": takes 2 inputs, given " + std::to_string(inputs.size()));
    m_backend.addTensors(inputs[0].values, inputs[1].values, rows, outputShape().features(), false, output);
}

void ResidualAdd::backward(const LayerBackward &args, LayerContext &ctx)
{
    (void)ctx;
    checkGradients(label(), args, 2);
    for (float *gradIn : args.gradInputs)
        copyUnlessSame(m_backend, args.gradOutput, gradIn, args.rows, outputShape().features());
}

Flatten::Flatten(Backend &backend, std::string name, Shape input)
    : Layer(backend, std::move(name), {input}, Shape::flat(input.features()))
{
}

void Flatten::forward(std::span<const Activation> inputs, int rows, float *output, LayerContext &ctx)
{
    (void)ctx;
    copyUnlessSame(m_backend, singleInput(inputs).values, output, rows, inputShape().features());
}

void Flatten::backward(const LayerBackward &args, LayerContext &ctx)
{
    (void)ctx;
    checkGradients(label(), args, 1);
    copyUnlessSame(m_backend, args.gradOutput, args.gradInputs[0], args.rows, inputShape().features());
}

} // namespace ffint8
