// The graph's fully connected layer on Conv2d's code path.
#include "engine/nn/linear.h"

#include "engine/core/error.h"

namespace ffint8 {

namespace {

ConvOptions oneByOne(int out)
{
    ConvOptions c;
    c.outChannels = out;
    c.kernel = 1;
    return c;
}

} // namespace

Shape Linear::outputShape(const std::string &name, const Shape &input, int out)
{
    if (out <= 0)
        throw EngineError("linear \"" + name + "\": " + std::to_string(out) + " outputs");
    if (!input.isFlat() || input.channels <= 0)
        throwShapeMismatch("linear", name, input,
                           "a flat vector (" + std::to_string(input.features()) + "x1x1: put a flatten before it)");
    return Shape::flat(out);
}

Linear::Linear(Backend &backend, std::string name, Shape input, int out, const LayerOptions &options,
               SplitMix64 &initRng)
    : Conv2d(backend, name, input, outputShape(name, input, out), oneByOne(out), options, initRng)
{
}

} // namespace ffint8
