// A backend that runs every op on another backend and adds up the wall time each kind of op takes
// (GEMMs, convolutions' own ops, batch norm, quantisation, the optimizer, the rest), waiting for the
// inner backend after each op so that a device's asynchronous work is counted where it is issued.
// `ffint8 bench` splits a step of a model graph with it; the waits make a device slower, so its
// figures are for the split, not for the step's time.
#pragma once

#include "engine/backend/backend.h"

#include <array>
#include <chrono>

namespace ffint8 {

enum class OpCategory : uint8_t { Gemm, Convolution, BatchNorm, Quantisation, Optimizer, Other, Count };

// "GEMMs", "convolution ops" (im2col, col2im, depthwise), "batch norm", "quantisation" (quantise,
// dequantise, INT8 transposes), "optimizer", "other ops".
const char *opCategoryName(OpCategory category);

class OpTimingBackend final : public Backend
{
public:
    // `inner` must outlive this backend; tensors are allocated through this one (its MemoryAccount
    // sees them) from the inner backend's memory.
    explicit OpTimingBackend(Backend &inner) : m_inner(inner) { }

    double seconds(OpCategory category) const { return m_seconds[size_t(category)]; }
    double totalSeconds() const;
    void reset() { m_seconds.fill(0.0); }

    std::string name() const override { return m_inner.name(); }
    std::string description() const override { return m_inner.description(); }
    void setThreads(int threads) override { m_inner.setThreads(threads); }
    void attachToThread() override { m_inner.attachToThread(); }
    void synchronize() override { m_inner.synchronize(); }
    void upload(Tensor &dst, const void *host, size_t bytes, size_t offsetBytes = 0) override;
    void download(const Tensor &src, void *host, size_t bytes, size_t offsetBytes = 0) override;
    void fillZero(Tensor &t) override;
    void gemmF32(Trans ta, Trans tb, int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb,
                 float beta, float *c, int ldc) override;
    void gemmS8S8S32(Trans ta, Trans tb, int m, int n, int k, const int8_t *a, int lda, const int8_t *b, int ldb,
                     int32_t *c, int ldc) override;
    void quantise(const QuantiseArgs &args) override;
    void dequantise(const DequantiseArgs &args) override;
    void biasActivation(float *y, int rows, int cols, const float *bias, bool relu) override;
    void lengthNormalise(const float *x, int rows, int cols, float eps, float *out, float *norms) override;
    void lengthNormaliseBackward(const float *out, const float *norms, const float *gradOut, int rows, int cols,
                                 float eps, float *gradIn) override;
    void ffLoss(const FfLossArgs &args) override;
    void ffClassGroupsLoss(const FfClassGroupsArgs &args) override;
    void lookaheadCombine(const float *own, const float *later, const float *y, int rows, int cols, float lambda,
                          float *gradUpdate, float *gradPropagate) override;
    void reluBackward(float *g, const float *y, int rows, int cols) override;
    void columnSums(const float *g, int rows, int cols, float alpha, float *out) override;
    void transposeS8(const int8_t *src, int rows, int cols, int8_t *dst) override;
    void updateParameters(const UpdateArgs &args) override;
    void softmaxCrossEntropy(const float *logits, int rows, int cols, const int32_t *labels, float lossScale,
                             float *lossOut, float *gradLogits) override;
    void quantisationDeviation(const float *x, size_t count, const float *clipsHost, int clipCount,
                               float *deviationsHost) override;
    void im2colF32(const float *x, const WindowGeometry &g, int groups, float *cols) override;
    void im2colS8(const int8_t *x, const WindowGeometry &g, int groups, int8_t *cols) override;
    void col2imF32(const float *cols, const WindowGeometry &g, int groups, float *gradX) override;
    void depthwiseConvF32(const float *x, const WindowGeometry &g, const float *w, float *y) override;
    void depthwiseConvS8(const int8_t *x, const WindowGeometry &g, const int8_t *w, int32_t *y) override;
    void depthwiseConvInputGradientF32(const float *gradY, const WindowGeometry &g, const float *w,
                                       float *gradX) override;
    void depthwiseConvInputGradientS8(const int8_t *gradY, const WindowGeometry &g, const int8_t *w,
                                      int32_t *gradX) override;
    void depthwiseConvWeightGradientF32(const float *x, const float *gradY, const WindowGeometry &g,
                                        float *gradW) override;
    void depthwiseConvWeightGradientS8(const int8_t *x, const int8_t *gradY, const WindowGeometry &g,
                                       int32_t *gradW) override;
    void batchNormForward(const BatchNormArgs &args) override;
    void batchNormBackward(const BatchNormBackwardArgs &args) override;
    void maxPoolForward(const float *x, const WindowGeometry &g, float *y, int32_t *argmax) override;
    void maxPoolBackward(const float *gradY, const int32_t *argmax, const WindowGeometry &g, float *gradX) override;
    void avgPoolForward(const float *x, const WindowGeometry &g, float *y) override;
    void avgPoolBackward(const float *gradY, const WindowGeometry &g, float *gradX) override;
    void addTensors(const float *a, const float *b, int rows, int cols, bool relu, float *out) override;
    void pointwiseForward(PointwiseFunction f, const float *x, int rows, int cols, float *y) override;
    void pointwiseBackward(PointwiseFunction f, const float *x, const float *y, const float *gradY, int rows, int cols,
                           float *gradX) override;
    void dropout(const float *x, int rows, int cols, float rate, uint64_t seed, uint64_t counter, float *y) override;
    double squaredNorm(const float *x, size_t count) override;
    float maxAbsValue(const float *x, size_t count) override;

protected:
    void *rawAllocate(size_t bytes) override;
    void rawFree(void *p) override;

private:
    // Adds the time from its construction to its destruction, after the inner backend's work, to a category.
    class Timed
    {
    public:
        Timed(OpTimingBackend &backend, OpCategory category);
        ~Timed();
        Timed(const Timed &) = delete;
        Timed &operator=(const Timed &) = delete;

    private:
        OpTimingBackend &m_backend;
        OpCategory m_category;
        std::chrono::steady_clock::time_point m_start;
    };

    Backend &m_inner;
    std::array<double, size_t(OpCategory::Count)> m_seconds{};
};

} // namespace ffint8
