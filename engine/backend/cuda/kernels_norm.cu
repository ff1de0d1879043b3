// Kernels of batch normalisation (statistics, normalisation, gradients) and the element-wise add of
// residual blocks. The per-channel sums are in double as on the host (only their order differs);
// the element-wise FP32 arithmetic is the host's, operation by operation, without FMA contraction.
#include "engine/backend/cuda/device_common.cuh"

namespace ffint8::cuda {

namespace {

__device__ inline float inverseStd(float var, float eps)
{
    return 1.0f / sqrtf(__fadd_rn(var, eps));
}

// One block per channel: mean and biased variance in two passes, then the running statistics.
__global__ void batchNormStatisticsKernel(BatchNormArgs a)
{
    const int c = blockIdx.x;
    double sum = 0.0;
    for (int r = threadIdx.x; r < a.count; r += blockDim.x)
        sum += a.x[size_t(r) * a.channels + c];
    const double mean = blockSum(sum) / double(a.count);
    double squares = 0.0;
    for (int r = threadIdx.x; r < a.count; r += blockDim.x) {
        const double d = double(a.x[size_t(r) * a.channels + c]) - mean;
        squares += d * d;
    }
    squares = blockSum(squares);
    if (threadIdx.x != 0)
        return;
    const float meanF = float(mean);
    const float var = float(squares / double(a.count));
    const float unbiased = a.count > 1 ? float(squares / double(a.count - 1)) : var;
    const float keep = 1.0f - a.momentum;
    a.mean[c] = meanF;
    a.var[c] = var;
    a.runningMean[c] = __fadd_rn(__fmul_rn(keep, a.runningMean[c]), __fmul_rn(a.momentum, meanF));
    a.runningVar[c] = __fadd_rn(__fmul_rn(keep, a.runningVar[c]), __fmul_rn(a.momentum, unbiased));
}

__global__ void batchNormApplyKernel(BatchNormArgs a, size_t n)
{
    for (size_t i = globalThread(); i < n; i += gridThreads()) {
        const int c = int(i % size_t(a.channels));
        float t = __fmul_rn(__fsub_rn(a.x[i], a.mean[c]), inverseStd(a.var[c], a.eps));
        t = __fmul_rn(t, a.gamma[c]);
        a.y[i] = __fadd_rn(t, a.beta[c]);
    }
}

__global__ void batchNormGradientKernel(BatchNormBackwardArgs a)
{
    const int c = blockIdx.x;
    const float invStd = inverseStd(a.var[c], a.eps);
    double sumG = 0.0, sumGx = 0.0;
    for (int r = threadIdx.x; r < a.count; r += blockDim.x) {
        const size_t i = size_t(r) * a.channels + c;
        const float xhat = __fmul_rn(__fsub_rn(a.x[i], a.mean[c]), invStd);
        sumG += a.gradY[i];
        sumGx += double(a.gradY[i]) * double(xhat);
    }
    sumG = blockSum(sumG);
    sumGx = blockSum(sumGx);
    if (threadIdx.x == 0) {
        a.gradBeta[c] = float(sumG);
        a.gradGamma[c] = float(sumGx);
    }
}

__global__ void batchNormInputGradientKernel(BatchNormBackwardArgs a, size_t n)
{
    for (size_t i = globalThread(); i < n; i += gridThreads()) {
        const int c = int(i % size_t(a.channels));
        const float invStd = inverseStd(a.var[c], a.eps);
        const float k = __fmul_rn(a.gamma[c], invStd);
        const float mb = a.gradBeta[c] / float(a.count);
        const float mg = a.gradGamma[c] / float(a.count);
        const float xhat = __fmul_rn(__fsub_rn(a.x[i], a.mean[c]), invStd);
        const float d = __fsub_rn(__fsub_rn(a.gradY[i], mb), __fmul_rn(xhat, mg));
        a.gradX[i] = __fmul_rn(k, d);
    }
}

__global__ void addKernel(const float *a, const float *b, size_t n, bool relu, float *out)
{
    for (size_t i = globalThread(); i < n; i += gridThreads()) {
        const float v = b ? __fadd_rn(a[i], b[i]) : a[i];
        out[i] = relu && v < 0.0f ? 0.0f : v; // std::max(v, 0.0f): a NaN passes
    }
}

} // namespace

void launchBatchNormForward(Stream s, const BatchNormArgs &a)
{
    const size_t n = size_t(a.count) * size_t(a.channels);
    if (n == 0)
        return;
    if (a.training) {
        batchNormStatisticsKernel<<<a.channels, kThreads, 0, s.stream>>>(a);
        FFINT8_LAUNCHED(s, "batchNormStatisticsKernel");
    }
    batchNormApplyKernel<<<blocksFor(n), kThreads, 0, s.stream>>>(a, n);
    FFINT8_LAUNCHED(s, "batchNormApplyKernel");
}

void launchBatchNormBackward(Stream s, const BatchNormBackwardArgs &a)
{
    const size_t n = size_t(a.count) * size_t(a.channels);
    if (n == 0)
        return;
    batchNormGradientKernel<<<a.channels, kThreads, 0, s.stream>>>(a);
    FFINT8_LAUNCHED(s, "batchNormGradientKernel");
    if (!a.gradX)
        return;
    batchNormInputGradientKernel<<<blocksFor(n), kThreads, 0, s.stream>>>(a, n);
    FFINT8_LAUNCHED(s, "batchNormInputGradientKernel");
}

void launchAddTensors(Stream s, const float *a, const float *b, int rows, int cols, bool relu, float *out)
{
    const size_t n = size_t(rows) * size_t(cols);
    if (n == 0)
        return;
    addKernel<<<blocksFor(n), kThreads, 0, s.stream>>>(a, b, n, relu, out);
    FFINT8_LAUNCHED(s, "addKernel");
}

} // namespace ffint8::cuda
