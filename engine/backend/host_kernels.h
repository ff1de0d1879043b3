// The element-wise ops of the host backends, written once over a range of rows: the reference
// backend runs each over all rows in one go, the cpu backend splits the rows across threads.
// Every value depends only on its own row (and the counter-based RNG), so both give the same bits.
#pragma once

#include "engine/backend/backend.h"

namespace ffint8::hostkernels {

float maxAbs(const float *x, int cols, int r0, int r1, const float *columnFactors);
float maxAbsSpan(const float *x, const float *factors, int cols);
// Quantises rows [r0, r1) with the given per-tensor scale (perRow = false) or computes each row's own.
void quantiseRows(const QuantiseArgs &a, int r0, int r1, float tensorScale);
void dequantiseRows(const DequantiseArgs &a, int r0, int r1);
void biasActivationRows(float *y, int cols, const float *bias, bool relu, int r0, int r1);
void lengthNormaliseRows(const float *x, int cols, float eps, float *out, float *norms, int r0, int r1);
void lengthNormaliseBackwardRows(const float *out, const float *norms, const float *gradOut, int cols, float eps,
                                 float *gradIn, int r0, int r1);
void ffLossRows(const FfLossArgs &a, int r0, int r1);
// The class-groups loss over rows [r0, r1) (host_class_groups.cpp).
void ffClassGroupsRows(const FfClassGroupsArgs &a, int r0, int r1);
void lookaheadCombineRows(const float *own, const float *later, const float *y, int cols, float lambda,
                          float *gradUpdate, float *gradPropagate, int r0, int r1);
void reluBackwardRows(float *g, const float *y, int cols, int r0, int r1);
void columnSums(const float *g, int rows, int cols, float alpha, float *out, int c0, int c1);
// Rows [c0, c1) of the transpose (columns [c0, c1) of src).
void transposeS8(const int8_t *src, int rows, int cols, int8_t *dst, int c0, int c1);
void softmaxCrossEntropyRows(const float *logits, int cols, const int32_t *labels, float lossScale, float *lossOut,
                             float *gradLogits, int r0, int r1);
// Partial sums over x[begin, end) for the deviation of a quantisation with scale `clip` / 127:
// sums[0] += x . q, sums[1] += q . q (x . x is the same for every clip and summed by the caller).
void quantisationDots(const float *x, size_t begin, size_t end, float clip, double *sums);
double sumOfSquares(const float *x, size_t begin, size_t end);
// Updates rows [r0, r1); re-quantises each row too when the INT8 copy is per row.
void updateRows(const UpdateArgs &a, int r0, int r1);
// Scale of a per-tensor quantisation with this max |x|: never zero, so an all-zero tensor stays zero.
inline float scaleForMax(float maxAbsValue) { return maxAbsValue > 0.0f ? maxAbsValue / 127.0f : 1.0f; }

} // namespace ffint8::hostkernels
