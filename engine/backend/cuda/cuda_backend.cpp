// The cuda backend (see cuda_backend.h): memory, copies, GEMMs through cuBLASLt and the dispatch
// of every other op to its kernel launcher.
#include "engine/backend/cuda/cuda_backend.h"

#include "engine/backend/cuda/cuda_check.h"
#include "engine/backend/cuda/cuda_kernels.h"
#include "engine/backend/cuda/gemm_plan.h"
#include "engine/backend/cuda/lt_gemm.h"
#include "engine/core/error.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace ffint8 {

namespace {

std::string versionText(int v) { return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10); }

// cuda-int8.md: 32 MiB of cuBLASLt workspace on Hopper, 4 MiB before it.
size_t workspaceBytesFor(int ccMajor) { return ccMajor >= 9 ? size_t(32) << 20 : size_t(4) << 20; }

void checkRange(const char *what, size_t offset, size_t bytes, size_t size)
{
    if (offset + bytes > size)
        throw EngineError(std::string(what) + " of " + std::to_string(bytes) + " bytes at offset " +
                          std::to_string(offset) + " past the end of a tensor of " + std::to_string(size));
}

} // namespace

CudaBackend::CudaBackend(int device) : m_device(device)
{
    FFINT8_CUDA_CHECK(cudaSetDevice(device));
    cudaDeviceProp prop{};
    FFINT8_CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
    m_deviceName = prop.name;
    m_ccMajor = prop.major;
    m_ccMinor = prop.minor;
    m_multiprocessors = prop.multiProcessorCount;
    m_totalMemory = prop.totalGlobalMem;
    FFINT8_CUDA_CHECK(cudaStreamCreateWithFlags(&m_stream, cudaStreamNonBlocking));
    const char *tf32 = std::getenv("FFINT8_CUDA_TF32");
    m_tf32 = tf32 && std::strcmp(tf32, "1") == 0;

    const size_t workspace = workspaceBytesFor(m_ccMajor);
    m_workspace = allocate(1, int(workspace), DType::S8, MemoryCategory::Workspace);
    m_lt = std::make_unique<cuda::LtGemm>(m_stream, m_workspace.raw(), workspace);
    m_scaleScratch = allocate(1, 2, DType::S32, MemoryCategory::Workspace);
    m_badRow = allocate(1, 1, DType::S32, MemoryCategory::Workspace);
    fillZero(m_scaleScratch);
    fillZero(m_badRow);
    synchronize();
}

CudaBackend::~CudaBackend()
{
    // Work still queued may read tensors that are about to be freed.
    cudaStreamSynchronize(m_stream);
    m_lt.reset();
    if (m_stream)
        cudaStreamDestroy(m_stream);
    m_stream = nullptr;
}

std::string CudaBackend::description() const
{
    int runtime = 0, driver = 0;
    cudaRuntimeGetVersion(&runtime);
    cudaDriverGetVersion(&driver);
    return m_deviceName + " (compute capability " + std::to_string(m_ccMajor) + "." + std::to_string(m_ccMinor) + ", " +
           std::to_string(m_multiprocessors) + " SMs, " + std::to_string(m_totalMemory >> 20) + " MiB), CUDA runtime " +
           versionText(runtime) + ", driver " + versionText(driver) + ", cuBLASLt " +
           std::to_string(cublasLtGetVersion()) + (m_tf32 ? ", FP32 GEMMs in TF32" : ", FP32 GEMMs in FP32");
}

void CudaBackend::attachToThread() { FFINT8_CUDA_CHECK(cudaSetDevice(m_device)); }

cuda::Stream CudaBackend::stream() { return cuda::Stream{m_stream, &m_launches}; }

void *CudaBackend::rawAllocate(size_t bytes) { return m_pool.allocate(bytes); }

void CudaBackend::rawFree(void *p) { m_pool.release(p); }

void *CudaBackend::scratch(Tensor &t, size_t bytes)
{
    if (t.empty() || t.bytes() < bytes) {
        if (bytes > size_t(INT32_MAX))
            throw EngineError("cuda backend: scratch of " + std::to_string(bytes) + " bytes is larger than a tensor can be");
        t = Tensor(); // back to the pool first, so the larger block may reuse its memory
        t = allocate(1, int(bytes), DType::S8, MemoryCategory::Workspace);
    }
    return t.raw();
}

void CudaBackend::upload(Tensor &dst, const void *host, size_t bytes, size_t offsetBytes)
{
    checkRange("upload", offsetBytes, bytes, dst.bytes());
    if (bytes == 0)
        return;
    // From pageable memory the call returns once the data is staged, so `host` may change after it.
    FFINT8_CUDA_CHECK(cudaMemcpyAsync(static_cast<char *>(dst.raw()) + offsetBytes, host, bytes,
                                      cudaMemcpyHostToDevice, m_stream));
    ++m_copies;
    m_bytesIn += bytes;
}

void CudaBackend::copyToHost(void *host, const void *device, size_t bytes)
{
    FFINT8_CUDA_CHECK(cudaMemcpyAsync(host, device, bytes, cudaMemcpyDeviceToHost, m_stream));
    ++m_copies;
    m_bytesOut += bytes;
    FFINT8_CUDA_CHECK(cudaStreamSynchronize(m_stream));
}

void CudaBackend::download(const Tensor &src, void *host, size_t bytes, size_t offsetBytes)
{
    checkRange("download", offsetBytes, bytes, src.bytes());
    if (bytes == 0)
        return;
    copyToHost(host, static_cast<const char *>(src.raw()) + offsetBytes, bytes);
}

void CudaBackend::fillZero(Tensor &t)
{
    FFINT8_CUDA_CHECK(cudaMemsetAsync(t.raw(), 0, t.bytes(), m_stream));
    ++m_launches;
}

void CudaBackend::synchronize() { FFINT8_CUDA_CHECK(cudaStreamSynchronize(m_stream)); }

size_t CudaBackend::cachedGemmPlans() const { return m_lt->cachedProblems(); }

void CudaBackend::gemmF32(Trans ta, Trans tb, int m, int n, int k, float alpha, const float *a, int lda,
                          const float *b, int ldb, float beta, float *c, int ldc)
{
    if (m == 0 || n == 0)
        return;
    if (k == 0) {
        if (beta != 0.0f)
            throw EngineError("cuda gemm_f32: k = 0 with beta != 0 (m=" + std::to_string(m) + " n=" + std::to_string(n) +
                              ") is not supported");
        FFINT8_CUDA_CHECK(cudaMemset2DAsync(c, size_t(ldc) * 4, 0, size_t(n) * 4, size_t(m), m_stream));
        ++m_launches;
        return;
    }
    const cuda::LtProblem p = cuda::rowMajorAsColumnMajor(
        m_tf32 ? cuda::LtKind::Tf32 : cuda::LtKind::F32, ta, tb, m, n, k, lda, ldb, ldc, cuda::pointerAlignment(a),
        cuda::pointerAlignment(b), cuda::pointerAlignment(c), beta != 0.0f);
    m_lt->matmul(p, &alpha, b, a, &beta, c);
    ++m_launches;
}

void CudaBackend::gemmF16(Trans ta, Trans tb, int m, int n, int k, const void *a, int lda, const void *b, int ldb,
                          void *c, int ldc)
{
    const float alpha = 1.0f, beta = 0.0f;
    const cuda::LtProblem p = cuda::rowMajorAsColumnMajor(cuda::LtKind::F16, ta, tb, m, n, k, lda, ldb, ldc,
                                                          cuda::pointerAlignment(a), cuda::pointerAlignment(b),
                                                          cuda::pointerAlignment(c), false);
    m_lt->matmul(p, &alpha, b, a, &beta, c);
    ++m_launches;
}

void CudaBackend::toHalf(const float *x, size_t count, void *half) { cuda::launchToHalf(stream(), x, count, half); }

void CudaBackend::gemmS8S8S32(Trans ta, Trans tb, int m, int n, int k, const int8_t *a, int lda, const int8_t *b,
                              int ldb, int32_t *c, int ldc)
{
    if (m == 0 || n == 0)
        return;
    if (k == 0) {
        FFINT8_CUDA_CHECK(cudaMemset2DAsync(c, size_t(ldc) * 4, 0, size_t(n) * 4, size_t(m), m_stream));
        ++m_launches;
        return;
    }
    const int alignA = cuda::pointerAlignment(a), alignB = cuda::pointerAlignment(b), alignC = cuda::pointerAlignment(c);
    cuda::Int8GemmPlan plan = cuda::planInt8Gemm(ta, tb, m, n, k, lda, ldb, ldc, alignA, alignB, alignC, false);
    // Operands usable in place but refused by every algorithm: repack both with the safer 16-padding.
    if (!m_lt->supported(plan.problem))
        plan = cuda::planInt8Gemm(ta, tb, m, n, k, lda, ldb, ldc, alignA, alignB, alignC, true);

    const int8_t *aOperand = a, *bOperand = b;
    int32_t *out = c;
    if (plan.packA) {
        auto *dst = static_cast<int8_t *>(scratch(m_packA, plan.packABytes));
        cuda::launchPackInt8(stream(), a, lda, ta == Trans::Yes, m, k, plan.mPadded, plan.kPadded, dst);
        aOperand = dst;
    }
    if (plan.packB) {
        // B' is [n x k] with K contiguous: B as stored when tb == Yes, its transpose otherwise.
        auto *dst = static_cast<int8_t *>(scratch(m_packB, plan.packBBytes));
        cuda::launchPackInt8(stream(), b, ldb, tb == Trans::No, n, k, plan.nPadded, plan.kPadded, dst);
        bOperand = dst;
    }
    if (plan.stageC)
        out = static_cast<int32_t *>(scratch(m_stageC, plan.stageCBytes));
    const int32_t one = 1, zero = 0;
    m_lt->matmul(plan.problem, &one, bOperand, aOperand, &zero, out);
    ++m_launches;
    if (plan.stageC)
        cuda::launchCopyInt32(stream(), out, plan.nPadded, m, n, c, ldc);
}

void CudaBackend::quantise(const QuantiseArgs &a)
{
    if (a.clip && a.perRow)
        throw EngineError("quantise: a clipping value applies to per-tensor quantisation only");
    cuda::launchQuantise(stream(), a, static_cast<unsigned *>(m_scaleScratch.raw()));
}

void CudaBackend::dequantise(const DequantiseArgs &a) { cuda::launchDequantise(stream(), a); }

void CudaBackend::biasActivation(float *y, int rows, int cols, const float *bias, bool relu)
{
    cuda::launchBiasActivation(stream(), y, rows, cols, bias, relu);
}

void CudaBackend::lengthNormalise(const float *x, int rows, int cols, float eps, float *out, float *norms)
{
    cuda::launchLengthNormalise(stream(), x, rows, cols, eps, out, norms);
}

void CudaBackend::lengthNormaliseBackward(const float *out, const float *norms, const float *gradOut, int rows,
                                          int cols, float eps, float *gradIn)
{
    cuda::launchLengthNormaliseBackward(stream(), out, norms, gradOut, rows, cols, eps, gradIn);
}

void CudaBackend::ffLoss(const FfLossArgs &a) { cuda::launchFfLoss(stream(), a); }
void CudaBackend::ffClassGroupsLoss(const FfClassGroupsArgs &a)
{
    if (a.classes > cuda::kMaxClassGroups)
        throw EngineError("ffClassGroupsLoss: " + std::to_string(a.classes) + " classes; the cuda backend takes at most "
                          + std::to_string(cuda::kMaxClassGroups));
    cuda::launchFfClassGroups(stream(), a);
}

void CudaBackend::lookaheadCombine(const float *own, const float *later, const float *y, int rows, int cols,
                                   float lambda, float *gradUpdate, float *gradPropagate)
{
    cuda::launchLookaheadCombine(stream(), own, later, y, rows, cols, lambda, gradUpdate, gradPropagate);
}

void CudaBackend::reluBackward(float *g, const float *y, int rows, int cols)
{
    cuda::launchReluBackward(stream(), g, y, rows, cols);
}

void CudaBackend::columnSums(const float *g, int rows, int cols, float alpha, float *out)
{
    cuda::launchColumnSums(stream(), g, rows, cols, alpha, out);
}

void CudaBackend::transposeS8(const int8_t *src, int rows, int cols, int8_t *dst)
{
    if (rows == 0 || cols == 0)
        return;
    // The pack kernel with its source read transposed and no padding is exactly a transpose.
    cuda::launchPackInt8(stream(), src, cols, true, cols, rows, cols, rows, dst);
}

void CudaBackend::updateParameters(const UpdateArgs &a)
{
    if (!a.master && (!a.q || !a.qPerRow))
        throw EngineError("updateParameters: INT8 weights without an FP32 master copy need per-row scales");
    float *rowScratch = a.master ? nullptr
                                 : static_cast<float *>(scratch(m_rowScratch, size_t(a.rows) * size_t(a.cols) * sizeof(float)));
    cuda::launchUpdate(stream(), a, rowScratch);
    if (a.q && !a.qPerRow) {
        // A per-tensor INT8 copy needs the maximum over the whole updated tensor: a second pass.
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

void CudaBackend::softmaxCrossEntropy(const float *logits, int rows, int cols, const int32_t *labels, float lossScale,
                                      float *lossOut, float *gradLogits)
{
    auto *badRow = static_cast<int *>(m_badRow.raw());
    cuda::launchSoftmaxCrossEntropy(stream(), logits, rows, cols, labels, lossScale, lossOut, gradLogits, badRow);
    // The labels live on the device: whether one was out of range is known only after the kernel.
    int bad = 0;
    copyToHost(&bad, badRow, sizeof bad);
    if (bad == 0)
        return;
    const int row = rows - bad;
    int32_t label = 0;
    copyToHost(&label, labels + row, sizeof label);
    fillZero(m_badRow);
    throw EngineError("softmaxCrossEntropy: label " + std::to_string(label) + " of row " + std::to_string(row) +
                      " is not one of the " + std::to_string(cols) + " classes");
}

void CudaBackend::quantisationDeviation(const float *x, size_t count, const float *clipsHost, int clipCount,
                                        float *deviationsHost)
{
    if (clipCount <= 0)
        return;
    auto *clips = static_cast<float *>(scratch(m_clips, size_t(clipCount) * sizeof(float)));
    FFINT8_CUDA_CHECK(cudaMemcpyAsync(clips, clipsHost, size_t(clipCount) * sizeof(float), cudaMemcpyHostToDevice, m_stream));
    ++m_copies;
    m_bytesIn += size_t(clipCount) * sizeof(float);
    const size_t stride = 1 + 2 * size_t(clipCount);
    const size_t values = size_t(cuda::kReductionBlocks) * stride;
    auto *partials = static_cast<double *>(scratch(m_partials, values * sizeof(double)));
    cuda::launchDeviationPartials(stream(), x, count, clips, clipCount, partials);
    std::vector<double> host(values);
    copyToHost(host.data(), partials, values * sizeof(double));
    std::vector<double> sums(stride, 0.0);
    for (int b = 0; b < cuda::kReductionBlocks; ++b)
        for (size_t j = 0; j < stride; ++j)
            sums[j] += host[size_t(b) * stride + j];
    for (int i = 0; i < clipCount; ++i) {
        const double xq = sums[1 + 2 * size_t(i)], qq = sums[2 + 2 * size_t(i)];
        const double denominator = std::sqrt(sums[0] * qq);
        deviationsHost[i] = denominator > 0.0 ? float(1.0 - xq / denominator) : 0.0f;
    }
}

void CudaBackend::im2colF32(const float *x, const WindowGeometry &g, int groups, float *cols)
{
    checkWindowGeometry("im2col", g, groups, false);
    cuda::launchIm2colF32(stream(), x, g, groups, cols);
}

void CudaBackend::im2colS8(const int8_t *x, const WindowGeometry &g, int groups, int8_t *cols)
{
    checkWindowGeometry("im2col", g, groups, false);
    cuda::launchIm2colS8(stream(), x, g, groups, cols);
}

void CudaBackend::col2imF32(const float *cols, const WindowGeometry &g, int groups, float *gradX)
{
    checkWindowGeometry("col2im", g, groups, false);
    cuda::launchCol2imF32(stream(), cols, g, groups, gradX);
}

void CudaBackend::depthwiseConvF32(const float *x, const WindowGeometry &g, const float *w, float *y)
{
    checkWindowGeometry("depthwise_conv", g, g.channels, false);
    cuda::launchDepthwiseConvF32(stream(), x, g, w, y);
}

void CudaBackend::depthwiseConvS8(const int8_t *x, const WindowGeometry &g, const int8_t *w, int32_t *y)
{
    checkWindowGeometry("depthwise_conv", g, g.channels, false);
    cuda::launchDepthwiseConvS8(stream(), x, g, w, y);
}

void CudaBackend::depthwiseConvInputGradientF32(const float *gradY, const WindowGeometry &g, const float *w,
                                                float *gradX)
{
    checkWindowGeometry("depthwise_conv_input_gradient", g, g.channels, false);
    cuda::launchDepthwiseInputGradientF32(stream(), gradY, g, w, gradX);
}

void CudaBackend::depthwiseConvInputGradientS8(const int8_t *gradY, const WindowGeometry &g, const int8_t *w,
                                               int32_t *gradX)
{
    checkWindowGeometry("depthwise_conv_input_gradient", g, g.channels, false);
    cuda::launchDepthwiseInputGradientS8(stream(), gradY, g, w, gradX);
}

void *CudaBackend::depthwisePartials(const WindowGeometry &g, size_t sumBytes)
{
    checkWindowGeometry("depthwise_conv_weight_gradient", g, g.channels, false);
    const size_t sums = size_t(cuda::depthwiseRowBlocks(g)) * g.kernelH * g.kernelW * g.channels;
    return scratch(m_depthwisePartials, std::max<size_t>(sums, 1) * sumBytes);
}

void CudaBackend::depthwiseConvWeightGradientF32(const float *x, const float *gradY, const WindowGeometry &g,
                                                 float *gradW)
{
    cuda::launchDepthwiseWeightGradientF32(stream(), x, gradY, g, gradW, depthwisePartials(g, sizeof(double)));
}

void CudaBackend::depthwiseConvWeightGradientS8(const int8_t *x, const int8_t *gradY, const WindowGeometry &g,
                                                int32_t *gradW)
{
    cuda::launchDepthwiseWeightGradientS8(stream(), x, gradY, g, gradW, depthwisePartials(g, sizeof(int32_t)));
}

void CudaBackend::batchNormForward(const BatchNormArgs &a) { cuda::launchBatchNormForward(stream(), a); }

void CudaBackend::batchNormBackward(const BatchNormBackwardArgs &a) { cuda::launchBatchNormBackward(stream(), a); }

void CudaBackend::maxPoolForward(const float *x, const WindowGeometry &g, float *y, int32_t *argmax)
{
    checkWindowGeometry("max_pool", g, 1, true);
    cuda::launchMaxPoolForward(stream(), x, g, y, argmax);
}

void CudaBackend::maxPoolBackward(const float *gradY, const int32_t *argmax, const WindowGeometry &g, float *gradX)
{
    checkWindowGeometry("max_pool_backward", g, 1, true);
    cuda::launchMaxPoolBackward(stream(), gradY, argmax, g, gradX);
}

void CudaBackend::avgPoolForward(const float *x, const WindowGeometry &g, float *y)
{
    checkWindowGeometry("avg_pool", g, 1, true);
    cuda::launchAvgPoolForward(stream(), x, g, y);
}

void CudaBackend::avgPoolBackward(const float *gradY, const WindowGeometry &g, float *gradX)
{
    checkWindowGeometry("avg_pool_backward", g, 1, true);
    cuda::launchAvgPoolBackward(stream(), gradY, g, gradX);
}

void CudaBackend::addTensors(const float *a, const float *b, int rows, int cols, bool relu, float *out)
{
    cuda::launchAddTensors(stream(), a, b, rows, cols, relu, out);
}

void CudaBackend::pointwiseForward(PointwiseFunction f, const float *x, int rows, int cols, float *y)
{
    cuda::launchPointwiseForward(stream(), f, x, rows, cols, y);
}

void CudaBackend::pointwiseBackward(PointwiseFunction f, const float *x, const float *y, const float *gradY, int rows,
                                    int cols, float *gradX)
{
    cuda::launchPointwiseBackward(stream(), f, x, y, gradY, rows, cols, gradX);
}

void CudaBackend::dropout(const float *x, int rows, int cols, float rate, uint64_t seed, uint64_t counter, float *y)
{
    cuda::launchDropout(stream(), x, rows, cols, rate, seed, counter, y);
}

double CudaBackend::squaredNorm(const float *x, size_t count)
{
    auto *partials = static_cast<double *>(scratch(m_partials, cuda::kReductionBlocks * sizeof(double)));
    cuda::launchSquaredNormPartials(stream(), x, count, partials);
    std::vector<double> host(cuda::kReductionBlocks);
    copyToHost(host.data(), partials, host.size() * sizeof(double));
    double sum = 0.0;
    for (double v : host)
        sum += v;
    return sum;
}

float CudaBackend::maxAbsValue(const float *x, size_t count)
{
    auto *partials = static_cast<unsigned *>(scratch(m_partials, cuda::kReductionBlocks * sizeof(unsigned)));
    cuda::launchMaxAbsPartials(stream(), x, count, partials);
    std::vector<unsigned> host(cuda::kReductionBlocks);
    copyToHost(host.data(), partials, host.size() * sizeof(unsigned));
    const unsigned bits = *std::max_element(host.begin(), host.end());
    float result;
    std::memcpy(&result, &bits, sizeof result);
    return result;
}

} // namespace ffint8
