// The element-wise ops of the host backends over row ranges (see host_kernels.h).
#include "engine/backend/host_kernels.h"

#include "engine/core/counter_rng.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace ffint8::hostkernels {

namespace {

// Round half to even by the 1.5 * 2^23 trick: exact for |v| < 2^22 (ours are clamped to +-127 first)
// and, unlike std::nearbyint, always inlined and vectorised.
inline float roundNearestEven(float v)
{
    // Without -ffast-math the compiler keeps (v + kMagic) - kMagic as written.
    constexpr float kMagic = 12582912.0f;
    return (v + kMagic) - kMagic;
}

template <Rounding R> inline int8_t roundToInt8(float v, uint64_t seed, uint64_t counter)
{
    v = std::clamp(v, -127.0f, 127.0f);
    float r = R == Rounding::Stochastic ? std::floor(v + counterUniform(seed, counter)) : roundNearestEven(v);
    return int8_t(std::min(r, 127.0f));
}

// q[c] = round(x[c] * factor[c] * inv) for one row, the rounding mode hoisted out of the loop.
template <Rounding R>
void quantiseSpan(const float *x, const float *factors, int cols, float inv, uint64_t seed, uint64_t counter, int8_t *q)
{
    if (factors) {
        for (int c = 0; c < cols; ++c)
            q[c] = roundToInt8<R>(x[c] * factors[c] * inv, seed, counter + uint64_t(c));
    } else {
        for (int c = 0; c < cols; ++c)
            q[c] = roundToInt8<R>(x[c] * inv, seed, counter + uint64_t(c));
    }
}

void quantiseSpan(Rounding r, const float *x, const float *factors, int cols, float inv, uint64_t seed,
                  uint64_t counter, int8_t *q)
{
    if (r == Rounding::Stochastic)
        quantiseSpan<Rounding::Stochastic>(x, factors, cols, inv, seed, counter, q);
    else
        quantiseSpan<Rounding::Nearest>(x, factors, cols, inv, seed, counter, q);
}

inline float softplus(float z) { return std::max(z, 0.0f) + std::log1p(std::exp(-std::abs(z))); }
inline float sigmoid(float z) { return 1.0f / (1.0f + std::exp(-z)); }

void quantiseRow(const float *w, int cols, Rounding rounding, uint64_t seed, uint64_t counter, int8_t *q,
                 float *scale)
{
    float m = 0.0f;
    for (int c = 0; c < cols; ++c)
        m = std::max(m, std::abs(w[c]));
    float s = scaleForMax(m);
    quantiseSpan(rounding, w, nullptr, cols, 1.0f / s, seed, counter, q);
    *scale = s;
}

} // namespace

float maxAbs(const float *x, int cols, int r0, int r1, const float *columnFactors)
{
    float m = 0.0f;
    for (int r = r0; r < r1; ++r) {
        const float *row = x + size_t(r) * cols;
        if (columnFactors) {
            for (int c = 0; c < cols; ++c)
                m = std::max(m, std::abs(row[c] * columnFactors[c]));
        } else {
            for (int c = 0; c < cols; ++c)
                m = std::max(m, std::abs(row[c]));
        }
    }
    return m;
}

void quantiseRows(const QuantiseArgs &a, int r0, int r1, float tensorScale)
{
    for (int r = r0; r < r1; ++r) {
        const float *row = a.x + size_t(r) * a.cols;
        float scale = a.perRow ? scaleForMax(maxAbs(a.x, a.cols, r, r + 1, a.columnFactors)) : tensorScale;
        if (a.perRow)
            a.scales[r] = scale;
        quantiseSpan(a.rounding, row, a.columnFactors, a.cols, 1.0f / scale, a.seed,
                     a.counter + uint64_t(r) * uint64_t(a.cols), a.q + size_t(r) * a.cols);
    }
}

void dequantiseRows(const DequantiseArgs &a, int r0, int r1)
{
    float sa = a.scaleA ? *a.scaleA : 1.0f;
    for (int r = r0; r < r1; ++r) {
        const int32_t *acc = a.acc + size_t(r) * a.cols;
        float *y = a.y + size_t(r) * a.cols;
        for (int c = 0; c < a.cols; ++c) {
            float sb = a.scaleB ? a.scaleB[a.scaleBPerColumn ? c : 0] : 1.0f;
            float v = float(acc[c]) * (sa * sb) + (a.bias ? a.bias[c] : 0.0f);
            y[c] = a.relu ? std::max(v, 0.0f) : v;
        }
    }
}

void biasActivationRows(float *y, int cols, const float *bias, bool relu, int r0, int r1)
{
    for (int r = r0; r < r1; ++r) {
        float *row = y + size_t(r) * cols;
        for (int c = 0; c < cols; ++c) {
            float v = row[c] + (bias ? bias[c] : 0.0f);
            row[c] = relu ? std::max(v, 0.0f) : v;
        }
    }
}

void lengthNormaliseRows(const float *x, int cols, float eps, float *out, float *norms, int r0, int r1)
{
    for (int r = r0; r < r1; ++r) {
        const float *row = x + size_t(r) * cols;
        float ss = 0.0f;
        for (int c = 0; c < cols; ++c)
            ss += row[c] * row[c];
        float n = std::sqrt(ss);
        float inv = 1.0f / (n + eps);
        float *o = out + size_t(r) * cols;
        for (int c = 0; c < cols; ++c)
            o[c] = row[c] * inv;
        norms[r] = n;
    }
}

void lengthNormaliseBackwardRows(const float *out, const float *norms, const float *gradOut, int cols, float eps,
                                 float *gradIn, int r0, int r1)
{
    // With d = n + eps and o = x / d: dL/dx = g / d - o * (o . g) / n  (the second term vanishes at n = 0).
    for (int r = r0; r < r1; ++r) {
        const float *o = out + size_t(r) * cols;
        const float *g = gradOut + size_t(r) * cols;
        float dot = 0.0f;
        for (int c = 0; c < cols; ++c)
            dot += o[c] * g[c];
        float n = norms[r];
        float invD = 1.0f / (n + eps);
        float k = n > 0.0f ? dot / n : 0.0f;
        float *gi = gradIn + size_t(r) * cols;
        for (int c = 0; c < cols; ++c)
            gi[c] = g[c] * invD - o[c] * k;
    }
}

void ffLossRows(const FfLossArgs &a, int r0, int r1)
{
    float perUnit = a.goodness == Goodness::Mean ? 1.0f / float(a.cols) : 1.0f;
    for (int r = r0; r < r1; ++r) {
        const float *y = a.y + size_t(r) * a.cols;
        float ss = 0.0f;
        for (int c = 0; c < a.cols; ++c)
            ss += y[c] * y[c];
        float g = ss * perUnit;
        bool positive = r < a.positiveRows;
        // Positive rows want G above theta, negative rows below it.
        float z = positive ? a.theta - g : g - a.theta;
        float dLdG = positive ? -sigmoid(z) : sigmoid(z);
        if (a.goodnessOut)
            a.goodnessOut[r] = g;
        if (a.lossOut)
            a.lossOut[r] = softplus(z);
        if (a.gradY) {
            float k = a.lossScale * dLdG * 2.0f * perUnit;
            float *gy = a.gradY + size_t(r) * a.cols;
            for (int c = 0; c < a.cols; ++c)
                gy[c] = k * y[c];
        }
    }
}

void lookaheadCombineRows(const float *own, const float *later, const float *y, int cols, float lambda,
                          float *gradUpdate, float *gradPropagate, int r0, int r1)
{
    for (int r = r0; r < r1; ++r) {
        size_t o = size_t(r) * cols;
        for (int c = 0; c < cols; ++c) {
            float mask = y[o + c] > 0.0f ? 1.0f : 0.0f;
            float l = later ? later[o + c] : 0.0f;
            gradUpdate[o + c] = (own[o + c] + lambda * l) * mask;
            if (later && gradPropagate)
                gradPropagate[o + c] = (own[o + c] + l) * mask;
        }
    }
}

void reluBackwardRows(float *g, const float *y, int cols, int r0, int r1)
{
    for (int r = r0; r < r1; ++r) {
        size_t o = size_t(r) * cols;
        for (int c = 0; c < cols; ++c)
            g[o + c] = y[o + c] > 0.0f ? g[o + c] : 0.0f;
    }
}

void columnSums(const float *g, int rows, int cols, float alpha, float *out, int c0, int c1)
{
    for (int c = c0; c < c1; ++c)
        out[c] = 0.0f;
    for (int r = 0; r < rows; ++r) {
        const float *row = g + size_t(r) * cols;
        for (int c = c0; c < c1; ++c)
            out[c] += row[c];
    }
    for (int c = c0; c < c1; ++c)
        out[c] *= alpha;
}

namespace {

// One row of the optimizer step. The gradient source and the optimizer are template parameters so
// that the inner loop has no branches and vectorises.
template <OptimizerKind Kind, bool Momentum, bool IntGradient>
void updateRow(const UpdateArgs &a, float *w, size_t o, float gradScale, float stepSize, float invSqrtBc2)
{
    const float *g32 = a.grad.f32 + (IntGradient ? 0 : o);
    const int32_t *gi = a.grad.s32 + (IntGradient ? o : 0);
    float *m = a.state1 ? a.state1 + o : nullptr;
    float *v = a.state2 ? a.state2 + o : nullptr;
    const float wd = a.weightDecay, b1 = a.beta1, b2 = a.beta2, eps = a.epsilon, mu = a.momentum, lr = a.lr;
    for (int c = 0; c < a.cols; ++c) {
        float g = (IntGradient ? float(gi[c]) * gradScale : g32[c]) + wd * w[c];
        if constexpr (Kind == OptimizerKind::Adam) {
            float mc = m[c] = b1 * m[c] + (1.0f - b1) * g;
            float vc = v[c] = b2 * v[c] + (1.0f - b2) * g * g;
            w[c] -= stepSize * mc / (std::sqrt(vc) * invSqrtBc2 + eps);
        } else if constexpr (Momentum) {
            float mc = m[c] = mu * m[c] + g;
            w[c] -= lr * mc;
        } else {
            w[c] -= lr * g;
        }
    }
}

template <OptimizerKind Kind, bool Momentum, bool IntGradient> void updateRowsT(const UpdateArgs &a, int r0, int r1)
{
    const bool adam = Kind == OptimizerKind::Adam;
    const float bc1 = adam ? 1.0f - std::pow(a.beta1, float(a.step)) : 1.0f;
    const float bc2 = adam ? 1.0f - std::pow(a.beta2, float(a.step)) : 1.0f;
    const float stepSize = adam ? a.lr / bc1 : a.lr;
    const float invSqrtBc2 = adam ? 1.0f / std::sqrt(bc2) : 1.0f;
    const float gradScale = IntGradient ? (a.grad.scaleA ? *a.grad.scaleA : 1.0f) * (a.grad.scaleB ? *a.grad.scaleB : 1.0f) : 1.0f;
    thread_local std::vector<float> rowBuffer;
    if (!a.master)
        rowBuffer.resize(size_t(a.cols));

    for (int r = r0; r < r1; ++r) {
        size_t o = size_t(r) * a.cols;
        float *w = a.master ? a.master + o : rowBuffer.data();
        if (!a.master) {
            float s = a.qScales[r];
            for (int c = 0; c < a.cols; ++c)
                w[c] = float(a.q[o + c]) * s;
        }
        updateRow<Kind, Momentum, IntGradient>(a, w, o, gradScale, stepSize, invSqrtBc2);
        if (a.q && a.qPerRow)
            quantiseRow(w, a.cols, a.qRounding, a.seed, a.counter + o, a.q + o, a.qScales + r);
    }
}

template <OptimizerKind Kind, bool Momentum> void updateRowsGradient(const UpdateArgs &a, int r0, int r1)
{
    if (a.grad.s32)
        updateRowsT<Kind, Momentum, true>(a, r0, r1);
    else
        updateRowsT<Kind, Momentum, false>(a, r0, r1);
}

} // namespace

void updateRows(const UpdateArgs &a, int r0, int r1)
{
    if (a.optimizer == OptimizerKind::Adam)
        updateRowsGradient<OptimizerKind::Adam, true>(a, r0, r1);
    else if (a.state1)
        updateRowsGradient<OptimizerKind::Sgd, true>(a, r0, r1);
    else
        updateRowsGradient<OptimizerKind::Sgd, false>(a, r0, r1);
}

} // namespace ffint8::hostkernels
