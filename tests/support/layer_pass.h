// One training forward and backward pass of a one-input layer over host vectors, with the input's
// INT8 codes and scale kept from one to the other as a model graph keeps them.
#pragma once

#include "engine/nn/layer.h"

#include <functional>
#include <vector>

namespace ffint8::testing {

struct LayerPass
{
    std::vector<float> output, gradInput;
    std::vector<NamedValues> gradients; // the layer's parameter gradients (gradientsToHost)
    size_t scratchBytes = 0; // what the pass's LayerScratch grew to
};

// `beforeBackward` runs between the two passes (e.g. to set a gradient clip).
inline LayerPass forwardBackward(Backend &backend, Layer &layer, const std::vector<float> &x,
                                 const std::vector<float> &gradOutput, int rows,
                                 const std::function<void()> &beforeBackward = {})
{
    LayerScratch scratch(backend);
    LayerContext ctx{scratch, 11, 0, true};
    Tensor in = backend.allocate(1, int(x.size()), DType::F32, MemoryCategory::Activations);
    backend.upload(in, x.data(), x.size() * sizeof(float));
    Tensor codes = backend.allocate(1, int(x.size()), DType::S8, MemoryCategory::Activations);
    Tensor scale = backend.allocate(1, 1, DType::F32, MemoryCategory::Activations);
    const Activation act{in.f32(), codes.s8(), scale.f32()};
    Tensor out = backend.allocate(1, int(gradOutput.size()), DType::F32, MemoryCategory::Activations);
    layer.forward({&act, 1}, rows, out.f32(), ctx);
    Tensor g = backend.allocate(1, int(gradOutput.size()), DType::F32, MemoryCategory::Gradients);
    backend.upload(g, gradOutput.data(), gradOutput.size() * sizeof(float));
    Tensor gradIn = backend.allocate(1, int(x.size()), DType::F32, MemoryCategory::Gradients);
    float *gradInputs[] = {gradIn.f32()};
    if (beforeBackward)
        beforeBackward();
    layer.backward(LayerBackward{{&act, 1}, out.f32(), g.f32(), gradInputs, rows}, ctx);
    LayerPass pass;
    pass.output.resize(gradOutput.size());
    backend.download(out, pass.output.data(), pass.output.size() * sizeof(float));
    pass.gradInput.resize(x.size());
    backend.download(gradIn, pass.gradInput.data(), x.size() * sizeof(float));
    pass.gradients = layer.gradientsToHost();
    pass.scratchBytes = scratch.bytes();
    return pass;
}

} // namespace ffint8::testing
