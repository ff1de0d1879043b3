// The launchers of the cuda backend's kernels (defined in the .cu files, called by the host-compiled
// CudaBackend). Each enqueues its kernels on `s.stream`, counts every launch in *s.launches and
// throws EngineError naming the kernel when a launch fails. Pointers are device memory unless a
// parameter's name ends in Host.
#pragma once

#include "engine/backend/backend.h"

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace ffint8::cuda {

struct Stream
{
    cudaStream_t stream = nullptr;
    uint64_t *launches = nullptr;
};

// --- quantisation and GEMM operand layout (kernels_quantise.cu) ---
// scale[0] = scaleForMax(min(max |x * factors|, *clip)) over the tensor. `scratch` holds two
// unsigned words that must be zero; the last block leaves them zero again.
void launchTensorScale(Stream s, const float *x, int rows, int cols, const float *columnFactors, const float *clip,
                       unsigned *scratch, float *scale);
// The whole of Backend::quantise; per-tensor scales need the scratch of launchTensorScale.
void launchQuantise(Stream s, const QuantiseArgs &a, unsigned *scratch);
// dst[r][c] (rowsPadded x colsPadded, row-major) = src[r][c] or, when transposed, src[c][r];
// zero outside rows x cols.
void launchPackInt8(Stream s, const int8_t *src, int ld, bool transposed, int rows, int cols, int rowsPadded,
                    int colsPadded, int8_t *dst);
// dst[r * ldDst + c] = src[r * ldSrc + c] for r < rows, c < cols.
void launchCopyInt32(Stream s, const int32_t *src, int ldSrc, int rows, int cols, int32_t *dst, int ldDst);

// --- element-wise ops and the FF loss (kernels_elementwise.cu) ---
void launchDequantise(Stream s, const DequantiseArgs &a);
void launchBiasActivation(Stream s, float *y, int rows, int cols, const float *bias, bool relu);
void launchLengthNormalise(Stream s, const float *x, int rows, int cols, float eps, float *out, float *norms);
void launchLengthNormaliseBackward(Stream s, const float *out, const float *norms, const float *gradOut, int rows,
                                   int cols, float eps, float *gradIn);
void launchFfLoss(Stream s, const FfLossArgs &a);
// --- the class-groups loss (kernels_class_groups.cu) ---
// At most kMaxClassGroups classes (the kernel keeps them in shared memory).
constexpr int kMaxClassGroups = 1024;
void launchFfClassGroups(Stream s, const FfClassGroupsArgs &a);
void launchLookaheadCombine(Stream s, const float *own, const float *later, const float *y, int rows, int cols,
                            float lambda, float *gradUpdate, float *gradPropagate);
void launchReluBackward(Stream s, float *g, const float *y, int rows, int cols);
void launchColumnSums(Stream s, const float *g, int rows, int cols, float alpha, float *out);

// --- optimizer (kernels_optimizer.cu) ---
// The optimizer step of Backend::updateParameters, fused with the per-row re-quantisation when
// the INT8 copy is per row. `rowScratch` (rows x cols floats) holds the dequantised weights when
// there is no master copy. A per-tensor INT8 copy is refreshed by the caller afterwards.
void launchUpdate(Stream s, const UpdateArgs &a, float *rowScratch);

// --- backpropagation ops and reductions returned to the host (kernels_bp.cu) ---
// Writes rows - r for the first row r whose label is out of range to *badRow (which must be zero).
void launchSoftmaxCrossEntropy(Stream s, const float *logits, int rows, int cols, const int32_t *labels,
                               float lossScale, float *lossOut, float *gradLogits, int *badRow);
// Per-block partial results of reductions over x[0, count): the host adds the `blocks` partials
// (few), so the result does not depend on atomics' order.
constexpr int kReductionBlocks = 256;
void launchSquaredNormPartials(Stream s, const float *x, size_t count, double *partials);
void launchMaxAbsPartials(Stream s, const float *x, size_t count, unsigned *partials);
// partials[b * (1 + 2 * clipCount)]: x.x, then x.q and q.q for each clip.
void launchDeviationPartials(Stream s, const float *x, size_t count, const float *clips, int clipCount,
                             double *partials);
// FP32 to FP16 (round to nearest), for the FP16 GEMMs of the benchmark.
void launchToHalf(Stream s, const float *x, size_t count, void *half);

// --- layer ops: the window ops (kernels_window.cu), batch norm and add (kernels_norm.cu); each is
// the Backend op of the same name, with the geometry already checked by the caller ---
void launchIm2colF32(Stream s, const float *x, const WindowGeometry &g, int groups, float *cols);
void launchIm2colS8(Stream s, const int8_t *x, const WindowGeometry &g, int groups, int8_t *cols);
void launchCol2imF32(Stream s, const float *cols, const WindowGeometry &g, int groups, float *gradX);
void launchMaxPoolForward(Stream s, const float *x, const WindowGeometry &g, float *y, int32_t *argmax);
void launchMaxPoolBackward(Stream s, const float *gradY, const int32_t *argmax, const WindowGeometry &g, float *gradX);
void launchAvgPoolForward(Stream s, const float *x, const WindowGeometry &g, float *y);
void launchAvgPoolBackward(Stream s, const float *gradY, const WindowGeometry &g, float *gradX);
void launchBatchNormForward(Stream s, const BatchNormArgs &a);
void launchBatchNormBackward(Stream s, const BatchNormBackwardArgs &a);
void launchAddTensors(Stream s, const float *a, const float *b, int rows, int cols, bool relu, float *out);
void launchPointwiseForward(Stream s, PointwiseFunction f, const float *x, int rows, int cols, float *y);
void launchPointwiseBackward(Stream s, PointwiseFunction f, const float *x, const float *y, const float *gradY,
                             int rows, int cols, float *gradX);
void launchDropout(Stream s, const float *x, int rows, int cols, float rate, uint64_t seed, uint64_t counter,
                   float *y);

// --- depthwise convolution (kernels_depthwise.cu): the Backend ops of the same name, geometry checked ---
void launchDepthwiseConvF32(Stream s, const float *x, const WindowGeometry &g, const float *w, float *y);
void launchDepthwiseConvS8(Stream s, const int8_t *x, const WindowGeometry &g, const int8_t *w, int32_t *y);
void launchDepthwiseInputGradientF32(Stream s, const float *gradY, const WindowGeometry &g, const float *w,
                                     float *gradX);
void launchDepthwiseInputGradientS8(Stream s, const int8_t *gradY, const WindowGeometry &g, const int8_t *w,
                                    int32_t *gradX);
// The blocks of kDepthwiseRowBlock output positions a weight gradient sums separately.
inline int depthwiseRowBlocks(const WindowGeometry &g)
{
    return (g.batch * g.outHeight() * g.outWidth() + kDepthwiseRowBlock - 1) / kDepthwiseRowBlock;
}
// `partials` holds depthwiseRowBlocks(g) * kernelH * kernelW * channels sums: doubles (FP32) or INT32 (INT8).
void launchDepthwiseWeightGradientF32(Stream s, const float *x, const float *gradY, const WindowGeometry &g,
                                      float *gradW, void *partials);
void launchDepthwiseWeightGradientS8(Stream s, const int8_t *x, const int8_t *gradY, const WindowGeometry &g,
                                     int32_t *gradW, void *partials);

} // namespace ffint8::cuda
