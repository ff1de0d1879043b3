// The optimizer step (SGD, SGD with momentum, Adam) fused with the per-row re-quantisation of the
// INT8 weights: one block per weight row, so the row's new scale is known before it is rounded.
#include "engine/backend/cuda/device_common.cuh"
#include "engine/core/bf16.h"
#include "engine/core/counter_rng.h"

#include <cmath>

namespace ffint8::cuda {

namespace {

struct UpdateConstants
{
    float stepSize;   // lr / (1 - beta1^t) for Adam, lr otherwise
    float invSqrtBc2; // 1 / sqrt(1 - beta2^t) for Adam
};

// The arithmetic of hostkernels::updateSpan, term by term, the BF16 state's random bits included.
template <OptimizerKind Kind, bool Momentum, bool IntGradient, bool Bf16State>
__device__ inline float step(const UpdateArgs &a, size_t i, float w, float gradScale, UpdateConstants k)
{
    const float g = (IntGradient ? float(a.grad.s32[i]) * gradScale : a.grad.f32[i]) + a.weightDecay * w;
    const uint32_t random = Bf16State ? counterHash(a.seed ^ kStateStream, a.counter + i) : 0u;
    if (Kind == OptimizerKind::Adam) {
        const float m = a.beta1 * (Bf16State ? bf16ToFloat(a.state1Bf16[i]) : a.state1[i]) + (1.0f - a.beta1) * g;
        const float v = a.beta2 * (Bf16State ? bf16ToFloat(a.state2Bf16[i]) : a.state2[i]) + (1.0f - a.beta2) * g * g;
        if (Bf16State) {
            a.state1Bf16[i] = floatToBf16Stochastic(m, random);
            a.state2Bf16[i] = floatToBf16Stochastic(v, random >> 16);
        } else {
            a.state1[i] = m;
            a.state2[i] = v;
        }
        return w - k.stepSize * m / (sqrtf(v) * k.invSqrtBc2 + a.epsilon);
    } else if (Momentum) {
        const float m = a.momentum * (Bf16State ? bf16ToFloat(a.state1Bf16[i]) : a.state1[i]) + g;
        if (Bf16State)
            a.state1Bf16[i] = floatToBf16Stochastic(m, random);
        else
            a.state1[i] = m;
        return w - a.lr * m;
    }
    return w - a.lr * g;
}

template <OptimizerKind Kind, bool Momentum, bool IntGradient, bool Bf16State>
__global__ void updateKernel(UpdateArgs a, UpdateConstants k, float *rowScratch)
{
    const int r = blockIdx.x;
    const size_t o = size_t(r) * size_t(a.cols);
    const float gradScale =
        IntGradient ? (a.grad.scaleA ? *a.grad.scaleA : 1.0f) * (a.grad.scaleB ? *a.grad.scaleB : 1.0f) : 1.0f;
    // Without a master copy the row is dequantised from INT8, updated in the scratch row and rounded back.
    float *w = a.master ? a.master + o : rowScratch + o;
    const float oldScale = a.master ? 0.0f : a.qScales[r];
    unsigned m = 0;
    for (int c = threadIdx.x; c < a.cols; c += blockDim.x) {
        const float before = a.master ? w[c] : float(a.q[o + c]) * oldScale;
        const float after = step<Kind, Momentum, IntGradient, Bf16State>(a, o + c, before, gradScale, k);
        w[c] = after;
        m = max(m, absBits(after));
    }
    if (!a.q || !a.qPerRow)
        return;
    const float scale = scaleForMax(__uint_as_float(blockMax(m))); // blockMax syncs: the row is complete
    const float inv = 1.0f / scale;
    const bool stochastic = a.qRounding == Rounding::Stochastic;
    for (int c = threadIdx.x; c < a.cols; c += blockDim.x) {
        float v = w[c] * inv;
        v = v < -127.0f ? -127.0f : (127.0f < v ? 127.0f : v);
        a.q[o + c] = stochastic ? roundStochasticInt8(v, counterUniform(a.seed, a.counter + o + c)) : roundNearestInt8(v);
    }
    if (threadIdx.x == 0)
        a.qScales[r] = scale;
}

template <OptimizerKind Kind, bool Momentum, bool Bf16State>
void launchWithState(Stream s, const UpdateArgs &a, UpdateConstants k, float *rowScratch)
{
    auto kernel = a.grad.s32 ? updateKernel<Kind, Momentum, true, Bf16State> : updateKernel<Kind, Momentum, false, Bf16State>;
    kernel<<<a.rows, kThreads, 0, s.stream>>>(a, k, rowScratch);
    FFINT8_LAUNCHED(s, "updateKernel");
}

template <OptimizerKind Kind, bool Momentum>
void launchFor(Stream s, const UpdateArgs &a, UpdateConstants k, float *rowScratch)
{
    if (a.state1Bf16)
        launchWithState<Kind, Momentum, true>(s, a, k, rowScratch);
    else
        launchWithState<Kind, Momentum, false>(s, a, k, rowScratch);
}

} // namespace

void launchUpdate(Stream s, const UpdateArgs &a, float *rowScratch)
{
    if (a.rows == 0 || a.cols == 0)
        return;
    // The bias corrections in single precision on the host, exactly as hostkernels::updateRowsT.
    const bool adam = a.optimizer == OptimizerKind::Adam;
    const float bc1 = adam ? 1.0f - std::pow(a.beta1, float(a.step)) : 1.0f;
    const float bc2 = adam ? 1.0f - std::pow(a.beta2, float(a.step)) : 1.0f;
    const UpdateConstants k{adam ? a.lr / bc1 : a.lr, adam ? 1.0f / std::sqrt(bc2) : 1.0f};
    if (adam)
        launchFor<OptimizerKind::Adam, true>(s, a, k, rowScratch);
    else if (a.state1 || a.state1Bf16)
        launchFor<OptimizerKind::Sgd, true>(s, a, k, rowScratch);
    else
        launchFor<OptimizerKind::Sgd, false>(s, a, k, rowScratch);
}

} // namespace ffint8::cuda
