// Element-wise kernels of FF training: dequantise + bias + ReLU, length normalisation and its
// backward, goodness + FF loss + output gradient, the look-ahead combination, ReLU backward and
// column sums. Each repeats the host kernels' arithmetic in the same order (dot products in the
// host's 16 running partial sums), so most agree bit for bit with the reference backend.
#include "engine/backend/cuda/device_common.cuh"

namespace ffint8::cuda {

namespace {

// Rows handled by one block of the row kernels: one warp each.
constexpr int kRowsPerBlock = 4;

// hostkernels::dot: lane j of 16 sums a[c] * b[c] for c = j mod 16 in order (the host compiler
// contracts that loop into FMAs), then the 16 partial sums are added in lane order. Every lane of
// the warp gets the result.
__device__ inline float dot16(const float *a, const float *b, int n)
{
    const int lane = threadIdx.x % 32;
    float partial = 0.0f;
    if (lane < 16)
        for (int c = lane; c < n; c += 16)
            partial = fmaf(a[c], b[c], partial);
    float sum = 0.0f;
    for (int j = 0; j < 16; ++j)
        sum += __shfl_sync(0xFFFFFFFFu, partial, j);
    return sum;
}

__global__ void dequantiseKernel(const int32_t *acc, int rows, int cols, const float *scaleA, const float *scaleB,
                                 bool perColumn, const float *bias, bool relu, float *y)
{
    const float sa = scaleA ? *scaleA : 1.0f;
    const float sb = scaleB && !perColumn ? *scaleB : 1.0f;
    const float tensorScale = __fmul_rn(sa, sb);
    const size_t n = size_t(rows) * size_t(cols);
    for (size_t i = globalThread(); i < n; i += gridThreads()) {
        const int c = int(i % size_t(cols));
        // The host stores the product before adding the bias: no FMA contraction across them.
        float v = __fmul_rn(float(acc[i]), perColumn ? __fmul_rn(sa, scaleB[c]) : tensorScale);
        if (bias)
            v = __fadd_rn(v, bias[c]);
        if (relu)
            v = v < 0.0f ? 0.0f : v; // std::max(v, 0.0f)
        y[i] = v;
    }
}

__global__ void biasActivationKernel(float *y, int rows, int cols, const float *bias, bool relu)
{
    const size_t n = size_t(rows) * size_t(cols);
    for (size_t i = globalThread(); i < n; i += gridThreads()) {
        float v = y[i];
        if (bias)
            v = __fadd_rn(v, bias[i % size_t(cols)]);
        if (relu)
            v = v < 0.0f ? 0.0f : v;
        y[i] = v;
    }
}

__global__ void lengthNormaliseKernel(const float *x, int rows, int cols, float eps, float *out, float *norms)
{
    const int r = blockIdx.x * kRowsPerBlock + threadIdx.x / 32;
    if (r >= rows)
        return;
    const float *row = x + size_t(r) * cols;
    const float n = sqrtf(dot16(row, row, cols));
    const float inv = 1.0f / (n + eps);
    float *o = out + size_t(r) * cols;
    for (int c = threadIdx.x % 32; c < cols; c += 32)
        o[c] = row[c] * inv;
    if (threadIdx.x % 32 == 0)
        norms[r] = n;
}

__global__ void lengthNormaliseBackwardKernel(const float *out, const float *norms, const float *gradOut, int rows,
                                              int cols, float eps, float *gradIn)
{
    const int r = blockIdx.x * kRowsPerBlock + threadIdx.x / 32;
    if (r >= rows)
        return;
    const float *o = out + size_t(r) * cols;
    const float *g = gradOut + size_t(r) * cols;
    const float n = norms[r];
    const float invD = 1.0f / (n + eps);
    const float k = n > 0.0f ? dot16(o, g, cols) / n : 0.0f;
    float *gi = gradIn + size_t(r) * cols;
    for (int c = threadIdx.x % 32; c < cols; c += 32)
        gi[c] = g[c] * invD - o[c] * k;
}

__device__ inline float softplus(float z) { return fmaxf(z, 0.0f) + log1pf(expf(-fabsf(z))); }
__device__ inline float sigmoid(float z) { return 1.0f / (1.0f + expf(-z)); }

__global__ void ffLossKernel(FfLossArgs a)
{
    const int r = blockIdx.x * kRowsPerBlock + threadIdx.x / 32;
    if (r >= a.rows)
        return;
    const float perUnit = a.goodness == Goodness::Mean ? 1.0f / float(a.cols) : 1.0f;
    const float *y = a.y + size_t(r) * a.cols;
    const float g = dot16(y, y, a.cols) * perUnit;
    const bool positive = r < a.positiveRows;
    // Positive rows want G above theta, negative rows below it.
    const float z = positive ? a.theta - g : g - a.theta;
    const float dLdG = positive ? -sigmoid(z) : sigmoid(z);
    if (threadIdx.x % 32 == 0) {
        if (a.goodnessOut)
            a.goodnessOut[r] = g;
        if (a.lossOut)
            a.lossOut[r] = softplus(z);
    }
    if (a.gradY) {
        const float k = a.lossScale * dLdG * 2.0f * perUnit;
        float *gy = a.gradY + size_t(r) * a.cols;
        for (int c = threadIdx.x % 32; c < a.cols; c += 32)
            gy[c] = k * y[c];
    }
}

__global__ void lookaheadCombineKernel(const float *own, const float *later, const float *y, size_t n, float lambda,
                                       float *gradUpdate, float *gradPropagate)
{
    for (size_t i = globalThread(); i < n; i += gridThreads()) {
        const float mask = !y || y[i] > 0.0f ? 1.0f : 0.0f;
        const float l = later ? later[i] : 0.0f;
        gradUpdate[i] = fmaf(lambda, l, own[i]) * mask; // the host compiler contracts own + lambda * l
        if (later && gradPropagate)
            gradPropagate[i] = (own[i] + l) * mask;
    }
}

__global__ void reluBackwardKernel(float *g, const float *y, size_t n)
{
    for (size_t i = globalThread(); i < n; i += gridThreads())
        g[i] = y[i] > 0.0f ? g[i] : 0.0f;
}

// One thread per column, rows in order: the host's summation order, so the same bits.
__global__ void columnSumsKernel(const float *g, int rows, int cols, float alpha, float *out)
{
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cols)
        return;
    float sum = 0.0f;
#pragma unroll 8
    for (int r = 0; r < rows; ++r)
        sum += g[size_t(r) * cols + c];
    out[c] = sum * alpha;
}

int rowBlocks(int rows) { return (rows + kRowsPerBlock - 1) / kRowsPerBlock; }

} // namespace

void launchDequantise(Stream s, const DequantiseArgs &a)
{
    const size_t n = size_t(a.rows) * size_t(a.cols);
    if (n == 0)
        return;
    // Per column without scales is a factor of 1, as on the host (which then never reads scaleB).
    dequantiseKernel<<<blocksFor(n), kThreads, 0, s.stream>>>(a.acc, a.rows, a.cols, a.scaleA, a.scaleB,
                                                             a.scaleBPerColumn && a.scaleB, a.bias, a.relu, a.y);
    FFINT8_LAUNCHED(s, "dequantiseKernel");
}

void launchBiasActivation(Stream s, float *y, int rows, int cols, const float *bias, bool relu)
{
    const size_t n = size_t(rows) * size_t(cols);
    if (n == 0 || (!bias && !relu))
        return;
    biasActivationKernel<<<blocksFor(n), kThreads, 0, s.stream>>>(y, rows, cols, bias, relu);
    FFINT8_LAUNCHED(s, "biasActivationKernel");
}

void launchLengthNormalise(Stream s, const float *x, int rows, int cols, float eps, float *out, float *norms)
{
    if (rows == 0)
        return;
    lengthNormaliseKernel<<<rowBlocks(rows), 32 * kRowsPerBlock, 0, s.stream>>>(x, rows, cols, eps, out, norms);
    FFINT8_LAUNCHED(s, "lengthNormaliseKernel");
}

void launchLengthNormaliseBackward(Stream s, const float *out, const float *norms, const float *gradOut, int rows,
                                   int cols, float eps, float *gradIn)
{
    if (rows == 0)
        return;
    lengthNormaliseBackwardKernel<<<rowBlocks(rows), 32 * kRowsPerBlock, 0, s.stream>>>(out, norms, gradOut, rows, cols,
                                                                                       eps, gradIn);
    FFINT8_LAUNCHED(s, "lengthNormaliseBackwardKernel");
}

void launchFfLoss(Stream s, const FfLossArgs &a)
{
    if (a.rows == 0)
        return;
    ffLossKernel<<<rowBlocks(a.rows), 32 * kRowsPerBlock, 0, s.stream>>>(a);
    FFINT8_LAUNCHED(s, "ffLossKernel");
}

void launchLookaheadCombine(Stream s, const float *own, const float *later, const float *y, int rows, int cols,
                            float lambda, float *gradUpdate, float *gradPropagate)
{
    const size_t n = size_t(rows) * size_t(cols);
    if (n == 0)
        return;
    lookaheadCombineKernel<<<blocksFor(n), kThreads, 0, s.stream>>>(own, later, y, n, lambda, gradUpdate, gradPropagate);
    FFINT8_LAUNCHED(s, "lookaheadCombineKernel");
}

void launchReluBackward(Stream s, float *g, const float *y, int rows, int cols)
{
    const size_t n = size_t(rows) * size_t(cols);
    if (n == 0)
        return;
    reluBackwardKernel<<<blocksFor(n), kThreads, 0, s.stream>>>(g, y, n);
    FFINT8_LAUNCHED(s, "reluBackwardKernel");
}

void launchColumnSums(Stream s, const float *g, int rows, int cols, float alpha, float *out)
{
    if (cols == 0)
        return;
    columnSumsKernel<<<(cols + 127) / 128, 128, 0, s.stream>>>(g, rows, cols, alpha, out);
    FFINT8_LAUNCHED(s, "columnSumsKernel");
}

} // namespace ffint8::cuda
