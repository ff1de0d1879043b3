// Helpers shared by the cuda backend's kernels: launch accounting, grid sizes and block reductions.
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

} // namespace ffint8::cuda

// Counts the launch just made and reports a failed one, naming the kernel.
#define FFINT8_LAUNCHED(s, kernel)                                                                             \
    do {                                                                                                       \
        ++*(s).launches;                                                                                       \
        ::ffint8::cuda::checkLaunch(kernel, __FILE__, __LINE__);                                               \
    } while (0)
