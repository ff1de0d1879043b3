// A backend that only counts: allocations are recorded in its memory account and never made, and
// every op does nothing. A trainer built on it reports the engine memory it would hold, without
// holding it, so a run too large for the machine is refused before it allocates anything.
#pragma once

#include "engine/backend/backend.h"

namespace ffint8 {

class SizingBackend : public Backend
{
public:
    std::string name() const override { return "sizing"; }
    std::string description() const override { return "counts allocations, computes nothing"; }

    void upload(Tensor &, const void *, size_t, size_t) override { }
    void download(const Tensor &, void *, size_t, size_t) override { }
    void fillZero(Tensor &) override { }
    void gemmF32(Trans, Trans, int, int, int, float, const float *, int, const float *, int, float, float *,
                 int) override
    {
    }
    void gemmS8S8S32(Trans, Trans, int, int, int, const int8_t *, int, const int8_t *, int, int32_t *, int) override { }
    void quantise(const QuantiseArgs &) override { }
    void dequantise(const DequantiseArgs &) override { }
    void biasActivation(float *, int, int, const float *, bool) override { }
    void lengthNormalise(const float *, int, int, float, float *, float *) override { }
    void lengthNormaliseBackward(const float *, const float *, const float *, int, int, float, float *) override { }
    void ffLoss(const FfLossArgs &) override { }
    void ffClassGroupsLoss(const FfClassGroupsArgs &) override { }
    void lookaheadCombine(const float *, const float *, const float *, int, int, float, float *, float *) override { }
    void reluBackward(float *, const float *, int, int) override { }
    void columnSums(const float *, int, int, float, float *) override { }
    void transposeS8(const int8_t *, int, int, int8_t *) override { }
    void updateParameters(const UpdateArgs &) override { }
    void softmaxCrossEntropy(const float *, int, int, const int32_t *, float, float *, float *) override { }
    void quantisationDeviation(const float *, size_t, const float *, int, float *) override { }
    void im2colF32(const float *, const WindowGeometry &, int, float *) override { }
    void im2colS8(const int8_t *, const WindowGeometry &, int, int8_t *) override { }
    void col2imF32(const float *, const WindowGeometry &, int, float *) override { }
    void depthwiseConvF32(const float *, const WindowGeometry &, const float *, float *) override { }
    void depthwiseConvS8(const int8_t *, const WindowGeometry &, const int8_t *, int32_t *) override { }
    void depthwiseConvInputGradientF32(const float *, const WindowGeometry &, const float *, float *) override { }
    void depthwiseConvInputGradientS8(const int8_t *, const WindowGeometry &, const int8_t *, int32_t *) override { }
    void depthwiseConvWeightGradientF32(const float *, const float *, const WindowGeometry &, float *) override { }
    void depthwiseConvWeightGradientS8(const int8_t *, const int8_t *, const WindowGeometry &, int32_t *) override { }
    void batchNormForward(const BatchNormArgs &) override { }
    void batchNormBackward(const BatchNormBackwardArgs &) override { }
    void maxPoolForward(const float *, const WindowGeometry &, float *, int32_t *) override { }
    void maxPoolBackward(const float *, const int32_t *, const WindowGeometry &, float *) override { }
    void avgPoolForward(const float *, const WindowGeometry &, float *) override { }
    void avgPoolBackward(const float *, const WindowGeometry &, float *) override { }
    void addTensors(const float *, const float *, int, int, bool, float *) override { }
    void pointwiseForward(PointwiseFunction, const float *, int, int, float *) override { }
    void pointwiseBackward(PointwiseFunction, const float *, const float *, const float *, int, int, float *) override { }
    void dropout(const float *, int, int, float, uint64_t, uint64_t, float *) override { }
    double squaredNorm(const float *, size_t) override { return 0.0; }
    float maxAbsValue(const float *, size_t) override { return 0.0f; }

protected:
    // Never dereferenced (every op above is empty): one address stands for every tensor.
    void *rawAllocate(size_t) override { return &m_nothing; }
    void rawFree(void *) override { }

private:
    alignas(64) unsigned char m_nothing[64] = {};
};

} // namespace ffint8
