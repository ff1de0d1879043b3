// The cuda backend: INT8 GEMMs on the tensor cores through cuBLASLt (IMMA, TN layout, padded where
// needed), FP32/TF32 GEMMs through cuBLASLt, and the engine's other ops as CUDA kernels, all on one
// stream, with tensor memory from a caching device pool. Tensor pointers are device pointers;
// results reach the host only through download() and the ops that return numbers (metrics).
#pragma once

#include "engine/backend/backend.h"
#include "engine/backend/cuda/device_pool.h"

#include <cuda_runtime_api.h>

#include <memory>
#include <string>

namespace ffint8::cuda {
class LtGemm;
struct Stream;
} // namespace ffint8::cuda

namespace ffint8 {

class CudaBackend final : public Backend
{
public:
    // Throws EngineError naming the failed CUDA or cuBLASLt call (no device, no driver, no memory).
    explicit CudaBackend(int device = 0);
    ~CudaBackend() override;

    std::string name() const override { return "cuda"; }
    std::string description() const override;
    void attachToThread() override;

    void upload(Tensor &dst, const void *host, size_t bytes, size_t offsetBytes = 0) override;
    void download(const Tensor &src, void *host, size_t bytes, size_t offsetBytes = 0) override;
    void fillZero(Tensor &t) override;
    void synchronize() override;

    void gemmF32(Trans ta, Trans tb, int m, int n, int k, float alpha, const float *a, int lda, const float *b,
                 int ldb, float beta, float *c, int ldc) override;
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

    // --- beyond the Backend interface: settings and figures for benchmarks ---
    // FP32 GEMMs on the TF32 tensor cores (10-bit mantissa products). Off by default; the
    // environment variable FFINT8_CUDA_TF32=1 turns it on for a whole process.
    void setTf32(bool on) { m_tf32 = on; }
    bool tf32() const { return m_tf32; }
    // Row-major FP16 GEMM with FP32 accumulation (FP16 output), for rate comparisons only.
    void gemmF16(Trans ta, Trans tb, int m, int n, int k, const void *a, int lda, const void *b, int ldb, void *c,
                 int ldc);
    // FP32 -> FP16 on the device (`half` holds count FP16 values).
    void toHalf(const float *x, size_t count, void *half);
    // Kernel launches and cuBLASLt calls (each counted as one) since construction; copies apart.
    uint64_t launches() const { return m_launches; }
    uint64_t copies() const { return m_copies; }
    // Bytes copied host to device and device to host since construction.
    uint64_t bytesIn() const { return m_bytesIn; }
    uint64_t bytesOut() const { return m_bytesOut; }
    cuda::PoolStats poolStats() const { return m_pool.stats(); }
    // Returns cached device memory to the driver and restarts the pool's peak (between benchmarks).
    void trimPool()
    {
        synchronize();
        m_pool.trim();
        m_pool.resetPeak();
    }
    size_t cachedGemmPlans() const;
    std::string deviceName() const { return m_deviceName; }
    int computeCapability() const { return m_ccMajor * 10 + m_ccMinor; }
    int multiprocessors() const { return m_multiprocessors; }

protected:
    void *rawAllocate(size_t bytes) override;
    void rawFree(void *p) override;

private:
    cuda::Stream stream();
    // A scratch tensor of at least `bytes`, grown (never shrunk) on demand: after the first steps of
    // a run every scratch has its final size and nothing is allocated inside a step.
    void *scratch(Tensor &t, size_t bytes);
    void copyToHost(void *host, const void *device, size_t bytes);
    // The scratch of a depthwise weight gradient's per-block sums of `sumBytes` each (geometry checked).
    void *depthwisePartials(const WindowGeometry &g, size_t sumBytes);

    // Declared first so that it is destroyed last, after every tensor below has returned its block.
    cuda::DevicePool m_pool;
    int m_device = 0;
    std::string m_deviceName;
    int m_ccMajor = 0, m_ccMinor = 0, m_multiprocessors = 0;
    size_t m_totalMemory = 0;
    cudaStream_t m_stream = nullptr;
    uint64_t m_launches = 0;
    uint64_t m_copies = 0;
    uint64_t m_bytesIn = 0, m_bytesOut = 0;
    bool m_tf32 = false;

    Tensor m_workspace;    // cuBLASLt's workspace: 32 MiB on Hopper and later, 4 MiB before
    std::unique_ptr<cuda::LtGemm> m_lt;
    Tensor m_scaleScratch; // two words for the per-tensor max reduction (kept zero between calls)
    Tensor m_badRow;       // one word: a softmax row with an invalid label
    Tensor m_packA, m_packB, m_stageC, m_rowScratch, m_partials, m_clips;
    Tensor m_depthwisePartials; // a depthwise weight gradient's per-block sums
};

} // namespace ffint8
