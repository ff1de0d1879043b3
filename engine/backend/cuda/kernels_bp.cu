// Kernels of the backpropagation baselines (softmax cross-entropy) and the reductions whose result
// the host needs (squared norm, max |x|, the quantisation deviation of BP-UI8's clipping search),
// plus the FP32 -> FP16 conversion of the benchmark's FP16 GEMMs.
#include "engine/backend/cuda/device_common.cuh"

#include <cuda_fp16.h>

namespace ffint8::cuda {

namespace {

// One thread per row (the class count is small); double precision as hostkernels::softmaxCrossEntropyRows.
__global__ void softmaxCrossEntropyKernel(const float *logits, int rows, int cols, const int32_t *labels,
                                          float lossScale, float *lossOut, float *gradLogits, int *badRow)
{
    const int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= rows)
        return;
    const int label = labels[r];
    if (label < 0 || label >= cols) {
        atomicMax(badRow, rows - r); // the largest value names the first invalid row, as the host reports
        return;
    }
    const float *z = logits + size_t(r) * cols;
    float *g = gradLogits + size_t(r) * cols;
    float top = z[0];
    for (int c = 1; c < cols; ++c)
        top = z[c] > top ? z[c] : top; // std::max_element: the first of equal maxima
    double sum = 0.0;
    for (int c = 0; c < cols; ++c)
        sum += exp(double(z[c] - top));
    if (lossOut)
        lossOut[r] = float(log(sum) - double(z[label] - top));
    for (int c = 0; c < cols; ++c)
        g[c] = lossScale * (float(exp(double(z[c] - top)) / sum) - (c == label ? 1.0f : 0.0f));
}

__global__ void squaredNormKernel(const float *x, size_t n, double *partials)
{
    double sum = 0.0;
    for (size_t i = globalThread(); i < n; i += gridThreads())
        sum += double(x[i]) * double(x[i]);
    sum = blockSum(sum);
    if (threadIdx.x == 0)
        partials[blockIdx.x] = sum;
}

__global__ void maxAbsKernel(const float *x, size_t n, unsigned *partials)
{
    unsigned m = 0;
    for (size_t i = globalThread(); i < n; i += gridThreads())
        m = max(m, absBits(x[i]));
    m = blockMax(m);
    if (threadIdx.x == 0)
        partials[blockIdx.x] = m;
}

// x.x, and for each clip x.q and q.q with q the nearest-rounded quantisation at scale clip / 127.
__global__ void deviationKernel(const float *x, size_t n, const float *clips, int clipCount, double *partials)
{
    double *out = partials + size_t(blockIdx.x) * (1 + 2 * clipCount);
    double xx = 0.0;
    for (size_t i = globalThread(); i < n; i += gridThreads())
        xx += double(x[i]) * double(x[i]);
    xx = blockSum(xx);
    if (threadIdx.x == 0)
        out[0] = xx;
    for (int k = 0; k < clipCount; ++k) {
        const float inv = 1.0f / scaleForMax(clips[k]);
        double xq = 0.0, qq = 0.0;
        for (size_t i = globalThread(); i < n; i += gridThreads()) {
            float v = x[i] * inv;
            v = v < -127.0f ? -127.0f : (127.0f < v ? 127.0f : v);
            const float q = rintf(v);
            xq += double(x[i]) * q;
            qq += double(q) * q;
        }
        xq = blockSum(xq);
        qq = blockSum(qq);
        if (threadIdx.x == 0) {
            out[1 + 2 * k] = xq;
            out[2 + 2 * k] = qq;
        }
    }
}

__global__ void toHalfKernel(const float *x, size_t n, __half *out)
{
    for (size_t i = globalThread(); i < n; i += gridThreads())
        out[i] = __float2half_rn(x[i]);
}

} // namespace

void launchSoftmaxCrossEntropy(Stream s, const float *logits, int rows, int cols, const int32_t *labels,
                               float lossScale, float *lossOut, float *gradLogits, int *badRow)
{
    if (rows == 0)
        return;
    softmaxCrossEntropyKernel<<<(rows + 127) / 128, 128, 0, s.stream>>>(logits, rows, cols, labels, lossScale, lossOut,
                                                                         gradLogits, badRow);
    FFINT8_LAUNCHED(s, "softmaxCrossEntropyKernel");
}

void launchSquaredNormPartials(Stream s, const float *x, size_t count, double *partials)
{
    squaredNormKernel<<<kReductionBlocks, kThreads, 0, s.stream>>>(x, count, partials);
    FFINT8_LAUNCHED(s, "squaredNormKernel");
}

void launchMaxAbsPartials(Stream s, const float *x, size_t count, unsigned *partials)
{
    maxAbsKernel<<<kReductionBlocks, kThreads, 0, s.stream>>>(x, count, partials);
    FFINT8_LAUNCHED(s, "maxAbsKernel");
}

void launchDeviationPartials(Stream s, const float *x, size_t count, const float *clips, int clipCount,
                             double *partials)
{
    deviationKernel<<<kReductionBlocks, kThreads, 0, s.stream>>>(x, count, clips, clipCount, partials);
    FFINT8_LAUNCHED(s, "deviationKernel");
}

void launchToHalf(Stream s, const float *x, size_t count, void *half)
{
    toHalfKernel<<<blocksFor(count), kThreads, 0, s.stream>>>(x, count, static_cast<__half *>(half));
    FFINT8_LAUNCHED(s, "toHalfKernel");
}

} // namespace ffint8::cuda
