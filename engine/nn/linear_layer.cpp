// A fully connected ReLU layer in FP32 or INT8.
#include "engine/nn/linear_layer.h"

#include "engine/core/error.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace ffint8 {

LinearLayer::LinearLayer(Backend &backend, int in, int out, const LayerOptions &options, SplitMix64 &initRng)
    : m_backend(backend), m_in(in), m_out(out), m_options(options)
{
    const bool int8 = options.precision == Precision::Int8;
    const bool keepFp32 = !int8 || options.masterWeights;
    const bool adam = options.optimizer == OptimizerKind::Adam;

    if (keepFp32)
        m_weights = backend.allocate(out, in, DType::F32, int8 ? MemoryCategory::MasterWeights : MemoryCategory::Weights);
    if (int8) {
        m_qWeights = backend.allocate(out, in, DType::S8, MemoryCategory::Weights);
        m_weightScales = backend.allocate(1, options.weightsPerChannel ? out : 1, DType::F32, MemoryCategory::Weights);
    }
    m_bias = backend.allocate(1, out, DType::F32, MemoryCategory::Weights);
    // The bias's state stays FP32 whatever the weights' is: it is a few kilobytes.
    const DType stateType = options.bf16State ? DType::BF16 : DType::F32;
    if (adam || options.momentum > 0.0f) {
        m_state1 = backend.allocate(out, in, stateType, MemoryCategory::OptimizerState);
        m_biasState1 = backend.allocate(1, out, DType::F32, MemoryCategory::OptimizerState);
        backend.fillZero(m_state1);
        backend.fillZero(m_biasState1);
    }
    if (int8 && options.clippedGradients)
        m_gradientClip = backend.allocate(1, 1, DType::F32, MemoryCategory::Workspace);
    if (adam) {
        m_state2 = backend.allocate(out, in, stateType, MemoryCategory::OptimizerState);
        m_biasState2 = backend.allocate(1, out, DType::F32, MemoryCategory::OptimizerState);
        backend.fillZero(m_state2);
        backend.fillZero(m_biasState2);
    }

    // PyTorch's nn.Linear initialisation, U(-1/sqrt(in), 1/sqrt(in)), so results compare with its ports.
    const float bound = 1.0f / std::sqrt(float(in));
    std::vector<float> w(static_cast<size_t>(out) * in), b(static_cast<size_t>(out));
    for (float &v : w)
        v = (2.0f * initRng.uniform() - 1.0f) * bound;
    for (float &v : b)
        v = (2.0f * initRng.uniform() - 1.0f) * bound;
    setParameters(w, b);
}

void LinearLayer::setParameters(const std::vector<float> &weights, const std::vector<float> &bias)
{
    if (weights.size() != size_t(m_out) * m_in || bias.size() != size_t(m_out))
        throw EngineError("layer " + std::to_string(m_in) + " -> " + std::to_string(m_out) + ": parameters of size " +
                          std::to_string(weights.size()) + " + " + std::to_string(bias.size()) + " do not fit");
    m_backend.upload(m_bias, bias.data(), bias.size() * sizeof(float));
    if (!m_weights.empty())
        m_backend.upload(m_weights, weights.data(), weights.size() * sizeof(float));
    if (m_options.precision == Precision::Int8) {
        if (m_weights.empty()) {
            // No master copy: quantise the given weights straight from a temporary upload.
            Tensor staging = m_backend.allocate(m_out, m_in, DType::F32, MemoryCategory::Workspace);
            m_backend.upload(staging, weights.data(), weights.size() * sizeof(float));
            QuantiseArgs q;
            q.x = staging.f32();
            q.rows = m_out;
            q.cols = m_in;
            q.perRow = m_options.weightsPerChannel;
            q.rounding = Rounding::Nearest;
            q.q = m_qWeights.s8();
            q.scales = m_weightScales.f32();
            m_backend.quantise(q);
        } else {
            requantiseWeights();
        }
    }
}

void LinearLayer::requantiseWeights()
{
    QuantiseArgs q;
    q.x = m_weights.f32();
    q.rows = m_out;
    q.cols = m_in;
    q.perRow = m_options.weightsPerChannel;
    q.rounding = Rounding::Nearest;
    q.q = m_qWeights.s8();
    q.scales = m_weightScales.f32();
    m_backend.quantise(q);
}

void LinearLayer::forward(const LayerInput &input, int rows, float *output, LayerWorkspace &ws, uint64_t seed,
                          uint64_t &counter)
{
    if (m_options.precision == Precision::Fp32) {
        m_backend.gemmF32(Trans::No, Trans::Yes, rows, m_out, m_in, 1.0f, input.x, m_in, m_weights.f32(), m_in, 0.0f,
                          output, m_out);
        m_backend.biasActivation(output, rows, m_out, m_bias.f32(), m_options.relu);
        return;
    }
    QuantiseArgs q;
    q.x = input.x;
    q.rows = rows;
    q.cols = m_in;
    q.rounding = m_options.activationRounding;
    q.seed = seed;
    q.counter = counter;
    q.q = input.q;
    q.scales = input.scale;
    m_backend.quantise(q);
    counter += uint64_t(rows) * m_in;

    m_backend.gemmS8S8S32(Trans::No, Trans::Yes, rows, m_out, m_in, input.q, m_in, m_qWeights.s8(), m_in,
                          ws.accumulators.s32(), m_out);
    DequantiseArgs d;
    d.acc = ws.accumulators.s32();
    d.rows = rows;
    d.cols = m_out;
    d.scaleA = input.scale;
    d.scaleB = m_weightScales.f32();
    d.scaleBPerColumn = m_options.weightsPerChannel;
    d.bias = m_bias.f32();
    d.relu = m_options.relu;
    d.y = output;
    m_backend.dequantise(d);
}

void LinearLayer::inputGradient(const float *gradZ, int rows, float *gradInput, LayerWorkspace &ws, uint64_t seed,
                                uint64_t &counter)
{
    if (m_options.precision == Precision::Fp32) {
        m_backend.gemmF32(Trans::No, Trans::No, rows, m_in, m_out, 1.0f, gradZ, m_out, m_weights.f32(), m_in, 0.0f,
                          gradInput, m_in);
        return;
    }
    // Per-channel weight scales sit on the reduction dimension here, so they are folded into gradZ
    // before it is quantised; a per-tensor weight scale is applied after the GEMM instead.
    float *gradScale = ws.scales.f32();
    quantiseOutputGradient(gradZ, rows, m_options.weightsPerChannel ? m_weightScales.f32() : nullptr, gradScale, ws,
                           seed, counter);

    m_backend.gemmS8S8S32(Trans::No, Trans::No, rows, m_in, m_out, ws.quantGrad.s8(), m_out, m_qWeights.s8(), m_in,
                          ws.accumulators.s32(), m_in);
    DequantiseArgs d;
    d.acc = ws.accumulators.s32();
    d.rows = rows;
    d.cols = m_in;
    d.scaleA = gradScale;
    d.scaleB = m_options.weightsPerChannel ? nullptr : m_weightScales.f32();
    d.y = gradInput;
    m_backend.dequantise(d);
}

LayerGradient LayerGradient::allocate(Backend &backend, size_t weightCount, int biasCount, bool int8)
{
    LayerGradient g;
    g.weights = backend.allocate(1, int(weightCount), int8 ? DType::S32 : DType::F32, MemoryCategory::Gradients);
    g.bias = backend.allocate(1, biasCount, DType::F32, MemoryCategory::Gradients);
    g.scales = backend.allocate(1, 1, DType::F32, MemoryCategory::Gradients);
    return g;
}

void LinearLayer::setGradientClip(float clip)
{
    if (m_gradientClip.empty())
        throw EngineError("setGradientClip: layer " + std::to_string(m_in) + " -> " + std::to_string(m_out) +
                          " was not built with clipped gradients");
    m_backend.upload(m_gradientClip, &clip, sizeof clip);
}

void LinearLayer::quantiseOutputGradient(const float *gradZ, int rows, const float *columnFactors, float *scale,
                                         LayerWorkspace &ws, uint64_t seed, uint64_t &counter)
{
    QuantiseArgs q;
    q.x = gradZ;
    q.rows = rows;
    q.cols = m_out;
    q.rounding = m_options.gradientRounding;
    q.seed = seed;
    q.counter = counter;
    q.columnFactors = columnFactors;
    q.clip = m_gradientClip.empty() ? nullptr : m_gradientClip.f32();
    q.q = ws.quantGrad.s8();
    q.scales = scale;
    m_backend.quantise(q);
    counter += uint64_t(rows) * m_out;
}

void LinearLayer::weightGradientRows(const float *gradZ, const LayerInput &input, int rows, int r0, int n,
                                     LayerGradient &gradient, LayerWorkspace &ws, bool transposed)
{
    // dW[r0 .. r0+n) = gradZ^T[r0 .. r0+n) * input, reduced over the batch: column r0 of gradZ
    // (leading dimension m_out) is row r0 of gradZ^T.
    if (m_options.precision == Precision::Int8 && transposed) {
        m_backend.gemmS8S8S32(Trans::No, Trans::Yes, n, m_in, rows, ws.transposedGrad.s8() + size_t(r0) * rows, rows,
                              ws.transposedInput.s8(), rows, gradient.weights.s32(), m_in);
        gradient.inputScale = input.scale;
    } else if (m_options.precision == Precision::Int8) {
        m_backend.gemmS8S8S32(Trans::Yes, Trans::No, n, m_in, rows, ws.quantGrad.s8() + r0, m_out, input.q, m_in,
                              gradient.weights.s32(), m_in);
        gradient.inputScale = input.scale;
    } else {
        m_backend.gemmF32(Trans::Yes, Trans::No, n, m_in, rows, 1.0f, gradZ + r0, m_out, input.x, m_in, 0.0f,
                          gradient.weights.f32(), m_in);
    }
}

void LinearLayer::weightGradient(const float *gradZ, const LayerInput &input, int rows, LayerGradient &gradient,
                                 LayerWorkspace &ws, uint64_t seed, uint64_t &counter)
{
    if (m_options.precision == Precision::Int8)
        quantiseOutputGradient(gradZ, rows, nullptr, gradient.scales.f32(), ws, seed, counter);
    weightGradientRows(gradZ, input, rows, 0, m_out, gradient, ws);
    m_backend.columnSums(gradZ, rows, m_out, 1.0f, gradient.bias.f32());
}

void LinearLayer::applyWeightRows(const LayerGradient &gradient, int r0, int n, const OptimizerStep &step,
                                  uint64_t seed, uint64_t counter)
{
    const size_t offset = size_t(r0) * m_in;
    auto at = [offset](auto *p) { return p ? p + offset : nullptr; };
    auto f32 = [](Tensor &t) { return t.empty() || t.dtype() != DType::F32 ? nullptr : t.f32(); };
    auto bf16 = [](Tensor &t) { return t.empty() || t.dtype() != DType::BF16 ? nullptr : t.bf16(); };
    UpdateArgs u;
    u.rows = n;
    u.cols = m_in;
    u.master = at(m_weights.empty() ? nullptr : m_weights.f32());
    u.state1 = at(f32(m_state1));
    u.state2 = at(f32(m_state2));
    u.state1Bf16 = at(bf16(m_state1));
    u.state2Bf16 = at(bf16(m_state2));
    u.optimizer = m_options.optimizer;
    u.lr = step.lr;
    u.momentum = step.momentum;
    u.weightDecay = step.weightDecay;
    u.step = step.step;
    u.seed = seed;
    u.counter = counter + offset;
    if (m_options.precision == Precision::Int8) {
        u.grad.s32 = gradient.weights.s32();
        u.grad.scaleA = gradient.scales.f32();
        u.grad.scaleB = gradient.inputScale;
        u.q = at(m_qWeights.s8());
        u.qScales = m_weightScales.f32() + (m_options.weightsPerChannel ? r0 : 0);
        u.qPerRow = m_options.weightsPerChannel;
        // Without a master copy an update is mostly smaller than one INT8 step: only stochastic
        // rounding lets it move the weight on average.
        u.qRounding = u.master ? m_options.weightRounding : Rounding::Stochastic;
    } else {
        u.grad.f32 = gradient.weights.f32();
    }
    m_backend.updateParameters(u);
}

void LinearLayer::applyBias(const LayerGradient &gradient, const OptimizerStep &step)
{
    UpdateArgs b;
    b.rows = 1;
    b.cols = m_out;
    b.master = m_bias.f32();
    b.grad.f32 = gradient.bias.f32();
    b.state1 = m_biasState1.empty() ? nullptr : m_biasState1.f32();
    b.state2 = m_biasState2.empty() ? nullptr : m_biasState2.f32();
    b.optimizer = m_options.optimizer;
    b.lr = step.lr;
    b.momentum = step.momentum;
    b.step = step.step;
    m_backend.updateParameters(b);
}

void LinearLayer::applyGradient(const LayerGradient &gradient, const OptimizerStep &step, uint64_t seed,
                                uint64_t &counter)
{
    applyWeightRows(gradient, 0, m_out, step, seed, counter);
    counter += uint64_t(m_out) * m_in;
    applyBias(gradient, step);
}

void LinearLayer::update(const float *gradZ, const LayerInput &input, int rows, const OptimizerStep &step,
                         LayerGradient &gradient, LayerWorkspace &ws, uint64_t seed, uint64_t &counter)
{
    const int blockRows = gradientBlockRows(m_in, m_out, gradient.weights.count());
    if (blockRows >= m_out) {
        weightGradient(gradZ, input, rows, gradient, ws, seed, counter);
        applyGradient(gradient, step, seed, counter);
        return;
    }
    if (blockRows == 0 || (m_options.precision == Precision::Int8 && !m_options.weightsPerChannel))
        throw EngineError("layer " + std::to_string(m_in) + " -> " + std::to_string(m_out) + ": a gradient buffer of " +
                          std::to_string(gradient.weights.count()) +
                          " values is too small for one weight row, or the layer's per-tensor INT8 weights need "
                          "their whole gradient at once");
    // The same quantised output gradient (one per-tensor scale) and the same random counters as
    // the unblocked update: blocking changes the memory, not the result.
    const size_t transposedValues = size_t(rows) * size_t(std::max(m_in, m_out));
    const bool transposed = m_options.precision == Precision::Int8 && ws.transposedGrad.count() >= transposedValues &&
                            ws.transposedInput.count() >= transposedValues;
    if (m_options.precision == Precision::Int8)
        quantiseOutputGradient(gradZ, rows, nullptr, gradient.scales.f32(), ws, seed, counter);
    if (transposed) {
        m_backend.transposeS8(ws.quantGrad.s8(), rows, m_out, ws.transposedGrad.s8());
        m_backend.transposeS8(input.q, rows, m_in, ws.transposedInput.s8());
    }
    for (int r0 = 0; r0 < m_out; r0 += blockRows) {
        const int n = std::min(blockRows, m_out - r0);
        weightGradientRows(gradZ, input, rows, r0, n, gradient, ws, transposed);
        applyWeightRows(gradient, r0, n, step, seed, counter);
    }
    counter += uint64_t(m_out) * m_in;
    m_backend.columnSums(gradZ, rows, m_out, 1.0f, gradient.bias.f32());
    applyBias(gradient, step);
}

std::vector<float> LinearLayer::weightsToHost()
{
    std::vector<float> w(size_t(m_out) * m_in);
    if (!m_weights.empty()) {
        m_backend.download(m_weights, w.data(), w.size() * sizeof(float));
        return w;
    }
    std::vector<int8_t> q(w.size());
    std::vector<float> s(static_cast<size_t>(m_weightScales.cols()));
    m_backend.download(m_qWeights, q.data(), q.size());
    m_backend.download(m_weightScales, s.data(), s.size() * sizeof(float));
    for (int r = 0; r < m_out; ++r)
        for (int c = 0; c < m_in; ++c)
            w[size_t(r) * m_in + c] = float(q[size_t(r) * m_in + c]) * s[s.size() == 1 ? 0 : size_t(r)];
    return w;
}

std::vector<float> LinearLayer::biasToHost()
{
    std::vector<float> b(static_cast<size_t>(m_out));
    m_backend.download(m_bias, b.data(), b.size() * sizeof(float));
    return b;
}

} // namespace ffint8
