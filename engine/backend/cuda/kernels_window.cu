// Kernels of the window ops over NHWC images: im2col (FP32 and INT8 codes), col2im, max and average
// pooling and their input gradients. One thread per output element, each summing its terms in the
// order the host row kernels use (kh, then kw ascending), so the results are the host's bits.
#include "engine/backend/cuda/device_common.cuh"

namespace ffint8::cuda {

namespace {

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
    const int cg = g.channels / groups, taps = g.kernelH * g.kernelW;
    const size_t rowLength = size_t(taps) * g.channels;
    for (size_t i = globalThread(); i < n; i += gridThreads()) {
        const Element e = elementOf(i, g.channels, g.width, g.height);
        const int grp = e.c / cg, c = e.c % cg;
        float sum = 0.0f;
        forReadingWindows(g, e.image, e.y, e.x,
                          [&](size_t p, int tap) { sum += cols[p * rowLength + (size_t(grp) * taps + tap) * cg + c]; });
        gradX[i] = sum;
    }
}

__global__ void maxPoolKernel(const float *x, Window g, float *y, int32_t *argmax, size_t n)
{
    for (size_t i = globalThread(); i < n; i += gridThreads()) {
        const Element e = elementOf(i, g.channels, g.outWidth, g.outHeight);
        bool found = false;
        float best = 0.0f;
        int32_t where = 0;
        forWindow(g, e.image, e.y, e.x, [&](size_t pixel, int32_t at, int) {
            const float v = x[pixel * g.channels + e.c];
            if (!found || v > best) {
                best = v;
                where = at;
            }
            found = true;
        });
        y[i] = best;
        if (argmax)
            argmax[i] = where;
    }
}

__global__ void avgPoolKernel(const float *x, Window g, float *y, size_t n)
{
    const float divisor = float(g.kernelH * g.kernelW);
    for (size_t i = globalThread(); i < n; i += gridThreads()) {
        const Element e = elementOf(i, g.channels, g.outWidth, g.outHeight);
        float sum = 0.0f;
        forWindow(g, e.image, e.y, e.x, [&](size_t pixel, int32_t, int) { sum += x[pixel * g.channels + e.c]; });
        y[i] = sum / divisor;
    }
}

// A pooling's input gradient: maxPool when argmax is given (only the window's maximum takes
// gradY), average pooling otherwise (every position of the window takes gradY / kernel size).
__global__ void poolBackwardKernel(const float *gradY, const int32_t *argmax, Window g, float *gradX, size_t n)
{
    const float divisor = float(g.kernelH * g.kernelW);
    for (size_t i = globalThread(); i < n; i += gridThreads()) {
        const Element e = elementOf(i, g.channels, g.width, g.height);
        const int32_t where = e.y * g.width + e.x;
        float sum = 0.0f;
        forReadingWindows(g, e.image, e.y, e.x, [&](size_t p, int) {
            const size_t o = p * g.channels + e.c;
            if (argmax)
                sum += argmax[o] == where ? gradY[o] : 0.0f;
            else
                sum += gradY[o] / divisor;
        });
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
