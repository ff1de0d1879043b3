// Kernels of the window ops over NHWC images: im2col (FP32 and INT8 codes), col2im, max and average
// pooling and their input gradients. One thread per output element, each summing its terms in the
// order the host row kernels use (kh, then kw ascending), so the results are the host's bits.
#include "engine/backend/cuda/device_common.cuh"

namespace ffint8::cuda {

namespace {

// WindowGeometry with its output size, as the kernels read it.
struct Window
{
    int batch, height, width, channels;
    int kernelH, kernelW, strideH, strideW, padH, padW;
    int outHeight, outWidth;
};

Window windowOf(const WindowGeometry &g)
{
    return {g.batch,   g.height,  g.width, g.channels, g.kernelH,     g.kernelW,
            g.strideH, g.strideW, g.padH,  g.padW,     g.outHeight(), g.outWidth()};
}

// The output position that reads image coordinate i at kernel offset k, or -1 when none does.
__device__ inline int windowIndex(int i, int pad, int k, int stride, int outSize)
{
    const int t = i + pad - k;
    if (t < 0 || t % stride != 0 || t / stride >= outSize)
        return -1;
    return t / stride;
}

template <class T> __global__ void im2colKernel(const T *x, Window g, int groups, T *cols, size_t n)
{
    const int cg = g.channels / groups;
    const size_t rowLength = size_t(g.kernelH) * g.kernelW * g.channels;
    for (size_t i = globalThread(); i < n; i += gridThreads()) {
        const size_t row = i / rowLength;
        int j = int(i % rowLength);
        const int c = j % cg;
        j /= cg;
        const int kw = j % g.kernelW;
        j /= g.kernelW;
        const int kh = j % g.kernelH;
        const int grp = j / g.kernelH;
        const int ow = int(row % size_t(g.outWidth));
        const size_t nh = row / size_t(g.outWidth);
        const int oh = int(nh % size_t(g.outHeight));
        const size_t image = nh / size_t(g.outHeight);
        const int ih = oh * g.strideH - g.padH + kh, iw = ow * g.strideW - g.padW + kw;
        const bool inside = ih >= 0 && ih < g.height && iw >= 0 && iw < g.width;
        cols[i] = inside ? x[((image * g.height + ih) * g.width + iw) * g.channels + size_t(grp) * cg + c] : T(0);
    }
}

__global__ void col2imKernel(const float *cols, Window g, int groups, float *gradX, size_t n)
{
    const int cg = g.channels / groups;
    const size_t rowLength = size_t(g.kernelH) * g.kernelW * g.channels;
    for (size_t i = globalThread(); i < n; i += gridThreads()) {
        const int ch = int(i % size_t(g.channels));
        const size_t p = i / size_t(g.channels);
        const int w = int(p % size_t(g.width));
        const int h = int((p / size_t(g.width)) % size_t(g.height));
        const size_t image = p / (size_t(g.width) * g.height);
        const int grp = ch / cg, c = ch % cg;
        float sum = 0.0f;
        for (int kh = 0; kh < g.kernelH; ++kh) {
            const int oh = windowIndex(h, g.padH, kh, g.strideH, g.outHeight);
            if (oh < 0)
                continue;
            for (int kw = 0; kw < g.kernelW; ++kw) {
                const int ow = windowIndex(w, g.padW, kw, g.strideW, g.outWidth);
                if (ow < 0)
                    continue;
                const size_t row = (image * g.outHeight + oh) * g.outWidth + ow;
                sum += cols[row * rowLength + (size_t(grp * g.kernelH + kh) * g.kernelW + kw) * cg + c];
            }
        }
        gradX[i] = sum;
    }
}

__global__ void maxPoolKernel(const float *x, Window g, float *y, int32_t *argmax, size_t n)
{
    for (size_t i = globalThread(); i < n; i += gridThreads()) {
        const int c = int(i % size_t(g.channels));
        const size_t p = i / size_t(g.channels);
        const int ow = int(p % size_t(g.outWidth));
        const int oh = int((p / size_t(g.outWidth)) % size_t(g.outHeight));
        const size_t image = p / (size_t(g.outWidth) * g.outHeight);
        bool found = false;
        float best = 0.0f;
        int32_t where = 0;
        for (int kh = 0; kh < g.kernelH; ++kh) {
            const int ih = oh * g.strideH - g.padH + kh;
            if (ih < 0 || ih >= g.height)
                continue;
            for (int kw = 0; kw < g.kernelW; ++kw) {
                const int iw = ow * g.strideW - g.padW + kw;
                if (iw < 0 || iw >= g.width)
                    continue;
                const float v = x[((image * g.height + ih) * g.width + iw) * g.channels + c];
                if (!found || v > best) {
                    best = v;
                    where = ih * g.width + iw;
                }
                found = true;
            }
        }
        y[i] = best;
        if (argmax)
            argmax[i] = where;
    }
}

__global__ void avgPoolKernel(const float *x, Window g, float *y, size_t n)
{
    const float divisor = float(g.kernelH * g.kernelW);
    for (size_t i = globalThread(); i < n; i += gridThreads()) {
        const int c = int(i % size_t(g.channels));
        const size_t p = i / size_t(g.channels);
        const int ow = int(p % size_t(g.outWidth));
        const int oh = int((p / size_t(g.outWidth)) % size_t(g.outHeight));
        const size_t image = p / (size_t(g.outWidth) * g.outHeight);
        float sum = 0.0f;
        for (int kh = 0; kh < g.kernelH; ++kh) {
            const int ih = oh * g.strideH - g.padH + kh;
            if (ih < 0 || ih >= g.height)
                continue;
            for (int kw = 0; kw < g.kernelW; ++kw) {
                const int iw = ow * g.strideW - g.padW + kw;
                if (iw < 0 || iw >= g.width)
                    continue;
                sum += x[((image * g.height + ih) * g.width + iw) * g.channels + c];
            }
        }
        y[i] = sum / divisor;
    }
}

// A pooling's input gradient: maxPool when argmax is given (only the window's maximum takes
// gradY), average pooling otherwise (every position of the window takes gradY / kernel size).
__global__ void poolBackwardKernel(const float *gradY, const int32_t *argmax, Window g, float *gradX, size_t n)
{
    const float divisor = float(g.kernelH * g.kernelW);
    for (size_t i = globalThread(); i < n; i += gridThreads()) {
        const int c = int(i % size_t(g.channels));
        const size_t p = i / size_t(g.channels);
        const int w = int(p % size_t(g.width));
        const int h = int((p / size_t(g.width)) % size_t(g.height));
        const size_t image = p / (size_t(g.width) * g.height);
        const int32_t where = h * g.width + w;
        float sum = 0.0f;
        for (int kh = 0; kh < g.kernelH; ++kh) {
            const int oh = windowIndex(h, g.padH, kh, g.strideH, g.outHeight);
            if (oh < 0)
                continue;
            for (int kw = 0; kw < g.kernelW; ++kw) {
                const int ow = windowIndex(w, g.padW, kw, g.strideW, g.outWidth);
                if (ow < 0)
                    continue;
                const size_t o = ((image * g.outHeight + oh) * g.outWidth + ow) * g.channels + c;
                if (argmax)
                    sum += argmax[o] == where ? gradY[o] : 0.0f;
                else
                    sum += gradY[o] / divisor;
            }
        }
        gradX[i] = sum;
    }
}

size_t imageValues(const WindowGeometry &g)
{
    return size_t(g.batch) * g.height * g.width * g.channels;
}
size_t outputValues(const WindowGeometry &g)
{
    return size_t(g.batch) * g.outHeight() * g.outWidth() * g.channels;
}

} // namespace

namespace {

// The one launcher of both im2col kernels: they differ only in the element type.
template <typename T>
void launchIm2col(Stream s, const T *x, const WindowGeometry &g, int groups, T *cols, const char *kernelName)
{
    const size_t n = size_t(g.batch) * g.outHeight() * g.outWidth() * g.kernelH * g.kernelW * g.channels;
    if (n == 0)
        return;
    im2colKernel<T><<<blocksFor(n), kThreads, 0, s.stream>>>(x, windowOf(g), groups, cols, n);
    FFINT8_LAUNCHED(s, kernelName);
}

} // namespace

void launchIm2colF32(Stream s, const float *x, const WindowGeometry &g, int groups, float *cols)
{
    launchIm2col(s, x, g, groups, cols, "im2colKernel<float>");
}

void launchIm2colS8(Stream s, const int8_t *x, const WindowGeometry &g, int groups, int8_t *cols)
{
    launchIm2col(s, x, g, groups, cols, "im2colKernel<int8_t>");
}

void launchCol2imF32(Stream s, const float *cols, const WindowGeometry &g, int groups, float *gradX)
{
    const size_t n = imageValues(g);
    if (n == 0)
        return;
    col2imKernel<<<blocksFor(n), kThreads, 0, s.stream>>>(cols, windowOf(g), groups, gradX, n);
    FFINT8_LAUNCHED(s, "col2imKernel");
}

void launchMaxPoolForward(Stream s, const float *x, const WindowGeometry &g, float *y, int32_t *argmax)
{
    const size_t n = outputValues(g);
    if (n == 0)
        return;
    maxPoolKernel<<<blocksFor(n), kThreads, 0, s.stream>>>(x, windowOf(g), y, argmax, n);
    FFINT8_LAUNCHED(s, "maxPoolKernel");
}

void launchMaxPoolBackward(Stream s, const float *gradY, const int32_t *argmax, const WindowGeometry &g, float *gradX)
{
    const size_t n = imageValues(g);
    if (n == 0)
        return;
    poolBackwardKernel<<<blocksFor(n), kThreads, 0, s.stream>>>(gradY, argmax, windowOf(g), gradX, n);
    FFINT8_LAUNCHED(s, "poolBackwardKernel (max)");
}

void launchAvgPoolForward(Stream s, const float *x, const WindowGeometry &g, float *y)
{
    const size_t n = outputValues(g);
    if (n == 0)
        return;
    avgPoolKernel<<<blocksFor(n), kThreads, 0, s.stream>>>(x, windowOf(g), y, n);
    FFINT8_LAUNCHED(s, "avgPoolKernel");
}

void launchAvgPoolBackward(Stream s, const float *gradY, const WindowGeometry &g, float *gradX)
{
    const size_t n = imageValues(g);
    if (n == 0)
        return;
    poolBackwardKernel<<<blocksFor(n), kThreads, 0, s.stream>>>(gradY, nullptr, windowOf(g), gradX, n);
    FFINT8_LAUNCHED(s, "poolBackwardKernel (average)");
}

} // namespace ffint8::cuda
