// Helpers shared by the cuda backend's kernels: launch accounting, grid sizes, block reductions and
// the window geometry of the window and depthwise kernels.
#pragma once

#include "engine/backend/cuda/cuda_check.h"
#include "engine/backend/cuda/cuda_kernels.h"

#include <cuda_runtime.h>

#include <algorithm>

namespace ffint8::cuda {

constexpr int kThreads = 256;

// Blocks for a grid-stride loop over n items: enough to fill any current GPU, never more.
inline int blocksFor(size_t n, int threads = kThreads)
{
    return int(std::max<size_t>(1, std::min<size_t>((n + threads - 1) / threads, 8192)));
}

__device__ inline size_t globalThread() { return size_t(blockIdx.x) * blockDim.x + threadIdx.x; }
__device__ inline size_t gridThreads() { return size_t(gridDim.x) * blockDim.x; }

__device__ inline unsigned warpMax(unsigned v)
{
    for (int offset = 16; offset > 0; offset >>= 1)
        v = max(v, __shfl_xor_sync(0xFFFFFFFFu, v, offset));
    return v;
}

__device__ inline double warpSum(double v)
{
    for (int offset = 16; offset > 0; offset >>= 1)
        v += __shfl_xor_sync(0xFFFFFFFFu, v, offset);
    return v;
}

// The maximum over the block, returned to every thread (blockDim.x a multiple of 32, <= 1024).
__device__ inline unsigned blockMax(unsigned v)
{
    __shared__ unsigned partial[32];
    v = warpMax(v);
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    __syncthreads(); // the shared array may still be read by a previous call
    if (lane == 0)
        partial[warp] = v;
    __syncthreads();
    v = lane < int(blockDim.x / 32) ? partial[lane] : 0u;
    return warpMax(v);
}

__device__ inline double blockSum(double v)
{
    __shared__ double partial[32];
    v = warpSum(v);
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    __syncthreads();
    if (lane == 0)
        partial[warp] = v;
    __syncthreads();
    v = lane < int(blockDim.x / 32) ? partial[lane] : 0.0;
    return warpSum(v);
}

// |v| as the bits of a non-negative float: they order like unsigned integers, and a NaN orders
// above every number, as in the host kernels' maxAbsSpan.
__device__ inline unsigned absBits(float v) { return __float_as_uint(v) & 0x7FFFFFFFu; }

// hostkernels::scaleForMax: never zero, so an all-zero tensor stays zero.
__device__ inline float scaleForMax(float maxAbs) { return maxAbs > 0.0f ? maxAbs / 127.0f : 1.0f; }

// v already clamped to [-127, 127] (NaN passing through), rounded as hostkernels::quantiseSpan does.
// Nearest: half to even (rintf, as the host's 1.5 * 2^23 trick); a NaN becomes 0 on both.
__device__ inline int8_t roundNearestInt8(float v) { return int8_t(__float2int_rn(v)); }
// Stochastic: floor(v + u) written as the host writes it, truncation and a correction below zero,
// not floorf: for a NaN (a NaN scale) floorf + fminf would give +127 where the host's integer
// conversion gives 0. u is a multiple of 2^-24 below 1, so v + u rounds the same on both.
__device__ inline int8_t roundStochasticInt8(float v, float u)
{
    const float y = v + u;
    int t = __float2int_rz(y); // NaN -> 0
    t -= float(t) > y ? 1 : 0;
    return int8_t(t < 127 ? t : 127);
}

// WindowGeometry with its output size, as the window kernels read it.
struct Window
{
    int batch, height, width, channels;
    int kernelH, kernelW, strideH, strideW, padH, padW;
    int outHeight, outWidth;
};

inline Window windowOf(const WindowGeometry &g)
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

// Element i of NHWC images of width x height x channels: its channel, column, row and image.
struct Element
{
    int c, x, y;
    size_t image;
};

__device__ inline Element elementOf(size_t i, int channels, int width, int height)
{
    const size_t p = i / size_t(channels);
    return {int(i % size_t(channels)), int(p % size_t(width)), int((p / size_t(width)) % size_t(height)),
            p / (size_t(width) * height)};
}

// Calls f(pixel, where, tap) for each image position of output (image, oh, ow)'s window inside the
// image, in (kh, kw) order: pixel = (image * height + ih) * width + iw, where = ih * width + iw and
// tap = kh * kernelW + kw (the host kernels' forWindow).
template <class F> __device__ void forWindow(const Window &g, size_t image, int oh, int ow, F f)
{
    for (int kh = 0; kh < g.kernelH; ++kh) {
        const int ih = oh * g.strideH - g.padH + kh;
        if (ih < 0 || ih >= g.height)
            continue;
        for (int kw = 0; kw < g.kernelW; ++kw) {
            const int iw = ow * g.strideW - g.padW + kw;
            if (iw >= 0 && iw < g.width)
                f((image * g.height + ih) * g.width + iw, int32_t(ih * g.width + iw), kh * g.kernelW + kw);
        }
    }
}

// Calls f(p, tap) for each output position p = (image * outHeight + oh) * outWidth + ow whose window
// reads image position (h, w) at tap = kh * kernelW + kw, in (kh, kw) order (the host kernels'
// forReadingWindows): the terms of that position's gradient.
template <class F> __device__ void forReadingWindows(const Window &g, size_t image, int h, int w, F f)
{
    for (int kh = 0; kh < g.kernelH; ++kh) {
        const int oh = windowIndex(h, g.padH, kh, g.strideH, g.outHeight);
        if (oh < 0)
            continue;
        for (int kw = 0; kw < g.kernelW; ++kw) {
            const int ow = windowIndex(w, g.padW, kw, g.strideW, g.outWidth);
            if (ow >= 0)
                f((image * g.outHeight + oh) * g.outWidth + ow, kh * g.kernelW + kw);
        }
    }
}

} // namespace ffint8::cuda

// Counts the launch just made and reports a failed one, naming the kernel.
#define FFINT8_LAUNCHED(s, kernel)                                                                             \
    do {                                                                                                       \
        ++*(s).launches;                                                                                       \
        ::ffint8::cuda::checkLaunch(kernel, __FILE__, __LINE__);                                               \
    } while (0)
