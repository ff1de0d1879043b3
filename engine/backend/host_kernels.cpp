// The element-wise ops of the host backends over row ranges (see host_kernels.h).
#include "engine/backend/host_kernels.h"

#include "engine/core/bf16.h"
#include "engine/core/counter_rng.h"

#include <algorithm>
#include <cmath>
#include <cstring>
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

// Calls f(c0, c1, key, low) over the stretches of [0, cols) whose counters (counter + c) share
// their high word; within one, counterHash(seed, counter + c) = hash32((low + c) ^ key), a pure 32-bit
// loop that vectorises. A stretch ends at a 2^32 boundary, once in billions of values.
template <class F> void forCounterStretches(uint64_t seed, uint64_t counter, int cols, F f)
{
    int c = 0;
    while (c < cols) {
        const uint64_t first = counter + uint64_t(c);
        const int end = int(std::min<uint64_t>(uint64_t(cols), uint64_t(c) + (0x100000000ull - (first & 0xFFFFFFFFull))));
        const uint32_t key = hash32(uint32_t(seed) ^ hash32(uint32_t(seed >> 32) ^ uint32_t(first >> 32) * 0x9E3779B9u));
        f(c, end, key, uint32_t(first) - uint32_t(c));
        c = end;
    }
}

// q[c] = round(x[c] * factor[c] * inv) for one row, the rounding mode hoisted out of the loop.
template <Rounding R>
void quantiseSpan(const float *x, const float *factors, int cols, float inv, uint64_t seed, uint64_t counter, int8_t *q)
{
    forCounterStretches(seed, counter, cols, [&](int c0, int c1, uint32_t key, uint32_t low) {
        // Locals, not the captured references: an int8_t store may alias anything, so the compiler
        // would reload every captured pointer after each store and give up on vectorising.
        const float *xs = x, *fs = factors;
        int8_t *qs = q;
        const float scale = inv;
        for (int c = c0; c < c1; ++c) {
            float v = (fs ? xs[c] * fs[c] : xs[c]) * scale;
            v = std::clamp(v, -127.0f, 127.0f);
            if constexpr (R == Rounding::Stochastic) {
                // floor(v + u) by truncation and a correction below zero: std::floor does not
                // vectorise without -ffast-math, integer conversion does.
                float y = v + float(int32_t(hash32((low + uint32_t(c)) ^ key) >> 8)) * (1.0f / 16777216.0f);
                int32_t t = int32_t(y);
                t -= float(t) > y ? 1 : 0;
                qs[c] = int8_t(std::min(t, 127));
            } else {
                qs[c] = int8_t(roundNearestEven(v));
            }
        }
    });
}

void quantiseSpan(Rounding r, const float *x, const float *factors, int cols, float inv, uint64_t seed,
                  uint64_t counter, int8_t *q)
{
    if (r == Rounding::Stochastic)
        quantiseSpan<Rounding::Stochastic>(x, factors, cols, inv, seed, counter, q);
    else
        quantiseSpan<Rounding::Nearest>(x, factors, cols, inv, seed, counter, q);
}

// A dot product with 16 running partial sums: the compiler keeps a float sum in program order
// (one add at a time, latency-bound) but vectorises independent lanes. The order is fixed, so every
// host backend gets the same bits.
float dot(const float *a, const float *b, int n)
{
    constexpr int kLanes = 16;
    float partial[kLanes] = {};
    int c = 0;
    for (; c + kLanes <= n; c += kLanes)
        for (int j = 0; j < kLanes; ++j)
            partial[j] += a[c + j] * b[c + j];
    for (int j = 0; c < n; ++c, ++j)
        partial[j] += a[c] * b[c];
    float sum = 0.0f;
    for (float p : partial)
        sum += p;
    return sum;
}

inline float softplus(float z) { return std::max(z, 0.0f) + std::log1p(std::exp(-std::abs(z))); }
inline float sigmoid(float z) { return 1.0f / (1.0f + std::exp(-z)); }

} // namespace

// max |x[c] * factors[c]| as the bits of non-negative floats, which order like unsigned integers:
// an integer max reduction vectorises where a float one (with its NaN and signed-zero rules) does not.
// A NaN compares above every number here, so it reaches the scale and the run's divergence check.
float maxAbsSpan(const float *x, const float *factors, int cols)
{
    uint32_t m = 0;
    for (int c = 0; c < cols; ++c) {
        float v = factors ? x[c] * factors[c] : x[c];
        uint32_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        m = std::max(m, bits & 0x7FFFFFFFu);
    }
    float result;
    std::memcpy(&result, &m, sizeof result);
    return result;
}

namespace {

void quantiseRow(const float *w, int cols, Rounding rounding, uint64_t seed, uint64_t counter, int8_t *q,
                 float *scale)
{
    float s = scaleForMax(maxAbsSpan(w, nullptr, cols));
    quantiseSpan(rounding, w, nullptr, cols, 1.0f / s, seed, counter, q);
    *scale = s;
}

} // namespace

float maxAbs(const float *x, int cols, int r0, int r1, const float *columnFactors)
{
    float m = 0.0f;
    for (int r = r0; r < r1; ++r)
        m = std::max(m, maxAbsSpan(x + size_t(r) * cols, columnFactors, cols));
    return m;
}

void quantiseRows(const QuantiseArgs &a, int r0, int r1, float tensorScale)
{
    for (int r = r0; r < r1; ++r) {
        const float *row = a.x + size_t(r) * a.cols;
        float scale = a.perRow ? scaleForMax(maxAbsSpan(row, a.columnFactors, a.cols)) : tensorScale;
        if (a.perRow)
            a.scales[r] = scale;
        quantiseSpan(a.rounding, row, a.columnFactors, a.cols, 1.0f / scale, a.seed,
                     a.counter + uint64_t(r) * uint64_t(a.cols), a.q + size_t(r) * a.cols);
    }
}

void dequantiseRows(const DequantiseArgs &a, int r0, int r1)
{
    const float sa = a.scaleA ? *a.scaleA : 1.0f;
    const float sb = a.scaleB && !a.scaleBPerColumn ? *a.scaleB : 1.0f;
    const float *columnScale = a.scaleBPerColumn ? a.scaleB : nullptr;
    for (int r = r0; r < r1; ++r) {
        const int32_t *acc = a.acc + size_t(r) * a.cols;
        float *y = a.y + size_t(r) * a.cols;
        if (columnScale) {
            for (int c = 0; c < a.cols; ++c)
                y[c] = float(acc[c]) * (sa * columnScale[c]);
        } else {
            for (int c = 0; c < a.cols; ++c)
                y[c] = float(acc[c]) * (sa * sb);
        }
    }
    biasActivationRows(a.y, a.cols, a.bias, a.relu, r0, r1);
}

void biasActivationRows(float *y, int cols, const float *bias, bool relu, int r0, int r1)
{
    if (!bias && !relu)
        return;
    for (int r = r0; r < r1; ++r) {
        float *row = y + size_t(r) * cols;
        if (bias) {
            for (int c = 0; c < cols; ++c)
                row[c] += bias[c];
        }
        if (relu) {
            for (int c = 0; c < cols; ++c)
                row[c] = std::max(row[c], 0.0f);
        }
    }
}

void lengthNormaliseRows(const float *x, int cols, float eps, float *out, float *norms, int r0, int r1)
{
    for (int r = r0; r < r1; ++r) {
        const float *row = x + size_t(r) * cols;
        float n = std::sqrt(dot(row, row, cols));
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
        float n = norms[r];
        float invD = 1.0f / (n + eps);
        float k = n > 0.0f ? dot(o, g, cols) / n : 0.0f;
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
        float g = dot(y, y, a.cols) * perUnit;
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
            float mask = !y || y[o + c] > 0.0f ? 1.0f : 0.0f;
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

void transposeS8(const int8_t *src, int rows, int cols, int8_t *dst, int c0, int c1)
{
    for (int c = c0; c < c1; ++c)
        for (int r = 0; r < rows; ++r)
            dst[size_t(c) * rows + r] = src[size_t(r) * cols + c];
}

namespace {

// Columns [c0, c1) of one row of the optimizer step. The gradient source, the optimizer and the
// state's storage are template parameters so that the inner loop has no branches and vectorises.
// `key` and `low` give the BF16 state's random bits (see forCounterStretches).
template <OptimizerKind Kind, bool Momentum, bool IntGradient, bool Bf16State>
void updateSpan(const UpdateArgs &a, float *w, size_t o, int c0, int c1, uint32_t key, uint32_t low,
                float gradScale, float stepSize, float invSqrtBc2)
{
    const float *g32 = a.grad.f32 + (IntGradient ? 0 : o);
    const int32_t *gi = a.grad.s32 + (IntGradient ? o : 0);
    float *m = a.state1 ? a.state1 + o : nullptr;
    float *v = a.state2 ? a.state2 + o : nullptr;
    uint16_t *m16 = a.state1Bf16 ? a.state1Bf16 + o : nullptr;
    uint16_t *v16 = a.state2Bf16 ? a.state2Bf16 + o : nullptr;
    const float wd = a.weightDecay, b1 = a.beta1, b2 = a.beta2, eps = a.epsilon, mu = a.momentum, lr = a.lr;
    for (int c = c0; c < c1; ++c) {
        float g = (IntGradient ? float(gi[c]) * gradScale : g32[c]) + wd * w[c];
        [[maybe_unused]] const uint32_t random = Bf16State ? hash32((low + uint32_t(c)) ^ key) : 0u;
        if constexpr (Kind == OptimizerKind::Adam) {
            float mc = b1 * (Bf16State ? bf16ToFloat(m16[c]) : m[c]) + (1.0f - b1) * g;
            float vc = b2 * (Bf16State ? bf16ToFloat(v16[c]) : v[c]) + (1.0f - b2) * g * g;
            if constexpr (Bf16State) {
                m16[c] = floatToBf16Stochastic(mc, random);
                v16[c] = floatToBf16Stochastic(vc, random >> 16);
            } else {
                m[c] = mc;
                v[c] = vc;
            }
            w[c] -= stepSize * mc / (std::sqrt(vc) * invSqrtBc2 + eps);
        } else if constexpr (Momentum) {
            float mc = mu * (Bf16State ? bf16ToFloat(m16[c]) : m[c]) + g;
            if constexpr (Bf16State)
                m16[c] = floatToBf16Stochastic(mc, random);
            else
                m[c] = mc;
            w[c] -= lr * mc;
        } else {
            w[c] -= lr * g;
        }
    }
}

template <OptimizerKind Kind, bool Momentum, bool IntGradient, bool Bf16State>
void updateRowsT(const UpdateArgs &a, int r0, int r1)
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
        if constexpr (Bf16State) {
            forCounterStretches(a.seed ^ kStateStream, a.counter + o, a.cols, [&](int c0, int c1, uint32_t key, uint32_t low) {
                updateSpan<Kind, Momentum, IntGradient, true>(a, w, o, c0, c1, key, low, gradScale, stepSize, invSqrtBc2);
            });
        } else {
            updateSpan<Kind, Momentum, IntGradient, false>(a, w, o, 0, a.cols, 0, 0, gradScale, stepSize, invSqrtBc2);
        }
        if (a.q && a.qPerRow)
            quantiseRow(w, a.cols, a.qRounding, a.seed, a.counter + o, a.q + o, a.qScales + r);
    }
}

template <OptimizerKind Kind, bool Momentum, bool IntGradient> void updateRowsState(const UpdateArgs &a, int r0, int r1)
{
    if (a.state1Bf16)
        updateRowsT<Kind, Momentum, IntGradient, true>(a, r0, r1);
    else
        updateRowsT<Kind, Momentum, IntGradient, false>(a, r0, r1);
}

template <OptimizerKind Kind, bool Momentum> void updateRowsGradient(const UpdateArgs &a, int r0, int r1)
{
    if (a.grad.s32)
        updateRowsState<Kind, Momentum, true>(a, r0, r1);
    else
        updateRowsState<Kind, Momentum, false>(a, r0, r1);
}

} // namespace

void updateRows(const UpdateArgs &a, int r0, int r1)
{
    if (a.optimizer == OptimizerKind::Adam)
        updateRowsGradient<OptimizerKind::Adam, true>(a, r0, r1);
    else if (a.state1 || a.state1Bf16)
        updateRowsGradient<OptimizerKind::Sgd, true>(a, r0, r1);
    else
        updateRowsGradient<OptimizerKind::Sgd, false>(a, r0, r1);
}

void softmaxCrossEntropyRows(const float *logits, int cols, const int32_t *labels, float lossScale, float *lossOut,
                             float *gradLogits, int r0, int r1)
{
    for (int r = r0; r < r1; ++r) {
        const float *z = logits + size_t(r) * cols;
        float *g = gradLogits + size_t(r) * cols;
        float top = *std::max_element(z, z + cols);
        double sum = 0.0;
        for (int c = 0; c < cols; ++c)
            sum += std::exp(double(z[c] - top));
        const int label = labels[r];
        // log-sum-exp shifted by the largest logit, so large logits do not overflow.
        if (lossOut)
            lossOut[r] = float(std::log(sum) - double(z[label] - top));
        for (int c = 0; c < cols; ++c)
            g[c] = lossScale * (float(std::exp(double(z[c] - top)) / sum) - (c == label ? 1.0f : 0.0f));
    }
}

void quantisationDots(const float *x, size_t begin, size_t end, float clip, double *sums)
{
    const float scale = scaleForMax(clip);
    const float inv = 1.0f / scale;
    double xq = 0.0, qq = 0.0;
    for (size_t i = begin; i < end; ++i) {
        float q = roundNearestEven(std::clamp(x[i] * inv, -127.0f, 127.0f));
        xq += double(x[i]) * q;
        qq += double(q) * q;
    }
    sums[0] += xq;
    sums[1] += qq;
}

double sumOfSquares(const float *x, size_t begin, size_t end)
{
    double sum = 0.0;
    for (size_t i = begin; i < end; ++i)
        sum += double(x[i]) * x[i];
    return sum;
}

} // namespace ffint8::hostkernels
