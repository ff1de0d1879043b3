// The op-timing backend: each op forwarded to the inner backend inside a timer of its category.
#include "engine/backend/op_timing_backend.h"

namespace ffint8 {

const char *opCategoryName(OpCategory category)
{
    switch (category) {
    case OpCategory::Gemm:
        return "GEMMs";
    case OpCategory::Convolution:
        return "convolution ops";
    case OpCategory::BatchNorm:
        return "batch norm";
    case OpCategory::Quantisation:
        return "quantisation";
    case OpCategory::Optimizer:
        return "optimizer";
    case OpCategory::Other:
    case OpCategory::Count:
        break;
    }
    return "other ops";
}

OpTimingBackend::Timed::Timed(OpTimingBackend &backend, OpCategory category)
    : m_backend(backend), m_category(category), m_start(std::chrono::steady_clock::now())
{
}

OpTimingBackend::Timed::~Timed()
{
    m_backend.m_inner.synchronize();
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - m_start;
    m_backend.m_seconds[size_t(m_category)] += elapsed.count();
}

double OpTimingBackend::totalSeconds() const
{
    double total = 0.0;
    for (double s : m_seconds)
        total += s;
    return total;
}

void *OpTimingBackend::rawAllocate(size_t bytes)
{
    return m_inner.rawAllocate(bytes);
}

void OpTimingBackend::rawFree(void *p)
{
    m_inner.rawFree(p);
}

void OpTimingBackend::upload(Tensor &dst, const void *host, size_t bytes, size_t offsetBytes)
{
    const Timed timed(*this, OpCategory::Other);
    m_inner.upload(dst, host, bytes, offsetBytes);
}

void OpTimingBackend::download(const Tensor &src, void *host, size_t bytes, size_t offsetBytes)
{
    const Timed timed(*this, OpCategory::Other);
    m_inner.download(src, host, bytes, offsetBytes);
}

void OpTimingBackend::fillZero(Tensor &t)
{
    const Timed timed(*this, OpCategory::Other);
    m_inner.fillZero(t);
}

void OpTimingBackend::gemmF32(Trans ta, Trans tb, int m, int n, int k, float alpha, const float *a, int lda,
                              const float *b, int ldb, float beta, float *c, int ldc)
{
    const Timed timed(*this, OpCategory::Gemm);
    m_inner.gemmF32(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void OpTimingBackend::gemmS8S8S32(Trans ta, Trans tb, int m, int n, int k, const int8_t *a, int lda, const int8_t *b,
                                  int ldb, int32_t *c, int ldc)
{
    const Timed timed(*this, OpCategory::Gemm);
    m_inner.gemmS8S8S32(ta, tb, m, n, k, a, lda, b, ldb, c, ldc);
}

void OpTimingBackend::quantise(const QuantiseArgs &args)
{
    const Timed timed(*this, OpCategory::Quantisation);
    m_inner.quantise(args);
}

void OpTimingBackend::dequantise(const DequantiseArgs &args)
{
    const Timed timed(*this, OpCategory::Quantisation);
    m_inner.dequantise(args);
}

void OpTimingBackend::biasActivation(float *y, int rows, int cols, const float *bias, bool relu)
{
    const Timed timed(*this, OpCategory::Other);
    m_inner.biasActivation(y, rows, cols, bias, relu);
}

void OpTimingBackend::lengthNormalise(const float *x, int rows, int cols, float eps, float *out, float *norms)
{
    const Timed timed(*this, OpCategory::Other);
    m_inner.lengthNormalise(x, rows, cols, eps, out, norms);
}

void OpTimingBackend::lengthNormaliseBackward(const float *out, const float *norms, const float *gradOut, int rows,
                                              int cols, float eps, float *gradIn)
{
    const Timed timed(*this, OpCategory::Other);
    m_inner.lengthNormaliseBackward(out, norms, gradOut, rows, cols, eps, gradIn);
}

void OpTimingBackend::ffLoss(const FfLossArgs &args)
{
    const Timed timed(*this, OpCategory::Other);
    m_inner.ffLoss(args);
}

void OpTimingBackend::ffClassGroupsLoss(const FfClassGroupsArgs &args)
{
    const Timed timed(*this, OpCategory::Other);
    m_inner.ffClassGroupsLoss(args);
}

void OpTimingBackend::lookaheadCombine(const float *own, const float *later, const float *y, int rows, int cols,
                                       float lambda, float *gradUpdate, float *gradPropagate)
{
    const Timed timed(*this, OpCategory::Other);
    m_inner.lookaheadCombine(own, later, y, rows, cols, lambda, gradUpdate, gradPropagate);
}

void OpTimingBackend::reluBackward(float *g, const float *y, int rows, int cols)
{
    const Timed timed(*this, OpCategory::Other);
    m_inner.reluBackward(g, y, rows, cols);
}

void OpTimingBackend::columnSums(const float *g, int rows, int cols, float alpha, float *out)
{
    const Timed timed(*this, OpCategory::Other);
    m_inner.columnSums(g, rows, cols, alpha, out);
}

void OpTimingBackend::transposeS8(const int8_t *src, int rows, int cols, int8_t *dst)
{
    const Timed timed(*this, OpCategory::Quantisation);
    m_inner.transposeS8(src, rows, cols, dst);
}

void OpTimingBackend::updateParameters(const UpdateArgs &args)
{
    const Timed timed(*this, OpCategory::Optimizer);
    m_inner.updateParameters(args);
}

void OpTimingBackend::softmaxCrossEntropy(const float *logits, int rows, int cols, const int32_t *labels,
                                          float lossScale, float *lossOut, float *gradLogits)
{
    const Timed timed(*this, OpCategory::Other);
    m_inner.softmaxCrossEntropy(logits, rows, cols, labels, lossScale, lossOut, gradLogits);
}

void OpTimingBackend::quantisationDeviation(const float *x, size_t count, const float *clipsHost, int clipCount,
                                            float *deviationsHost)
{
    const Timed timed(*this, OpCategory::Other);
    m_inner.quantisationDeviation(x, count, clipsHost, clipCount, deviationsHost);
}

void OpTimingBackend::im2colF32(const float *x, const WindowGeometry &g, int groups, float *cols)
{
    const Timed timed(*this, OpCategory::Convolution);
    m_inner.im2colF32(x, g, groups, cols);
}

void OpTimingBackend::im2colS8(const int8_t *x, const WindowGeometry &g, int groups, int8_t *cols)
{
    const Timed timed(*this, OpCategory::Convolution);
    m_inner.im2colS8(x, g, groups, cols);
}

void OpTimingBackend::col2imF32(const float *cols, const WindowGeometry &g, int groups, float *gradX)
{
    const Timed timed(*this, OpCategory::Convolution);
    m_inner.col2imF32(cols, g, groups, gradX);
}

void OpTimingBackend::depthwiseConvF32(const float *x, const WindowGeometry &g, const float *w, float *y)
{
    const Timed timed(*this, OpCategory::Convolution);
    m_inner.depthwiseConvF32(x, g, w, y);
}

void OpTimingBackend::depthwiseConvS8(const int8_t *x, const WindowGeometry &g, const int8_t *w, int32_t *y)
{
    const Timed timed(*this, OpCategory::Convolution);
    m_inner.depthwiseConvS8(x, g, w, y);
}

void OpTimingBackend::depthwiseConvInputGradientF32(const float *gradY, const WindowGeometry &g, const float *w,
                                                    float *gradX)
{
    const Timed timed(*this, OpCategory::Convolution);
    m_inner.depthwiseConvInputGradientF32(gradY, g, w, gradX);
}

void OpTimingBackend::depthwiseConvInputGradientS8(const int8_t *gradY, const WindowGeometry &g, const int8_t *w,
                                                   int32_t *gradX)
{
    const Timed timed(*this, OpCategory::Convolution);
    m_inner.depthwiseConvInputGradientS8(gradY, g, w, gradX);
}

void OpTimingBackend::depthwiseConvWeightGradientF32(const float *x, const float *gradY, const WindowGeometry &g,
                                                     float *gradW)
{
    const Timed timed(*this, OpCategory::Convolution);
    m_inner.depthwiseConvWeightGradientF32(x, gradY, g, gradW);
}

void OpTimingBackend::depthwiseConvWeightGradientS8(const int8_t *x, const int8_t *gradY, const WindowGeometry &g,
                                                    int32_t *gradW)
{
    const Timed timed(*this, OpCategory::Convolution);
    m_inner.depthwiseConvWeightGradientS8(x, gradY, g, gradW);
}

void OpTimingBackend::batchNormForward(const BatchNormArgs &args)
{
    const Timed timed(*this, OpCategory::BatchNorm);
    m_inner.batchNormForward(args);
}

void OpTimingBackend::batchNormBackward(const BatchNormBackwardArgs &args)
{
    const Timed timed(*this, OpCategory::BatchNorm);
    m_inner.batchNormBackward(args);
}

void OpTimingBackend::maxPoolForward(const float *x, const WindowGeometry &g, float *y, int32_t *argmax)
{
    const Timed timed(*this, OpCategory::Other);
    m_inner.maxPoolForward(x, g, y, argmax);
}

void OpTimingBackend::maxPoolBackward(const float *gradY, const int32_t *argmax, const WindowGeometry &g, float *gradX)
{
    const Timed timed(*this, OpCategory::Other);
    m_inner.maxPoolBackward(gradY, argmax, g, gradX);
}

void OpTimingBackend::avgPoolForward(const float *x, const WindowGeometry &g, float *y)
{
    const Timed timed(*this, OpCategory::Other);
    m_inner.avgPoolForward(x, g, y);
}

void OpTimingBackend::avgPoolBackward(const float *gradY, const WindowGeometry &g, float *gradX)
{
    const Timed timed(*this, OpCategory::Other);
    m_inner.avgPoolBackward(gradY, g, gradX);
}

void OpTimingBackend::addTensors(const float *a, const float *b, int rows, int cols, bool relu, float *out)
{
    const Timed timed(*this, OpCategory::Other);
    m_inner.addTensors(a, b, rows, cols, relu, out);
}

void OpTimingBackend::pointwiseForward(PointwiseFunction f, const float *x, int rows, int cols, float *y)
{
    const Timed timed(*this, OpCategory::Other);
    m_inner.pointwiseForward(f, x, rows, cols, y);
}

void OpTimingBackend::pointwiseBackward(PointwiseFunction f, const float *x, const float *y, const float *gradY,
                                        int rows, int cols, float *gradX)
{
    const Timed timed(*this, OpCategory::Other);
    m_inner.pointwiseBackward(f, x, y, gradY, rows, cols, gradX);
}

void OpTimingBackend::dropout(const float *x, int rows, int cols, float rate, uint64_t seed, uint64_t counter, float *y)
{
    const Timed timed(*this, OpCategory::Other);
    m_inner.dropout(x, rows, cols, rate, seed, counter, y);
}

double OpTimingBackend::squaredNorm(const float *x, size_t count)
{
    const Timed timed(*this, OpCategory::Other);
    return m_inner.squaredNorm(x, count);
}

float OpTimingBackend::maxAbsValue(const float *x, size_t count)
{
    const Timed timed(*this, OpCategory::Other);
    return m_inner.maxAbsValue(x, count);
}

} // namespace ffint8
