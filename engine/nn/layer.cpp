// What every layer shares: names in messages, input checks and the checks of imported state.
#include "engine/nn/layer.h"

#include "engine/core/error.h"

#include <algorithm>

namespace ffint8 {

Layer::Layer(Backend &backend, std::string name, std::vector<Shape> inputs, Shape output)
    : m_backend(backend), m_name(std::move(name)), m_inputs(std::move(inputs)), m_output(output)
{
}

std::string Layer::label() const
{
    return std::string(kind()) + " \"" + m_name + "\"";
}

const Activation &Layer::singleInput(std::span<const Activation> inputs) const
{
    if (inputs.size() != 1)
        throw EngineError(label() + ": takes 1 input, given " + std::to_string(inputs.size()));
    return inputs[0];
}

void Layer::importState(const std::vector<NamedValues> &state)
{
    checkStateNames(state, {});
}

const std::vector<float> &Layer::stateValues(const std::vector<NamedValues> &state, const std::string &tensor,
                                             size_t count) const
{
    auto it = std::find_if(state.begin(), state.end(), [&](const NamedValues &v) { return v.name == tensor; });
    if (it == state.end())
        throw EngineError(label() + ": the state has no tensor \"" + tensor + "\"");
    if (it->values.size() != count)
        throw EngineError(label() + ": tensor \"" + tensor + "\" has " + std::to_string(it->values.size())
                          + " values, the layer needs " + std::to_string(count));
    return it->values;
}

void Layer::setGradientClip(float clip)
{
    (void)clip;
    throw EngineError(label() + " was not built with clipped INT8 gradients (bp-ui8's)");
}

void Layer::checkStateNames(const std::vector<NamedValues> &state, const std::vector<std::string> &known) const
{
    for (const NamedValues &v : state)
        if (std::find(known.begin(), known.end(), v.name) == known.end())
            throw EngineError(label() + ": the state holds a tensor \"" + v.name + "\" that this layer does not have");
}

WindowGeometry windowOver(const Shape &input, int rows, int kernelH, int kernelW, int stride, int padding)
{
    WindowGeometry g;
    g.batch = rows;
    g.height = input.height;
    g.width = input.width;
    g.channels = input.channels;
    g.kernelH = kernelH;
    g.kernelW = kernelW;
    g.strideH = g.strideW = stride;
    g.padH = g.padW = padding;
    return g;
}

void throwShapeMismatch(const char *kind, const std::string &name, const Shape &given, const std::string &expected)
{
    throw EngineError(std::string(kind) + " \"" + name + "\": input " + given.text() + " does not fit, it needs "
                      + expected);
}

} // namespace ffint8
