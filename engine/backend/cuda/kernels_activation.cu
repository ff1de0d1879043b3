// Kernels of the activations besides ReLU (ReLU6, SiLU, sigmoid) and of dropout: one thread per
// value, the host kernels' arithmetic operation by operation (no contraction), so ReLU6 and dropout
// give the host's bits and SiLU and sigmoid differ only by expf's last bits.
#include "engine/backend/cuda/device_common.cuh"
#include "engine/core/counter_rng.h"

namespace ffint8::cuda {

namespace {

__device__ inline float sigmoidOf(float x)
{
    return __fdiv_rn(1.0f, __fadd_rn(1.0f, expf(-x)));
}

__global__ void pointwiseForwardKernel(PointwiseFunction f, const float *x, size_t n, float *y)
{
    for (size_t i = globalThread(); i < n; i += gridThreads()) {
        const float v = x[i];
        switch (f) {
        case PointwiseFunction::Relu6:
            y[i] = v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v);
            break;
        case PointwiseFunction::Silu:
            y[i] = __fmul_rn(v, sigmoidOf(v));
            break;
        case PointwiseFunction::Sigmoid:
            y[i] = sigmoidOf(v);
            break;
        }
    }
}

__global__ void pointwiseBackwardKernel(PointwiseFunction f, const float *x, const float *y, const float *gradY,
                                        size_t n, float *gradX)
{
    for (size_t i = globalThread(); i < n; i += gridThreads()) {
        switch (f) {
        case PointwiseFunction::Relu6:
            gradX[i] = y[i] > 0.0f && y[i] < 6.0f ? gradY[i] : 0.0f;
            break;
        case PointwiseFunction::Silu: {
            const float s = sigmoidOf(x[i]);
            const float slope = __fadd_rn(s, __fmul_rn(x[i], __fmul_rn(s, __fsub_rn(1.0f, s))));
            gradX[i] = __fmul_rn(gradY[i], slope);
            break;
        }
        case PointwiseFunction::Sigmoid:
            gradX[i] = __fmul_rn(gradY[i], __fmul_rn(y[i], __fsub_rn(1.0f, y[i])));
            break;
        }
    }
}

__global__ void dropoutKernel(const float *x, size_t n, float rate, uint64_t seed, uint64_t counter, float *y)
{
    const float scale = __fdiv_rn(1.0f, __fsub_rn(1.0f, rate));
    for (size_t i = globalThread(); i < n; i += gridThreads())
        y[i] = counterUniform(seed, counter + i) >= rate ? __fmul_rn(x[i], scale) : 0.0f;
}

} // namespace

void launchPointwiseForward(Stream s, PointwiseFunction f, const float *x, int rows, int cols, float *y)
{
    const size_t n = size_t(rows) * size_t(cols);
    if (n == 0)
        return;
    pointwiseForwardKernel<<<blocksFor(n), kThreads, 0, s.stream>>>(f, x, n, y);
    FFINT8_LAUNCHED(s, "pointwiseForwardKernel");
}

void launchPointwiseBackward(Stream s, PointwiseFunction f, const float *x, const float *y, const float *gradY,
                             int rows, int cols, float *gradX)
{
    const size_t n = size_t(rows) * size_t(cols);
    if (n == 0)
        return;
    pointwiseBackwardKernel<<<blocksFor(n), kThreads, 0, s.stream>>>(f, x, y, gradY, n, gradX);
    FFINT8_LAUNCHED(s, "pointwiseBackwardKernel");
}

void launchDropout(Stream s, const float *x, int rows, int cols, float rate, uint64_t seed, uint64_t counter,
                   float *y)
{
    const size_t n = size_t(rows) * size_t(cols);
    if (n == 0)
        return;
    dropoutKernel<<<blocksFor(n), kThreads, 0, s.stream>>>(x, n, rate, seed, counter, y);
    FFINT8_LAUNCHED(s, "dropoutKernel");
}

} // namespace ffint8::cuda
