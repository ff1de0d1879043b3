// The host backends' row kernels of the activations besides ReLU (ReLU6, SiLU, sigmoid) and of
// dropout, declared in host_layer_kernels.h.
#include "engine/backend/host_layer_kernels.h"

#include "engine/core/counter_rng.h"

#include <cmath>

namespace ffint8::hostkernels {

namespace {

float sigmoid(float x)
{
    return 1.0f / (1.0f + std::exp(-x));
}

float forwardValue(PointwiseFunction f, float x)
{
    switch (f) {
    case PointwiseFunction::Relu6:
        // Comparisons rather than min/max, so that a NaN passes through and a diverging run is seen.
        return x < 0.0f ? 0.0f : (x > 6.0f ? 6.0f : x);
    case PointwiseFunction::Silu:
        return x * sigmoid(x);
    case PointwiseFunction::Sigmoid:
        return sigmoid(x);
    }
    return x;
}

} // namespace

void pointwiseForwardRows(PointwiseFunction f, const float *x, int cols, float *y, int r0, int r1)
{
    const size_t begin = size_t(r0) * cols, end = size_t(r1) * cols;
    for (size_t i = begin; i < end; ++i)
        y[i] = forwardValue(f, x[i]);
}

void pointwiseBackwardRows(PointwiseFunction f, const float *x, const float *y, const float *gradY, int cols,
                           float *gradX, int r0, int r1)
{
    const size_t begin = size_t(r0) * cols, end = size_t(r1) * cols;
    switch (f) {
    case PointwiseFunction::Relu6:
        for (size_t i = begin; i < end; ++i)
            gradX[i] = y[i] > 0.0f && y[i] < 6.0f ? gradY[i] : 0.0f;
        return;
    case PointwiseFunction::Silu:
        for (size_t i = begin; i < end; ++i) {
            const float s = sigmoid(x[i]);
            gradX[i] = gradY[i] * (s + x[i] * (s * (1.0f - s)));
        }
        return;
    case PointwiseFunction::Sigmoid:
        for (size_t i = begin; i < end; ++i)
            gradX[i] = gradY[i] * (y[i] * (1.0f - y[i]));
        return;
    }
}

void dropoutRows(const float *x, int cols, float rate, uint64_t seed, uint64_t counter, float *y, int r0, int r1)
{
    const float scale = 1.0f / (1.0f - rate);
    const size_t begin = size_t(r0) * cols, end = size_t(r1) * cols;
    for (size_t i = begin; i < end; ++i)
        y[i] = counterUniform(seed, counter + i) >= rate ? x[i] * scale : 0.0f;
}

} // namespace ffint8::hostkernels
