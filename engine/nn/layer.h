// The engine's layer interface: one node of a model graph (convolution, batch norm, pooling, ...)
// with its shapes, forward pass, backward pass to its inputs and parameters, optimizer update,
// state for model files, and the GEMMs and MACs it costs. Activations are NHWC row-major matrices
// [batch x shape.features()]: one contiguous row per example.
#pragma once

#include "engine/backend/backend.h"
#include "engine/nn/layer_options.h"
#include "engine/nn/layer_scratch.h"
#include "engine/nn/shape.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ffint8 {

// One input of a layer as its forward pass saw it. The caller owns these buffers and keeps them
// from forward() to backward(): FP32 values, and for an INT8 layer with weights
// (Layer::needsInputCodes) the INT8 codes and per-tensor scale that forward() quantises them to and
// the weight gradient reads again. In evaluation the codes and scale may be null (scratch is used).
struct Activation
{
    const float *values = nullptr;
    int8_t *codes = nullptr;
    float *scale = nullptr; // one value
};

// What a step's calls share: the scratch of the network, the stream of stochastic rounding
// (counter is advanced by every value drawn, as LinearLayer does) and the mode (batch norm uses
// batch statistics and pooling keeps its argmax only in training).
struct LayerContext
{
    LayerScratch &scratch;
    uint64_t seed = 0;
    uint64_t counter = 0;
    bool training = true;
    // A training forward pass that repeats the last one (same rows, same counter) to rebuild its
    // activations: layers leave the state that pass updated alone (batch norm's running statistics).
    bool replay = false;
};

// The arguments of Layer::backward: the forward pass's inputs and output, dL/d(output), and where
// dL/d(input) goes for each input (null where the caller does not need it). gradInputs may be the
// gradOutput buffer itself only for layers whose inPlace() says so.
struct LayerBackward
{
    std::span<const Activation> inputs;
    const float *output = nullptr;
    const float *gradOutput = nullptr;
    std::span<float *const> gradInputs;
    int rows = 0;
    // False: only the input gradients (FF's pass to a unit's input); the parameters' gradient of
    // the previous backward stays, and no random value is drawn for it.
    bool weightGradients = true;
};

// One GEMM a layer issues, as it passes it to the backend (row-major, leading dimensions included).
struct LayerGemm
{
    std::string what; // "forward", "input gradient", "weight gradient"
    Trans ta = Trans::No, tb = Trans::No;
    int m = 0, n = 0, k = 0;
    int lda = 0, ldb = 0;
    bool int8 = false;
    int repeats = 1; // identical calls (one per group of a grouped convolution)
};

// A named tensor of a layer's parameters or state, as model files store it.
struct NamedValues
{
    std::string name;
    std::vector<float> values;
};

class Layer
{
public:
    Layer(Backend &backend, std::string name, std::vector<Shape> inputs, Shape output);
    virtual ~Layer() = default;
    Layer(const Layer &) = delete;
    Layer &operator=(const Layer &) = delete;

    virtual const char *kind() const = 0; // "conv2d", "batch_norm", ...
    const std::string &name() const { return m_name; }
    const std::vector<Shape> &inputShapes() const { return m_inputs; }
    Shape inputShape() const { return m_inputs.front(); }
    Shape outputShape() const { return m_output; }

    // INT8 layers with weights: forward() quantises each input into its Activation's codes/scale.
    virtual bool needsInputCodes() const { return false; }
    // forward() may write its output over its (single) input, and backward() its input gradient
    // over gradOutput.
    virtual bool inPlace() const { return false; }
    // INT8 layers built with LayerOptions::clippedGradients (BP-UI8): their output gradient is
    // quantised with a clipping value the trainer chooses before each backward().
    virtual bool clipsGradients() const { return false; }
    // The clipping value of the next backward()'s output-gradient quantisations; EngineError naming
    // the layer unless clipsGradients().
    virtual void setGradientClip(float clip);

    // output = f(inputs) for `rows` examples.
    virtual void forward(std::span<const Activation> inputs, int rows, float *output, LayerContext &ctx) = 0;
    // Input gradients where asked, and for a layer with parameters their gradient, kept in the layer
    // until update() (training mode only; with the current parameters, before update()).
    virtual void backward(const LayerBackward &args, LayerContext &ctx) = 0;
    // One optimizer step with the gradient of the last backward().
    virtual void update(const OptimizerStep &step, LayerContext &ctx)
    {
        (void)step;
        (void)ctx;
    }

    // Trained parameters (batch norm's running statistics are state, not parameters).
    virtual size_t parameterCount() const { return 0; }
    // Multiply-accumulates of one example's forward pass (the GEMMs').
    virtual size_t macsPerImage() const { return 0; }
    // Parameters and state as FP32 (INT8 weights without a master copy dequantised), and back.
    virtual std::vector<NamedValues> exportState() { return {}; }
    // Throws EngineError naming the layer and the tensor when a name is missing or unknown or a
    // size differs.
    virtual void importState(const std::vector<NamedValues> &state);
    // The parameters' gradients of the last backward() as FP32 (INT8 accumulators times their scales).
    virtual std::vector<NamedValues> gradientsToHost() { return {}; }
    // The GEMMs of one training step over `rows` examples in the order they are issued: forward,
    // then the input gradient (when inputGradient) and the weight gradient.
    virtual std::vector<LayerGemm> gemms(int rows, bool inputGradient) const
    {
        (void)rows;
        (void)inputGradient;
        return {};
    }

protected:
    // "conv2d \"block1.conv\"": how messages name this layer.
    std::string label() const;
    // The single input of a one-input layer (EngineError when called with another count).
    const Activation &singleInput(std::span<const Activation> inputs) const;
    // The values of `tensor` in `state`, which must hold `count` of them.
    const std::vector<float> &stateValues(const std::vector<NamedValues> &state, const std::string &tensor,
                                          size_t count) const;
    // Refuses names in `state` that are not in `known`.
    void checkStateNames(const std::vector<NamedValues> &state, const std::vector<std::string> &known) const;

    Backend &m_backend;

private:
    std::string m_name;
    std::vector<Shape> m_inputs;
    Shape m_output;
};

// The window of a convolution or pooling over `rows` examples of `input`.
WindowGeometry windowOver(const Shape &input, int rows, int kernelH, int kernelW, int stride, int padding);

// The message of an input that does not chain: the layer, the shape it got and the one it expects.
[[noreturn]] void throwShapeMismatch(const char *kind, const std::string &name, const Shape &given,
                                     const std::string &expected);

} // namespace ffint8
