// The layer ops of the host backends (im2col, col2im, depthwise convolution, batch norm, pooling,
// element-wise add) over ranges of rows or channels, as host_kernels.h does for the FF ops: the
// reference backend runs each over the whole range in one go, the cpu backend splits the range
// across threads. Every value depends only on its own row or channel, so both give the same bits.
#pragma once

#include "engine/backend/backend.h"

#include <cmath>

namespace ffint8::hostkernels {

// Output rows [r0, r1) of im2col, a row being one (image, output row) pair: r = n * outHeight + oh.
void im2colRows(const float *x, const WindowGeometry &g, int groups, float *cols, int r0, int r1);
void im2colRows(const int8_t *x, const WindowGeometry &g, int groups, int8_t *cols, int r0, int r1);
// Image rows [r0, r1) of col2im, r = n * height + h.
void col2imRows(const float *cols, const WindowGeometry &g, int groups, float *gradX, int r0, int r1);
// Depthwise convolution (Backend::depthwiseConv*): output rows [r0, r1) of the forward pass,
// r = n * outHeight + oh; image rows [r0, r1) of the input gradient, r = n * height + h; channels
// [c0, c1) of the weight gradient.
void depthwiseConvRows(const float *x, const WindowGeometry &g, const float *w, float *y, int r0, int r1);
void depthwiseConvRows(const int8_t *x, const WindowGeometry &g, const int8_t *w, int32_t *y, int r0, int r1);
void depthwiseInputGradientRows(const float *gradY, const WindowGeometry &g, const float *w, float *gradX, int r0,
                                int r1);
void depthwiseInputGradientRows(const int8_t *gradY, const WindowGeometry &g, const int8_t *w, int32_t *gradX, int r0,
                                int r1);
void depthwiseWeightGradientChannels(const float *x, const float *gradY, const WindowGeometry &g, float *gradW, int c0,
                                     int c1);
void depthwiseWeightGradientChannels(const int8_t *x, const int8_t *gradY, const WindowGeometry &g, int32_t *gradW,
                                     int c0, int c1);
// Batch statistics (training) of channels [c0, c1), with the running statistics' update.
void batchNormStatisticsChannels(const BatchNormArgs &a, int c0, int c1);
// y for rows [r0, r1) of the [count x channels] data, from a.mean and a.var.
void batchNormApplyRows(const BatchNormArgs &a, int r0, int r1);
void batchNormGradientChannels(const BatchNormBackwardArgs &a, int c0, int c1);
// gradX for rows [r0, r1), after batchNormGradientChannels wrote gradGamma and gradBeta.
void batchNormInputGradientRows(const BatchNormBackwardArgs &a, int r0, int r1);
// Output rows [r0, r1) of a pooling, r = n * outHeight + oh.
void maxPoolRows(const float *x, const WindowGeometry &g, float *y, int32_t *argmax, int r0, int r1);
void avgPoolRows(const float *x, const WindowGeometry &g, float *y, int r0, int r1);
// Image rows [r0, r1) of a pooling's input gradient, r = n * height + h.
void maxPoolBackwardRows(const float *gradY, const int32_t *argmax, const WindowGeometry &g, float *gradX, int r0,
                         int r1);
void avgPoolBackwardRows(const float *gradY, const WindowGeometry &g, float *gradX, int r0, int r1);
void addRows(const float *a, const float *b, int cols, bool relu, float *out, int r0, int r1);
void pointwiseForwardRows(PointwiseFunction f, const float *x, int cols, float *y, int r0, int r1);
void pointwiseBackwardRows(PointwiseFunction f, const float *x, const float *y, const float *gradY, int cols,
                           float *gradX, int r0, int r1);
void dropoutRows(const float *x, int cols, float rate, uint64_t seed, uint64_t counter, float *y, int r0, int r1);
// 1 / sqrt(var + eps) in FP32, as every backend computes it.
inline float inverseStd(float var, float eps)
{
    return 1.0f / std::sqrt(var + eps);
}

} // namespace ffint8::hostkernels
