// The convolution layer: im2col + one GEMM per group, or the depthwise ops, in FP32 or INT8.
#include "engine/nn/conv2d.h"

#include "engine/core/error.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ffint8 {

namespace {

// The most bytes of FP32 columns (or INT32 accumulators) one chunk of a convolution's batch uses
// (Conv2d::chunks): small beside a CNN's activations, and still thousands of GEMM rows a chunk.
constexpr size_t kColumnBytes = size_t(16) << 20;

const char *kKind = "conv2d";

} // namespace

Shape Conv2d::outputShape(const std::string &name, const Shape &input, const ConvOptions &conv)
{
    const bool settings = conv.outChannels > 0 && conv.kernel > 0 && conv.stride > 0 && conv.padding >= 0
        && conv.groups > 0 && conv.outChannels % conv.groups == 0;
    if (!settings)
        throw EngineError(std::string(kKind) + " \"" + name + "\": " + std::to_string(conv.outChannels)
                          + " output channels, kernel " + std::to_string(conv.kernel) + ", stride "
                          + std::to_string(conv.stride) + ", padding " + std::to_string(conv.padding) + " in "
                          + std::to_string(conv.groups) + " groups is not a convolution");
    const int reach = conv.kernel - 2 * conv.padding; // the smallest image side one window fits in
    if (input.channels <= 0 || input.channels % conv.groups != 0 || input.height < reach || input.width < reach)
        throwShapeMismatch(kKind, name, input,
                           "channels divisible by " + std::to_string(conv.groups) + " groups and at least "
                               + std::to_string(std::max(reach, 1)) + "x" + std::to_string(std::max(reach, 1))
                               + " pixels (Cx" + std::to_string(std::max(reach, 1)) + "x"
                               + std::to_string(std::max(reach, 1)) + " or larger) for a " + std::to_string(conv.kernel)
                               + "x" + std::to_string(conv.kernel) + " kernel with padding "
                               + std::to_string(conv.padding));
    const int h = (input.height + 2 * conv.padding - conv.kernel) / conv.stride + 1;
    const int w = (input.width + 2 * conv.padding - conv.kernel) / conv.stride + 1;
    return Shape::image(conv.outChannels, h, w);
}

Conv2d::Conv2d(Backend &backend, std::string name, Shape input, const ConvOptions &conv, const LayerOptions &options,
               SplitMix64 &initRng)
    : Conv2d(backend, name, input, outputShape(name, input, conv), conv, options, initRng)
{
}

Conv2d::Conv2d(Backend &backend, std::string name, Shape input, Shape output, const ConvOptions &conv,
               const LayerOptions &options, SplitMix64 &initRng)
    : Layer(backend, std::move(name), {input}, output),
      m_conv(conv),
      m_options(options),
      m_int8(options.precision == Precision::Int8),
      m_columns(conv.kernel * conv.kernel * input.channels),
      m_groupColumns(m_columns / conv.groups),
      m_groupOut(conv.outChannels / conv.groups),
      m_weights(backend, conv.outChannels, m_groupColumns, Parameter::weightsOf(options))
{
    if (options.clippedGradients) {
        // The clip bounds one per-tensor scale; per-channel weight scales fold into the gradient's
        // columns, where one clipping value would mean a different clip for every column.
        if (!m_int8 || options.weightsPerChannel)
            throw EngineError(label() + ": clipped gradients need INT8 with per-tensor weights");
        m_gradientClip = backend.allocate(1, 1, DType::F32, MemoryCategory::Workspace);
        setGradientClip(std::numeric_limits<float>::infinity()); // none until the trainer chooses one
    }
    if (conv.bias)
        m_bias = std::make_unique<Parameter>(backend, 1, conv.outChannels, Parameter::vectorOf(options));
    // PyTorch's default initialisation of nn.Conv2d and nn.Linear, U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    // for weights and bias, with fan_in the inputs of one output (kernel area x in channels / groups).
    const float bound = 1.0f / std::sqrt(float(m_groupColumns));
    std::vector<float> w(m_weights.count());
    for (float &v : w)
        v = (2.0f * initRng.uniform() - 1.0f) * bound;
    m_weights.setHost(w);
    if (m_bias) {
        std::vector<float> b(static_cast<size_t>(conv.outChannels));
        for (float &v : b)
            v = (2.0f * initRng.uniform() - 1.0f) * bound;
        m_bias->setHost(b);
    }
}

WindowGeometry Conv2d::geometry(int rows) const
{
    return windowOver(inputShape(), rows, m_conv.kernel, m_conv.kernel, m_conv.stride, m_conv.padding);
}

std::vector<Conv2d::Chunk> Conv2d::chunks(int rows) const
{
    const size_t perImage = size_t(outputPixels(1)) * size_t(std::max(m_columns, m_conv.outChannels)) * sizeof(float);
    const int images = int(std::clamp<size_t>(kColumnBytes / std::max<size_t>(perImage, 1), 1, size_t(rows)));
    std::vector<Chunk> list;
    for (int first = 0; first < rows; first += images)
        list.push_back({first, std::min(images, rows - first)});
    return list;
}

const float *Conv2d::columns(const float *x, int rows, LayerContext &ctx)
{
    if (pointwise())
        return x;
    float *cols = ctx.scratch.f32(LayerScratch::Columns, size_t(outputPixels(rows)) * m_columns);
    m_backend.im2colF32(x, geometry(rows), m_conv.groups, cols);
    return cols;
}

const int8_t *Conv2d::columnCodes(const int8_t *codes, int rows, LayerContext &ctx)
{
    if (pointwise())
        return codes;
    int8_t *cols = ctx.scratch.s8(LayerScratch::ColumnCodes, size_t(outputPixels(rows)) * m_columns);
    m_backend.im2colS8(codes, geometry(rows), m_conv.groups, cols);
    return cols;
}

void Conv2d::setGradientClip(float clip)
{
    if (m_gradientClip.empty())
        Layer::setGradientClip(clip);
    m_backend.upload(m_gradientClip, &clip, sizeof clip);
}

void Conv2d::quantise(const float *x, int rows, int cols, Rounding rounding, const float *columnFactors, int8_t *codes,
                      float *scale, LayerContext &ctx, const float *clip)
{
    QuantiseArgs q;
    q.x = x;
    q.rows = rows;
    q.cols = cols;
    q.rounding = rounding;
    q.seed = ctx.seed;
    q.counter = ctx.counter;
    q.columnFactors = columnFactors;
    q.q = codes;
    q.scales = scale;
    q.clip = clip;
    m_backend.quantise(q);
    ctx.counter += uint64_t(rows) * uint64_t(cols);
}

const int8_t *Conv2d::quantiseGradient(const float *gradZ, int m, const float *columnFactors, float *scale,
                                       LayerContext &ctx)
{
    int8_t *codes = ctx.scratch.s8(LayerScratch::GradientCodes, size_t(m) * m_conv.outChannels);
    quantise(gradZ, m, m_conv.outChannels, m_options.gradientRounding, columnFactors, codes, scale, ctx,
             m_gradientClip.empty() ? nullptr : m_gradientClip.f32());
    return codes;
}

void Conv2d::forward(std::span<const Activation> inputs, int rows, float *output, LayerContext &ctx)
{
    const Activation &in = singleInput(inputs);
    const int m = outputPixels(rows), cout = m_conv.outChannels;
    const float *bias = m_bias ? m_bias->values() : nullptr;
    if (!m_int8) {
        if (depthwise()) {
            m_backend.depthwiseConvF32(in.values, geometry(rows), m_weights.values(), output);
        } else {
            for (const Chunk &chunk : chunks(rows)) {
                const int mc = outputPixels(chunk.count);
                const float *cols = columns(in.values + size_t(chunk.first) * inputShape().features(), chunk.count, ctx);
                float *out = output + size_t(outputPixels(chunk.first)) * cout;
                for (int g = 0; g < m_conv.groups; ++g)
                    m_backend.gemmF32(Trans::No, Trans::Yes, mc, m_groupOut, m_groupColumns, 1.0f,
                                      cols + g * m_groupColumns, m_columns,
                                      m_weights.values() + size_t(g) * m_groupOut * m_groupColumns, m_groupColumns,
                                      0.0f, out + g * m_groupOut, cout);
            }
        }
        m_backend.biasActivation(output, m, cout, bias, m_options.relu);
        return;
    }
    const size_t inputValues = size_t(rows) * inputShape().features();
    int8_t *codes = in.codes ? in.codes : ctx.scratch.s8(LayerScratch::InputCodes, inputValues);
    float *scale = in.scale ? in.scale : ctx.scratch.f32(LayerScratch::Scales, 1);
    // One scale for the whole batch, then the chunks' GEMMs over its codes.
    quantise(in.values, rows, inputShape().features(), m_options.activationRounding, nullptr, codes, scale, ctx);
    DequantiseArgs d;
    d.cols = cout;
    d.scaleA = scale;
    d.scaleB = m_weights.scales();
    d.scaleBPerColumn = m_weights.perRow();
    d.bias = bias;
    d.relu = m_options.relu;
    if (depthwise()) {
        int32_t *acc = ctx.scratch.s32(LayerScratch::Accumulators, size_t(m) * cout);
        m_backend.depthwiseConvS8(codes, geometry(rows), m_weights.codes(), acc);
        d.acc = acc;
        d.rows = m;
        d.y = output;
        m_backend.dequantise(d);
        return;
    }
    for (const Chunk &chunk : chunks(rows)) {
        const int mc = outputPixels(chunk.count);
        int32_t *acc = ctx.scratch.s32(LayerScratch::Accumulators, size_t(mc) * cout);
        const int8_t *cols = columnCodes(codes + size_t(chunk.first) * inputShape().features(), chunk.count, ctx);
        for (int g = 0; g < m_conv.groups; ++g)
            m_backend.gemmS8S8S32(Trans::No, Trans::Yes, mc, m_groupOut, m_groupColumns, cols + g * m_groupColumns,
                                  m_columns, m_weights.codes() + size_t(g) * m_groupOut * m_groupColumns,
                                  m_groupColumns, acc + g * m_groupOut, cout);
        d.acc = acc;
        d.rows = mc;
        d.y = output + size_t(outputPixels(chunk.first)) * cout;
        m_backend.dequantise(d);
    }
}

void Conv2d::backward(const LayerBackward &args, LayerContext &ctx)
{
    const Activation &in = singleInput(args.inputs);
    if (args.gradInputs.size() != 1)
        throw EngineError(label() + ": backward takes 1 input gradient, given "
                          + std::to_string(args.gradInputs.size()));
    if (m_int8 && (!in.codes || !in.scale))
        throw EngineError(label() + ": an INT8 backward pass needs the input codes and scale its forward pass kept");
    const int m = outputPixels(args.rows), cout = m_conv.outChannels;
    const float *gradZ = args.gradOutput;
    if (m_options.relu) {
        float *g = ctx.scratch.f32(LayerScratch::OutputGradient, size_t(m) * cout);
        m_backend.addTensors(args.gradOutput, nullptr, m, cout, false, g);
        m_backend.reluBackward(g, args.output, m, cout);
        gradZ = g;
    }
    if (args.gradInputs[0])
        inputGradient(gradZ, args.rows, args.gradInputs[0], ctx);
    if (args.weightGradients)
        weightGradient(gradZ, in, args.rows, ctx);
}

const int8_t *Conv2d::inputGradientCodes(const float *gradZ, int m, DequantiseArgs &d, LayerContext &ctx)
{
    const bool perChannel = m_weights.perRow();
    float *scale = ctx.scratch.f32(LayerScratch::Scales, 1);
    const int8_t *codes = quantiseGradient(gradZ, m, perChannel ? m_weights.scales() : nullptr, scale, ctx);
    d.scaleA = scale;
    d.scaleB = perChannel ? nullptr : m_weights.scales();
    return codes;
}

void Conv2d::inputGradient(const float *gradZ, int rows, float *gradInput, LayerContext &ctx)
{
    if (depthwise()) {
        depthwiseInputGradient(gradZ, rows, gradInput, ctx);
        return;
    }
    const int m = outputPixels(rows), cout = m_conv.outChannels;
    // INT8: one scale for the whole batch's gradient, then the chunks' GEMMs over its codes.
    DequantiseArgs d;
    const int8_t *codes = m_int8 ? inputGradientCodes(gradZ, m, d, ctx) : nullptr;
    for (const Chunk &chunk : chunks(rows)) {
        const int mc = outputPixels(chunk.count);
        const size_t firstPixel = size_t(outputPixels(chunk.first));
        float *gradInputChunk = gradInput + size_t(chunk.first) * inputShape().features();
        float *gradCols = pointwise() ? gradInputChunk
                                      : ctx.scratch.f32(LayerScratch::GradientColumns, size_t(mc) * m_columns);
        if (!m_int8) {
            for (int g = 0; g < m_conv.groups; ++g)
                m_backend.gemmF32(Trans::No, Trans::No, mc, m_groupColumns, m_groupOut, 1.0f,
                                  gradZ + firstPixel * cout + g * m_groupOut, cout,
                                  m_weights.values() + size_t(g) * m_groupOut * m_groupColumns, m_groupColumns, 0.0f,
                                  gradCols + g * m_groupColumns, m_columns);
        } else {
            int32_t *acc = ctx.scratch.s32(LayerScratch::Accumulators, size_t(mc) * m_columns);
            for (int g = 0; g < m_conv.groups; ++g)
                m_backend.gemmS8S8S32(Trans::No, Trans::No, mc, m_groupColumns, m_groupOut,
                                      codes + firstPixel * cout + g * m_groupOut, cout,
                                      m_weights.codes() + size_t(g) * m_groupOut * m_groupColumns, m_groupColumns,
                                      acc + g * m_groupColumns, m_columns);
            d.acc = acc;
            d.rows = mc;
            d.cols = m_columns;
            d.y = gradCols;
            m_backend.dequantise(d);
        }
        if (!pointwise())
            m_backend.col2imF32(gradCols, geometry(chunk.count), m_conv.groups, gradInputChunk);
    }
}

void Conv2d::depthwiseInputGradient(const float *gradZ, int rows, float *gradInput, LayerContext &ctx)
{
    const WindowGeometry g = geometry(rows);
    if (!m_int8) {
        m_backend.depthwiseConvInputGradientF32(gradZ, g, m_weights.values(), gradInput);
        return;
    }
    // The INT32 sums of every window's products dequantised once, where the GEMM path dequantises
    // each product's column and col2im adds them in FP32: the same value, rounded once instead.
    DequantiseArgs d;
    const int8_t *codes = inputGradientCodes(gradZ, outputPixels(rows), d, ctx);
    const int pixels = rows * inputShape().height * inputShape().width;
    int32_t *acc = ctx.scratch.s32(LayerScratch::Accumulators, size_t(pixels) * inputShape().channels);
    m_backend.depthwiseConvInputGradientS8(codes, g, m_weights.codes(), acc);
    d.acc = acc;
    d.rows = pixels;
    d.cols = inputShape().channels;
    d.y = gradInput;
    m_backend.dequantise(d);
}

void Conv2d::weightGradient(const float *gradZ, const Activation &in, int rows, LayerContext &ctx)
{
    const int m = outputPixels(rows), cout = m_conv.outChannels;
    if (m_bias)
        m_backend.columnSums(gradZ, m, cout, 1.0f, m_bias->gradient());
    if (!m_int8 && depthwise()) {
        m_backend.depthwiseConvWeightGradientF32(in.values, gradZ, geometry(rows), m_weights.gradient());
        return;
    }
    if (!m_int8) {
        // dW of group g = gradZ^T (its columns) x its im2col columns, reduced over every output
        // pixel: the chunks' products added up in FP32.
        bool first = true;
        for (const Chunk &chunk : chunks(rows)) {
            const int mc = outputPixels(chunk.count);
            const size_t firstPixel = size_t(outputPixels(chunk.first));
            const float *cols = columns(in.values + size_t(chunk.first) * inputShape().features(), chunk.count, ctx);
            for (int g = 0; g < m_conv.groups; ++g)
                m_backend.gemmF32(Trans::Yes, Trans::No, m_groupOut, m_groupColumns, mc, 1.0f,
                                  gradZ + firstPixel * cout + g * m_groupOut, cout, cols + g * m_groupColumns,
                                  m_columns, first ? 0.0f : 1.0f,
                                  m_weights.gradient() + size_t(g) * m_groupOut * m_groupColumns, m_groupColumns);
            first = false;
        }
        return;
    }
    const int8_t *codes = quantiseGradient(gradZ, m, nullptr, m_weights.gradientScales(), ctx);
    // The input's scale is copied next to the gradient's, so the update does not depend on the
    // caller keeping the input's scale alive until then.
    m_backend.addTensors(in.scale, nullptr, 1, 1, false, m_weights.gradientScales() + 1);
    if (depthwise()) {
        m_backend.depthwiseConvWeightGradientS8(in.codes, codes, geometry(rows), m_weights.gradientAccumulators());
        return;
    }
    const int8_t *cols = columnCodes(in.codes, rows, ctx);
    for (int g = 0; g < m_conv.groups; ++g)
        m_backend.gemmS8S8S32(Trans::Yes, Trans::No, m_groupOut, m_groupColumns, m, codes + g * m_groupOut, cout,
                              cols + g * m_groupColumns, m_columns,
                              m_weights.gradientAccumulators() + size_t(g) * m_groupOut * m_groupColumns,
                              m_groupColumns);
}

void Conv2d::update(const OptimizerStep &step, LayerContext &ctx)
{
    m_weights.update(step, ctx.seed, ctx.counter);
    if (m_bias)
        m_bias->update(step, ctx.seed, ctx.counter);
}

size_t Conv2d::parameterCount() const
{
    return m_weights.count() + (m_bias ? m_bias->count() : 0);
}

size_t Conv2d::macsPerImage() const
{
    return size_t(outputShape().height) * outputShape().width * m_conv.outChannels * m_groupColumns;
}

std::vector<NamedValues> Conv2d::exportState()
{
    std::vector<NamedValues> state{{"weight", m_weights.toHost()}};
    if (m_bias)
        state.push_back({"bias", m_bias->toHost()});
    return state;
}

void Conv2d::importState(const std::vector<NamedValues> &state)
{
    checkStateNames(state, m_bias ? std::vector<std::string>{"weight", "bias"} : std::vector<std::string>{"weight"});
    m_weights.setHost(stateValues(state, "weight", m_weights.count()));
    if (m_bias)
        m_bias->setHost(stateValues(state, "bias", m_bias->count()));
}

std::vector<NamedValues> Conv2d::gradientsToHost()
{
    std::vector<NamedValues> g{{"weight", m_weights.gradientToHost()}};
    if (m_bias)
        g.push_back({"bias", m_bias->gradientToHost()});
    return g;
}

std::vector<LayerGemm> Conv2d::gemms(int rows, bool inputGradient) const
{
    if (depthwise())
        return {};
    const int cout = m_conv.outChannels, groups = m_conv.groups;
    // The chunks (chunks()): all of one size but the last, which may be smaller.
    const std::vector<Chunk> parts = chunks(rows);
    std::vector<std::pair<int, int>> sizes; // (output pixels of a chunk, chunks of that size)
    for (const Chunk &c : parts)
        if (sizes.empty() || sizes.back().first != outputPixels(c.count))
            sizes.push_back({outputPixels(c.count), 1});
        else
            ++sizes.back().second;
    std::vector<LayerGemm> list;
    for (const auto &[mc, count] : sizes)
        list.push_back({"forward", Trans::No, Trans::Yes, mc, m_groupOut, m_groupColumns, m_columns, m_groupColumns,
                        m_int8, groups * count});
    if (inputGradient)
        for (const auto &[mc, count] : sizes)
            list.push_back({"input gradient", Trans::No, Trans::No, mc, m_groupColumns, m_groupOut, cout,
                            m_groupColumns, m_int8, groups * count});
    // INT8's weight gradient is one GEMM over the batch: its INT32 sums are not added across chunks.
    if (m_int8)
        list.push_back({"weight gradient", Trans::Yes, Trans::No, m_groupOut, m_groupColumns, outputPixels(rows), cout,
                        m_columns, m_int8, groups});
    else
        for (const auto &[mc, count] : sizes)
            list.push_back({"weight gradient", Trans::Yes, Trans::No, m_groupOut, m_groupColumns, mc, cout, m_columns,
                            m_int8, groups * count});
    return list;
}

} // namespace ffint8
