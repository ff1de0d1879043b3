// A fully connected layer with ReLU, in FP32 or INT8: the GEMMs and quantisers differ, the rest
// (bias, activation, gradients, optimizer) is one code path.
#pragma once

#include "engine/backend/backend.h"
#include "engine/core/counter_rng.h"
#include "engine/nn/layer_options.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace ffint8 {

// A layer's input as the forward pass saw it: FP32 values, and for INT8 layers where the quantised
// copy and its scale go. The caller owns these buffers, so training keeps them per layer (they are
// needed again by update()) while evaluation reuses one scratch buffer.
struct LayerInput
{
    const float *x = nullptr;
    int8_t *q = nullptr;
    float *scale = nullptr;

    // FP32 layers have no INT8 buffers (empty tensors): their q and scale stay null.
    static LayerInput of(const float *x, Tensor &quantised, Tensor &scale)
    {
        return {x, quantised.empty() ? nullptr : quantised.s8(), scale.empty() ? nullptr : scale.f32()};
    }
};

// Scratch space shared by all layers of a network, sized for its widest layer.
struct LayerWorkspace
{
    Tensor accumulators; // S32, maxRows x max(width): GEMM outputs before dequantisation
    Tensor quantGrad;    // S8, maxRows x max(out): quantised output gradient
    Tensor scales;       // F32, 1 value: the quantised gradient's scale
    // S8, maxRows x max(width) each, or empty: the quantised output gradient and input transposed,
    // so that every block of a blocked INT8 weight gradient reads both operands in place (on the GPU
    // each block is then one matmul instead of two repacks and a matmul).
    Tensor transposedGrad, transposedInput;
};

// A layer's weight and bias gradient: FP32, or INT32 accumulators with the scales of their two
// INT8 operands. FF shares one, sized for the largest layer, because it updates each layer as soon
// as its local gradient exists; BP keeps one per layer until the backward pass ends.
struct LayerGradient
{
    Tensor weights; // F32 or S32, out x in (or larger)
    Tensor bias;    // F32, out (or larger)
    Tensor scales;  // F32, 1 value: the scale of the quantised output gradient (INT8 only)
    // The scale of the quantised input (INT8 only): it lives with the caller's LayerInput, which
    // must outlive the gradient's use in applyGradient().
    const float *inputScale = nullptr;

    static LayerGradient allocate(Backend &backend, size_t weightCount, int biasCount, bool int8);
};

class LinearLayer
{
public:
    LinearLayer(Backend &backend, int in, int out, const LayerOptions &options, SplitMix64 &initRng);

    int in() const { return m_in; }
    int out() const { return m_out; }
    Precision precision() const { return m_options.precision; }

    // output = ReLU(input W^T + b) for `rows` rows of (already normalised) input; the INT8 path
    // fills input.q and input.scale.
    void forward(const LayerInput &input, int rows, float *output, LayerWorkspace &ws, uint64_t seed,
                 uint64_t &counter);
    // gradInput = gradZ W with the current weights (call before update()).
    void inputGradient(const float *gradZ, int rows, float *gradInput, LayerWorkspace &ws, uint64_t seed,
                       uint64_t &counter);
    // Weight and bias gradients from gradZ = dL/dz and the input of that forward().
    void weightGradient(const float *gradZ, const LayerInput &input, int rows, LayerGradient &gradient,
                        LayerWorkspace &ws, uint64_t seed, uint64_t &counter);
    // One optimizer step with a gradient from weightGradient().
    void applyGradient(const LayerGradient &gradient, const OptimizerStep &step, uint64_t seed, uint64_t &counter);
    // Both of the above. A gradient buffer smaller than the layer's weights is used block by block:
    // each block of weight rows gets its gradient and its update before the next block's gradient
    // overwrites it (per-row INT8 scales or FP32 weights only; the result is the same either way).
    void update(const float *gradZ, const LayerInput &input, int rows, const OptimizerStep &step,
                LayerGradient &gradient, LayerWorkspace &ws, uint64_t seed, uint64_t &counter);
    // Output rows per block when update() works through a gradient buffer of `bufferValues` values:
    // the fewest blocks that fit, made as even as they can be (a 22-row remainder block ran its INT8
    // GEMM at a sixth of the rate of the others), the whole layer at most; 0 when not one row fits.
    static int gradientBlockRows(int in, int out, size_t bufferValues)
    {
        const int fit = int(std::min<size_t>(size_t(out), bufferValues / size_t(in)));
        if (fit == 0)
            return 0;
        const int blocks = (out + fit - 1) / fit;
        return (out + blocks - 1) / blocks;
    }
    // The clipping value for the next quantisations of output gradients (clippedGradients only).
    void setGradientClip(float clip);

    // Weights as FP32 (dequantised when only INT8 is kept), row-major out x in, and the bias.
    std::vector<float> weightsToHost();
    std::vector<float> biasToHost();
    void setParameters(const std::vector<float> &weights, const std::vector<float> &bias);

    size_t parameterCount() const { return size_t(m_in) * m_out + m_out; }

private:
    void requantiseWeights();
    // The output gradient quantised into ws.quantGrad with its scale (INT8 only); `columnFactors`
    // folds per-channel weight scales in for the input-gradient GEMM (null for the weight gradient).
    void quantiseOutputGradient(const float *gradZ, int rows, const float *columnFactors, float *scale,
                                LayerWorkspace &ws, uint64_t seed, uint64_t &counter);
    // Rows [r0, r0 + n) of dW into the start of gradient.weights, from the quantised output gradient
    // (INT8) or gradZ (FP32).
    // `transposed`: the INT8 operands are read from ws.transposedGrad and ws.transposedInput.
    void weightGradientRows(const float *gradZ, const LayerInput &input, int rows, int r0, int n,
                            LayerGradient &gradient, LayerWorkspace &ws, bool transposed = false);
    // The optimizer step for weight rows [r0, r0 + n) whose gradient starts at gradient.weights;
    // `counter` is the one of the whole layer's update, so every row draws what it would unblocked.
    void applyWeightRows(const LayerGradient &gradient, int r0, int n, const OptimizerStep &step, uint64_t seed,
                         uint64_t counter);
    void applyBias(const LayerGradient &gradient, const OptimizerStep &step);

    Backend &m_backend;
    int m_in;
    int m_out;
    LayerOptions m_options;

    Tensor m_weights;      // F32 (FP32 layers, or the master copy) out x in
    Tensor m_qWeights;     // S8 out x in (INT8 layers)
    Tensor m_weightScales; // F32, out values or 1
    Tensor m_bias;         // F32 out
    Tensor m_state1, m_state2, m_biasState1, m_biasState2;
    Tensor m_gradientClip; // F32, 1 value (clippedGradients only)
};

} // namespace ffint8
