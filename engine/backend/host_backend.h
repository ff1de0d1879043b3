// The part of the reference and cpu backends that is the same: host memory and the element-wise
// ops, run over row chunks that a subclass may hand to threads.
#pragma once

#include "engine/backend/backend.h"

#include <functional>

namespace ffint8 {

class HostBackend : public Backend
{
public:
    void upload(Tensor &dst, const void *host, size_t bytes, size_t offsetBytes = 0) override;
    void download(const Tensor &src, void *host, size_t bytes, size_t offsetBytes = 0) override;
    void fillZero(Tensor &t) override;

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
    void quantisationDeviation(const float *x, size_t count, const float *clipsHost, int clipCount,
                               float *deviationsHost) override;
    double squaredNorm(const float *x, size_t count) override;
    float maxAbsValue(const float *x, size_t count) override;

protected:
    void *rawAllocate(size_t bytes) override;
    void rawFree(void *p) override;

    // Runs body(begin, end) over [0, count) split into chunks; the base class runs it in one call.
    // `work` is the number of values the whole call touches: small calls are not worth splitting.
    virtual void forChunks(int count, size_t work, const std::function<void(int, int)> &body)
    {
        (void)work;
        body(0, count);
    }
    float maxAbsParallel(const float *x, int rows, int cols, const float *columnFactors);

private:
    // The depthwise ops of both element types: the row kernels over chunks of rows or channels.
    template <class T, class Out> void depthwiseForward(const T *x, const WindowGeometry &g, const T *w, Out *y);
    template <class T, class Out>
    void depthwiseInputGradient(const T *gradY, const WindowGeometry &g, const T *w, Out *gradX);
    template <class T, class Out>
    void depthwiseWeightGradient(const T *x, const T *gradY, const WindowGeometry &g, Out *gradW);
};

} // namespace ffint8
