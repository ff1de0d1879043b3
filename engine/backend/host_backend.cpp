// Host memory and element-wise ops shared by the reference and cpu backends.
#include "engine/backend/host_backend.h"

#include "engine/backend/host_kernels.h"
#include "engine/backend/host_layer_kernels.h"
#include "engine/core/error.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <cmath>
#include <mutex>
#include <string>

namespace ffint8 {

void *HostBackend::rawAllocate(size_t bytes)
{
    // 64-byte alignment: whole cache lines and aligned AVX-512 loads for the GEMM libraries.
    return std::aligned_alloc(64, (bytes + 63) / 64 * 64);
}

void HostBackend::rawFree(void *p) { std::free(p); }

void HostBackend::upload(Tensor &dst, const void *host, size_t bytes, size_t offsetBytes)
{
    if (offsetBytes + bytes > dst.bytes())
        throw EngineError("upload of " + std::to_string(bytes) + " bytes past the end of a tensor of " +
                          std::to_string(dst.bytes()));
    std::memcpy(static_cast<char *>(dst.raw()) + offsetBytes, host, bytes);
}

void HostBackend::download(const Tensor &src, void *host, size_t bytes, size_t offsetBytes)
{
    if (offsetBytes + bytes > src.bytes())
        throw EngineError("download of " + std::to_string(bytes) + " bytes past the end of a tensor of " +
                          std::to_string(src.bytes()));
    std::memcpy(host, static_cast<const char *>(src.raw()) + offsetBytes, bytes);
}

void HostBackend::fillZero(Tensor &t) { std::memset(t.raw(), 0, t.bytes()); }

float HostBackend::maxAbsParallel(const float *x, int rows, int cols, const float *columnFactors)
{
    float result = 0.0f;
    std::mutex lock;
    forChunks(rows, size_t(rows) * cols, [&](int r0, int r1) {
        float m = hostkernels::maxAbs(x, cols, r0, r1, columnFactors);
        std::lock_guard guard(lock);
        result = std::max(result, m);
    });
    return result;
}

void HostBackend::quantise(const QuantiseArgs &a)
{
    if (a.clip && a.perRow)
        throw EngineError("quantise: a clipping value applies to per-tensor quantisation only");
    float tensorScale = 0.0f;
    if (!a.perRow) {
        float range = maxAbsParallel(a.x, a.rows, a.cols, a.columnFactors);
        if (a.clip)
            range = std::min(range, *a.clip);
        tensorScale = hostkernels::scaleForMax(range);
        a.scales[0] = tensorScale;
    }
    forChunks(a.rows, size_t(a.rows) * a.cols, [&](int r0, int r1) { hostkernels::quantiseRows(a, r0, r1, tensorScale); });
}

void HostBackend::dequantise(const DequantiseArgs &a)
{
    forChunks(a.rows, size_t(a.rows) * a.cols, [&](int r0, int r1) { hostkernels::dequantiseRows(a, r0, r1); });
}

void HostBackend::biasActivation(float *y, int rows, int cols, const float *bias, bool relu)
{
    forChunks(rows, size_t(rows) * cols, [&](int r0, int r1) { hostkernels::biasActivationRows(y, cols, bias, relu, r0, r1); });
}

void HostBackend::lengthNormalise(const float *x, int rows, int cols, float eps, float *out, float *norms)
{
    forChunks(rows, size_t(rows) * cols, [&](int r0, int r1) { hostkernels::lengthNormaliseRows(x, cols, eps, out, norms, r0, r1); });
}

void HostBackend::lengthNormaliseBackward(const float *out, const float *norms, const float *gradOut, int rows,
                                          int cols, float eps, float *gradIn)
{
    forChunks(rows, size_t(rows) * cols, [&](int r0, int r1) {
        hostkernels::lengthNormaliseBackwardRows(out, norms, gradOut, cols, eps, gradIn, r0, r1);
    });
}

void HostBackend::ffLoss(const FfLossArgs &a)
{
    forChunks(a.rows, size_t(a.rows) * a.cols, [&](int r0, int r1) { hostkernels::ffLossRows(a, r0, r1); });
}

void HostBackend::ffClassGroupsLoss(const FfClassGroupsArgs &a)
{
    forChunks(a.rows, size_t(a.rows) * a.cols, [&](int r0, int r1) { hostkernels::ffClassGroupsRows(a, r0, r1); });
}

void HostBackend::lookaheadCombine(const float *own, const float *later, const float *y, int rows, int cols,
                                   float lambda, float *gradUpdate, float *gradPropagate)
{
    forChunks(rows, size_t(rows) * cols, [&](int r0, int r1) {
        hostkernels::lookaheadCombineRows(own, later, y, cols, lambda, gradUpdate, gradPropagate, r0, r1);
    });
}

void HostBackend::reluBackward(float *g, const float *y, int rows, int cols)
{
    forChunks(rows, size_t(rows) * cols, [&](int r0, int r1) { hostkernels::reluBackwardRows(g, y, cols, r0, r1); });
}

void HostBackend::columnSums(const float *g, int rows, int cols, float alpha, float *out)
{
    forChunks(cols, size_t(rows) * cols, [&](int c0, int c1) { hostkernels::columnSums(g, rows, cols, alpha, out, c0, c1); });
}

void HostBackend::transposeS8(const int8_t *src, int rows, int cols, int8_t *dst)
{
    forChunks(cols, size_t(rows) * cols, [&](int c0, int c1) { hostkernels::transposeS8(src, rows, cols, dst, c0, c1); });
}

void HostBackend::updateParameters(const UpdateArgs &a)
{
    if (!a.master && (!a.q || !a.qPerRow))
        throw EngineError("updateParameters: INT8 weights without an FP32 master copy need per-row scales");
    forChunks(a.rows, size_t(a.rows) * a.cols * 8, [&](int r0, int r1) { hostkernels::updateRows(a, r0, r1); });
    if (a.q && !a.qPerRow) {
        QuantiseArgs q;
        q.x = a.master;
        q.rows = a.rows;
        q.cols = a.cols;
        q.rounding = a.qRounding;
        q.seed = a.seed;
        q.counter = a.counter;
        q.q = a.q;
        q.scales = a.qScales;
        quantise(q);
    }
}

void HostBackend::softmaxCrossEntropy(const float *logits, int rows, int cols, const int32_t *labels, float lossScale,
                                      float *lossOut, float *gradLogits)
{
    for (int r = 0; r < rows; ++r)
        if (labels[r] < 0 || labels[r] >= cols)
            throw EngineError("softmaxCrossEntropy: label " + std::to_string(labels[r]) + " of row " + std::to_string(r) +
                              " is not one of the " + std::to_string(cols) + " classes");
    forChunks(rows, size_t(rows) * cols * 4, [&](int r0, int r1) {
        hostkernels::softmaxCrossEntropyRows(logits, cols, labels, lossScale, lossOut, gradLogits, r0, r1);
    });
}

void HostBackend::quantisationDeviation(const float *x, size_t count, const float *clipsHost, int clipCount,
                                        float *deviationsHost)
{
    const double xx = hostkernels::sumOfSquares(x, 0, count);
    for (int i = 0; i < clipCount; ++i) {
        double sums[2] = {0.0, 0.0};
        hostkernels::quantisationDots(x, 0, count, clipsHost[i], sums);
        double denominator = std::sqrt(xx * sums[1]);
        deviationsHost[i] = denominator > 0.0 ? float(1.0 - sums[0] / denominator) : 0.0f;
    }
}

namespace {

size_t imageValues(const WindowGeometry &g) { return size_t(g.batch) * g.height * g.width * g.channels; }

} // namespace

void HostBackend::im2colF32(const float *x, const WindowGeometry &g, int groups, float *cols)
{
    checkWindowGeometry("im2col", g, groups, false);
    const size_t work = imageValues(g) * size_t(g.kernelH) * g.kernelW;
    forChunks(g.batch * g.outHeight(), work, [&](int r0, int r1) { hostkernels::im2colRows(x, g, groups, cols, r0, r1); });
}

void HostBackend::im2colS8(const int8_t *x, const WindowGeometry &g, int groups, int8_t *cols)
{
    checkWindowGeometry("im2col", g, groups, false);
    const size_t work = imageValues(g) * size_t(g.kernelH) * g.kernelW;
    forChunks(g.batch * g.outHeight(), work, [&](int r0, int r1) { hostkernels::im2colRows(x, g, groups, cols, r0, r1); });
}

void HostBackend::col2imF32(const float *cols, const WindowGeometry &g, int groups, float *gradX)
{
    checkWindowGeometry("col2im", g, groups, false);
    const size_t work = imageValues(g) * size_t(g.kernelH) * g.kernelW;
    forChunks(g.batch * g.height, work, [&](int r0, int r1) { hostkernels::col2imRows(cols, g, groups, gradX, r0, r1); });
}

namespace {

// A depthwise op's multiply-adds: one per tap of each output value.
size_t depthwiseWork(const WindowGeometry &g)
{
    return size_t(g.batch) * g.outHeight() * g.outWidth() * g.channels * size_t(g.kernelH) * g.kernelW;
}

} // namespace

template <class T, class Out> void HostBackend::depthwiseForward(const T *x, const WindowGeometry &g, const T *w, Out *y)
{
    checkWindowGeometry("depthwise_conv", g, g.channels, false);
    forChunks(g.batch * g.outHeight(), depthwiseWork(g),
              [&](int r0, int r1) { hostkernels::depthwiseConvRows(x, g, w, y, r0, r1); });
}

template <class T, class Out>
void HostBackend::depthwiseInputGradient(const T *gradY, const WindowGeometry &g, const T *w, Out *gradX)
{
    checkWindowGeometry("depthwise_conv_input_gradient", g, g.channels, false);
    forChunks(g.batch * g.height, depthwiseWork(g),
              [&](int r0, int r1) { hostkernels::depthwiseInputGradientRows(gradY, g, w, gradX, r0, r1); });
}

template <class T, class Out>
void HostBackend::depthwiseWeightGradient(const T *x, const T *gradY, const WindowGeometry &g, Out *gradW)
{
    checkWindowGeometry("depthwise_conv_weight_gradient", g, g.channels, false);
    forChunks(g.channels, depthwiseWork(g),
              [&](int c0, int c1) { hostkernels::depthwiseWeightGradientChannels(x, gradY, g, gradW, c0, c1); });
}

void HostBackend::depthwiseConvF32(const float *x, const WindowGeometry &g, const float *w, float *y)
{
    depthwiseForward(x, g, w, y);
}

void HostBackend::depthwiseConvS8(const int8_t *x, const WindowGeometry &g, const int8_t *w, int32_t *y)
{
    depthwiseForward(x, g, w, y);
}

void HostBackend::depthwiseConvInputGradientF32(const float *gradY, const WindowGeometry &g, const float *w,
                                                float *gradX)
{
    depthwiseInputGradient(gradY, g, w, gradX);
}

void HostBackend::depthwiseConvInputGradientS8(const int8_t *gradY, const WindowGeometry &g, const int8_t *w,
                                               int32_t *gradX)
{
    depthwiseInputGradient(gradY, g, w, gradX);
}

void HostBackend::depthwiseConvWeightGradientF32(const float *x, const float *gradY, const WindowGeometry &g,
                                                 float *gradW)
{
    depthwiseWeightGradient(x, gradY, g, gradW);
}

void HostBackend::depthwiseConvWeightGradientS8(const int8_t *x, const int8_t *gradY, const WindowGeometry &g,
                                                int32_t *gradW)
{
    depthwiseWeightGradient(x, gradY, g, gradW);
}

void HostBackend::batchNormForward(const BatchNormArgs &a)
{
    const size_t work = size_t(a.count) * a.channels;
    if (a.training)
        forChunks(a.channels, work * 2, [&](int c0, int c1) { hostkernels::batchNormStatisticsChannels(a, c0, c1); });
    forChunks(a.count, work, [&](int r0, int r1) { hostkernels::batchNormApplyRows(a, r0, r1); });
}

void HostBackend::batchNormBackward(const BatchNormBackwardArgs &a)
{
    const size_t work = size_t(a.count) * a.channels;
    forChunks(a.channels, work * 2, [&](int c0, int c1) { hostkernels::batchNormGradientChannels(a, c0, c1); });
    if (a.gradX)
        forChunks(a.count, work, [&](int r0, int r1) { hostkernels::batchNormInputGradientRows(a, r0, r1); });
}

void HostBackend::maxPoolForward(const float *x, const WindowGeometry &g, float *y, int32_t *argmax)
{
    checkWindowGeometry("max_pool", g, 1, true);
    const size_t work = imageValues(g) * size_t(g.kernelH) * g.kernelW;
    forChunks(g.batch * g.outHeight(), work, [&](int r0, int r1) { hostkernels::maxPoolRows(x, g, y, argmax, r0, r1); });
}

void HostBackend::maxPoolBackward(const float *gradY, const int32_t *argmax, const WindowGeometry &g, float *gradX)
{
    checkWindowGeometry("max_pool_backward", g, 1, true);
    const size_t work = imageValues(g) * size_t(g.kernelH) * g.kernelW;
    forChunks(g.batch * g.height, work,
              [&](int r0, int r1) { hostkernels::maxPoolBackwardRows(gradY, argmax, g, gradX, r0, r1); });
}

void HostBackend::avgPoolForward(const float *x, const WindowGeometry &g, float *y)
{
    checkWindowGeometry("avg_pool", g, 1, true);
    const size_t work = imageValues(g) * size_t(g.kernelH) * g.kernelW;
    forChunks(g.batch * g.outHeight(), work, [&](int r0, int r1) { hostkernels::avgPoolRows(x, g, y, r0, r1); });
}

void HostBackend::avgPoolBackward(const float *gradY, const WindowGeometry &g, float *gradX)
{
    checkWindowGeometry("avg_pool_backward", g, 1, true);
    const size_t work = imageValues(g) * size_t(g.kernelH) * g.kernelW;
    forChunks(g.batch * g.height, work, [&](int r0, int r1) { hostkernels::avgPoolBackwardRows(gradY, g, gradX, r0, r1); });
}

void HostBackend::addTensors(const float *a, const float *b, int rows, int cols, bool relu, float *out)
{
    forChunks(rows, size_t(rows) * cols, [&](int r0, int r1) { hostkernels::addRows(a, b, cols, relu, out, r0, r1); });
}

void HostBackend::pointwiseForward(PointwiseFunction f, const float *x, int rows, int cols, float *y)
{
    forChunks(rows, size_t(rows) * cols,
              [&](int r0, int r1) { hostkernels::pointwiseForwardRows(f, x, cols, y, r0, r1); });
}

void HostBackend::pointwiseBackward(PointwiseFunction f, const float *x, const float *y, const float *gradY, int rows,
                                    int cols, float *gradX)
{
    forChunks(rows, size_t(rows) * cols,
              [&](int r0, int r1) { hostkernels::pointwiseBackwardRows(f, x, y, gradY, cols, gradX, r0, r1); });
}

void HostBackend::dropout(const float *x, int rows, int cols, float rate, uint64_t seed, uint64_t counter, float *y)
{
    forChunks(rows, size_t(rows) * cols,
              [&](int r0, int r1) { hostkernels::dropoutRows(x, cols, rate, seed, counter, y, r0, r1); });
}

double HostBackend::squaredNorm(const float *x, size_t count) { return hostkernels::sumOfSquares(x, 0, count); }

float HostBackend::maxAbsValue(const float *x, size_t count)
{
    float m = 0.0f;
    for (size_t begin = 0; begin < count; begin += size_t(1) << 30) {
        size_t n = std::min(count - begin, size_t(1) << 30);
        m = std::max(m, hostkernels::maxAbsSpan(x + begin, nullptr, int(n)));
    }
    return m;
}

} // namespace ffint8
