// A 2-D convolution over NHWC images (kernel, stride, padding, groups) in FP32 or INT8, as one GEMM
// per group over im2col's columns: the output [batch * outH * outW x outChannels] is the NHWC
// output itself. A depthwise convolution (groups = in channels = out channels) takes the backend's
// depthwise ops instead, with no im2col: its GEMMs would be one per channel, each of one output
// column, and its columns kernel area times the input. The INT8 path is LinearLayer's (Fig. 4 of the paper): the input quantised per
// tensor with stochastic rounding, then im2col of its codes; weights per output channel; the output
// gradient quantised to INT8 for the input and weight gradients; INT32 accumulators dequantised.
#pragma once

#include "engine/core/counter_rng.h"
#include "engine/nn/layer.h"
#include "engine/nn/parameter.h"

#include <memory>
#include <vector>

namespace ffint8 {

struct ConvOptions
{
    int outChannels = 1;
    int kernel = 3;
    int stride = 1;
    int padding = 0;
    int groups = 1;
    bool bias = true;
};

class Conv2d : public Layer
{
public:
    // LayerOptions::relu fuses a ReLU into the output (set it false before a batch norm);
    // clippedGradients (INT8 with per-tensor weights only) quantises output gradients with the clip
    // of setGradientClip().
    Conv2d(Backend &backend, std::string name, Shape input, const ConvOptions &conv, const LayerOptions &options,
           SplitMix64 &initRng);
    // The output shape for `input`; EngineError naming the layer and both shapes when it does not fit.
    static Shape outputShape(const std::string &name, const Shape &input, const ConvOptions &conv);
    using Layer::outputShape;

    const char *kind() const override { return "conv2d"; }
    bool needsInputCodes() const override { return m_int8; }
    bool clipsGradients() const override { return !m_gradientClip.empty(); }
    void setGradientClip(float clip) override;
    void forward(std::span<const Activation> inputs, int rows, float *output, LayerContext &ctx) override;
    void backward(const LayerBackward &args, LayerContext &ctx) override;
    void update(const OptimizerStep &step, LayerContext &ctx) override;
    size_t parameterCount() const override;
    size_t macsPerImage() const override;
    std::vector<NamedValues> exportState() override;
    void importState(const std::vector<NamedValues> &state) override;
    std::vector<NamedValues> gradientsToHost() override;
    std::vector<LayerGemm> gemms(int rows, bool inputGradient) const override;
    // False: a depthwise layer takes im2col and the grouped GEMMs as any other convolution does (the
    // same results: see Backend::depthwiseConvF32), so that tests and the depthwise benchmark can
    // compare the two paths in one layer.
    void setDepthwiseOps(bool on) { m_depthwiseOps = on; }

protected:
    // For Linear: a kernel of 1 over a flat input, under another kind's name.
    Conv2d(Backend &backend, std::string name, Shape input, Shape output, const ConvOptions &conv,
           const LayerOptions &options, SplitMix64 &initRng);

private:
    WindowGeometry geometry(int rows) const;
    // A 1x1 kernel with stride 1 and no padding: im2col is the identity and is skipped.
    bool pointwise() const { return m_conv.kernel == 1 && m_conv.stride == 1 && m_conv.padding == 0; }
    // One filter per channel, through the backend's depthwise ops (a single channel stays one GEMM).
    bool depthwise() const
    {
        return m_depthwiseOps && m_conv.groups > 1 && m_conv.groups == inputShape().channels
            && m_conv.groups == m_conv.outChannels;
    }
    int outputPixels(int rows) const { return rows * outputShape().height * outputShape().width; }
    // The batch in chunks of images (first image, count) whose columns fit kColumnBytes: the
    // scratch of im2col, its GEMMs' accumulators and the input gradient's columns then stay the
    // same size whatever the batch. Each output row depends on its own image alone, so chunks
    // change no value of the forward pass or the input gradient.
    struct Chunk
    {
        int first = 0, count = 0;
    };
    std::vector<Chunk> chunks(int rows) const;
    // im2col of the input (scratch), or the input itself for a pointwise convolution.
    const float *columns(const float *x, int rows, LayerContext &ctx);
    const int8_t *columnCodes(const int8_t *codes, int rows, LayerContext &ctx);
    // Backend::quantise per tensor with the step's random stream (advanced by rows x cols), values
    // beyond `clip` (one value, or null) saturated.
    void quantise(const float *x, int rows, int cols, Rounding rounding, const float *columnFactors, int8_t *codes,
                  float *scale, LayerContext &ctx, const float *clip = nullptr);
    // The output gradient's codes (scratch) for `m` output pixels.
    const int8_t *quantiseGradient(const float *gradZ, int m, const float *columnFactors, float *scale,
                                   LayerContext &ctx);
    // The output gradient's codes for the input gradient, with per-channel weight scales folded in (they
    // sit on its reduction dimension, as in LinearLayer::inputGradient); `d` gets the scales that
    // dequantise the result.
    const int8_t *inputGradientCodes(const float *gradZ, int m, DequantiseArgs &d, LayerContext &ctx);
    void inputGradient(const float *gradZ, int rows, float *gradInput, LayerContext &ctx);
    void depthwiseInputGradient(const float *gradZ, int rows, float *gradInput, LayerContext &ctx);
    void weightGradient(const float *gradZ, const Activation &in, int rows, LayerContext &ctx);

    ConvOptions m_conv;
    LayerOptions m_options;
    bool m_int8;
    int m_columns; // kernel * kernel * in channels: one im2col row
    int m_groupColumns; // m_columns / groups: the reduction of one group's GEMM
    int m_groupOut; // out channels / groups
    Parameter m_weights; // out x m_groupColumns
    std::unique_ptr<Parameter> m_bias;
    bool m_depthwiseOps = true;
    Tensor m_gradientClip; // F32, 1 value (clippedGradients only)
};

} // namespace ffint8
