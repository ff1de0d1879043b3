// Quantisation kernels (symmetric INT8, nearest or stochastic rounding with the counter-based RNG,
// bit-identical to the host kernels) and the INT8 operand packing the IMMA GEMMs need.
#include "engine/backend/cuda/device_common.cuh"
#include "engine/core/counter_rng.h"

namespace ffint8::cuda {

namespace {

// One value: the same steps in the same order as hostkernels::quantiseSpan, so the same bits.
template <bool Stochastic> __device__ inline int8_t quantiseValue(float v, uint64_t seed, uint64_t counter)
{
    v = v < -127.0f ? -127.0f : (127.0f < v ? 127.0f : v); // std::clamp, NaN passing through
    if (Stochastic)
        return roundStochasticInt8(v, counterUniform(seed, counter));
    return roundNearestInt8(v);
}

__global__ void tensorScaleKernel(const float *x, size_t n, int cols, const float *factors, const float *clip,
                                  unsigned *scratch, float *scale)
{
    unsigned m = 0;
    for (size_t i = globalThread(); i < n; i += gridThreads())
        m = max(m, absBits(factors ? x[i] * factors[i % size_t(cols)] : x[i]));
    m = blockMax(m);
    __shared__ bool last;
    if (threadIdx.x == 0) {
        atomicMax(&scratch[0], m);
        __threadfence(); // the maximum is visible before this block counts itself done
        last = atomicAdd(&scratch[1], 1u) == gridDim.x - 1;
    }
    __syncthreads();
    if (last && threadIdx.x == 0) {
        // Every other block has added its maximum: read it and leave the scratch zero for the next call.
        float range = __uint_as_float(atomicExch(&scratch[0], 0u));
        scratch[1] = 0;
        if (clip)
            range = *clip < range ? *clip : range; // std::min(range, clip)
        *scale = scaleForMax(range);
    }
}

template <bool Stochastic, bool Factors>
__global__ void quantiseTensorKernel(const float *x, size_t n, int cols, const float *factors, const float *scale,
                                     uint64_t seed, uint64_t counter, int8_t *q)
{
    const float inv = 1.0f / *scale;
    for (size_t i = globalThread(); i < n; i += gridThreads()) {
        const float v = Factors ? x[i] * factors[i % size_t(cols)] : x[i];
        q[i] = quantiseValue<Stochastic>(v * inv, seed, counter + i);
    }
}

// A small tensor in one block: its maximum, scale and values in one launch instead of two (at
// batch 32 a step is bound by launches, and one SM reads 64 K values in microseconds).
// Launched with 1024 threads: the bound keeps register use within what such a block may have.
template <bool Stochastic>
__global__ void __launch_bounds__(1024)
    quantiseSmallTensorKernel(const float *x, size_t n, int cols, const float *factors, const float *clip, uint64_t seed,
                              uint64_t counter, int8_t *q, float *scaleOut)
{
    unsigned m = 0;
    for (size_t i = threadIdx.x; i < n; i += blockDim.x)
        m = max(m, absBits(factors ? x[i] * factors[i % size_t(cols)] : x[i]));
    float range = __uint_as_float(blockMax(m));
    if (clip)
        range = *clip < range ? *clip : range;
    const float scale = scaleForMax(range);
    if (threadIdx.x == 0)
        *scaleOut = scale;
    const float inv = 1.0f / scale;
    for (size_t i = threadIdx.x; i < n; i += blockDim.x) {
        const float v = factors ? x[i] * factors[i % size_t(cols)] : x[i];
        q[i] = quantiseValue<Stochastic>(v * inv, seed, counter + i);
    }
}

// One block per row: the row's own scale, then its values.
template <bool Stochastic>
__global__ void quantiseRowsKernel(const float *x, int cols, const float *factors, uint64_t seed, uint64_t counter,
                                   int8_t *q, float *scales)
{
    const size_t offset = size_t(blockIdx.x) * size_t(cols);
    const float *row = x + offset;
    unsigned m = 0;
    for (int c = threadIdx.x; c < cols; c += blockDim.x)
        m = max(m, absBits(factors ? row[c] * factors[c] : row[c]));
    const float scale = scaleForMax(__uint_as_float(blockMax(m)));
    if (threadIdx.x == 0)
        scales[blockIdx.x] = scale;
    const float inv = 1.0f / scale;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        const float v = factors ? row[c] * factors[c] : row[c];
        q[offset + c] = quantiseValue<Stochastic>(v * inv, seed, counter + offset + size_t(c));
    }
}

constexpr int kTile = 32;

// 32 x 32 tiles through shared memory, so that both the transposed read and the write are coalesced.
// Tile rows stride by gridDim.y: grid.y is capped at 65535 (over 2 M rows would exceed it).
__global__ void packKernel(const int8_t *src, int ld, bool transposed, int rows, int cols, int rowsPadded,
                           int colsPadded, int8_t *dst)
{
    __shared__ int8_t tile[kTile][kTile + 4];
    const int c0 = blockIdx.x * kTile;
    for (int r0 = blockIdx.y * kTile; r0 < rowsPadded; r0 += gridDim.y * kTile) {
        __syncthreads(); // the previous tile has been written out before it is overwritten
        // Load: the tile of dst rows [r0, r0 + 32) x cols [c0, c0 + 32), read in src's own order.
        for (int i = threadIdx.y; i < kTile; i += blockDim.y) {
            const int j = threadIdx.x;
            if (transposed) {
                // src is stored [cols x rows]: src row c0 + i, column r0 + j is dst[r0 + j][c0 + i].
                const int r = r0 + j, c = c0 + i;
                tile[j][i] = r < rows && c < cols ? src[size_t(c) * ld + r] : int8_t(0);
            } else {
                const int r = r0 + i, c = c0 + j;
                tile[i][j] = r < rows && c < cols ? src[size_t(r) * ld + c] : int8_t(0);
            }
        }
        __syncthreads();
        for (int i = threadIdx.y; i < kTile; i += blockDim.y) {
            const int r = r0 + i, c = c0 + threadIdx.x;
            if (r < rowsPadded && c < colsPadded)
                dst[size_t(r) * colsPadded + c] = tile[i][threadIdx.x];
        }
    }
}

__global__ void copyInt32Kernel(const int32_t *src, int ldSrc, int rows, int cols, int32_t *dst, int ldDst)
{
    const size_t n = size_t(rows) * size_t(cols);
    for (size_t i = globalThread(); i < n; i += gridThreads()) {
        const size_t r = i / size_t(cols), c = i % size_t(cols);
        dst[r * ldDst + c] = src[r * ldSrc + c];
    }
}

} // namespace

void launchTensorScale(Stream s, const float *x, int rows, int cols, const float *columnFactors, const float *clip,
                       unsigned *scratch, float *scale)
{
    const size_t n = size_t(rows) * size_t(cols);
    tensorScaleKernel<<<blocksFor(n), kThreads, 0, s.stream>>>(x, n, cols, columnFactors, clip, scratch, scale);
    FFINT8_LAUNCHED(s, "tensorScaleKernel");
}

void launchQuantise(Stream s, const QuantiseArgs &a, unsigned *scratch)
{
    if (a.rows == 0 || a.cols == 0)
        return;
    const bool stochastic = a.rounding == Rounding::Stochastic;
    if (a.perRow) {
        auto kernel = stochastic ? quantiseRowsKernel<true> : quantiseRowsKernel<false>;
        kernel<<<a.rows, kThreads, 0, s.stream>>>(a.x, a.cols, a.columnFactors, a.seed, a.counter, a.q, a.scales);
        FFINT8_LAUNCHED(s, "quantiseRowsKernel");
        return;
    }
    const size_t n = size_t(a.rows) * size_t(a.cols);
    constexpr size_t kSmallTensor = size_t(1) << 16;
    if (n <= kSmallTensor) {
        auto kernel = stochastic ? quantiseSmallTensorKernel<true> : quantiseSmallTensorKernel<false>;
        kernel<<<1, 1024, 0, s.stream>>>(a.x, n, a.cols, a.columnFactors, a.clip, a.seed, a.counter, a.q, a.scales);
        FFINT8_LAUNCHED(s, "quantiseSmallTensorKernel");
        return;
    }
    launchTensorScale(s, a.x, a.rows, a.cols, a.columnFactors, a.clip, scratch, a.scales);
    auto kernel = stochastic ? (a.columnFactors ? quantiseTensorKernel<true, true> : quantiseTensorKernel<true, false>)
                             : (a.columnFactors ? quantiseTensorKernel<false, true> : quantiseTensorKernel<false, false>);
    kernel<<<blocksFor(n), kThreads, 0, s.stream>>>(a.x, n, a.cols, a.columnFactors, a.scales, a.seed, a.counter, a.q);
    FFINT8_LAUNCHED(s, "quantiseTensorKernel");
}

void launchPackInt8(Stream s, const int8_t *src, int ld, bool transposed, int rows, int cols, int rowsPadded,
                    int colsPadded, int8_t *dst)
{
    const dim3 grid((colsPadded + kTile - 1) / kTile, std::min((rowsPadded + kTile - 1) / kTile, 65535));
    packKernel<<<grid, dim3(kTile, 8), 0, s.stream>>>(src, ld, transposed, rows, cols, rowsPadded, colsPadded, dst);
    FFINT8_LAUNCHED(s, "packKernel");
}

void launchCopyInt32(Stream s, const int32_t *src, int ldSrc, int rows, int cols, int32_t *dst, int ldDst)
{
    const size_t n = size_t(rows) * size_t(cols);
    copyInt32Kernel<<<blocksFor(n), kThreads, 0, s.stream>>>(src, ldSrc, rows, cols, dst, ldDst);
    FFINT8_LAUNCHED(s, "copyInt32Kernel");
}

} // namespace ffint8::cuda
