// Kernels of the depthwise convolution over NHWC images (forward, input gradient, weight gradient, in
// FP32 and over INT8 codes), summing their terms in the order the host row kernels use, so that
// every result is the host's bits.
#include "engine/backend/cuda/device_common.cuh"

namespace ffint8::cuda {

namespace {

// How a sum is kept. Products of two floats are exact in double, so the double sums' rounding is
// only the additions', done in the host's order; __dmul_rn/__dadd_rn keep nvcc from contracting.
struct ExactSum
{
    using Acc = double;
    __device__ static double mac(double s, float a, float b) { return __dadd_rn(s, __dmul_rn(a, b)); }
    __device__ static double add(double s, double v) { return __dadd_rn(s, v); }
};
// FP32 products rounded before they are added, as the host's input gradient (and col2im of a GEMM) does.
struct RoundedSum
{
    using Acc = float;
    __device__ static float mac(float s, float a, float b) { return __fadd_rn(s, __fmul_rn(a, b)); }
};
struct IntegerSum
{
    using Acc = int32_t;
    __device__ static int32_t mac(int32_t s, int8_t a, int8_t b) { return s + int32_t(a) * int32_t(b); }
    __device__ static int32_t add(int32_t s, int32_t v) { return s + v; }
};

template <class Sum, class T, class Out>
__global__ void depthwiseForwardKernel(const T *x, Window g, const T *w, Out *y, size_t n)
{
    const int taps = g.kernelH * g.kernelW;
    for (size_t i = globalThread(); i < n; i += gridThreads()) {
        const Element e = elementOf(i, g.channels, g.outWidth, g.outHeight);
        typename Sum::Acc sum = 0;
        forWindow(g, e.image, e.y, e.x, [&](size_t pixel, int32_t, int tap) {
            sum = Sum::mac(sum, x[pixel * g.channels + e.c], w[size_t(e.c) * taps + tap]);
        });
        y[i] = Out(sum);
    }
}

template <class Sum, class T, class Out>
__global__ void depthwiseInputGradientKernel(const T *gradY, Window g, const T *w, Out *gradX, size_t n)
{
    const int taps = g.kernelH * g.kernelW;
    for (size_t i = globalThread(); i < n; i += gridThreads()) {
        const Element e = elementOf(i, g.channels, g.width, g.height);
        typename Sum::Acc sum = 0;
        forReadingWindows(g, e.image, e.y, e.x, [&](size_t p, int tap) {
            sum = Sum::mac(sum, gradY[p * g.channels + e.c], w[size_t(e.c) * taps + tap]);
        });
        gradX[i] = Out(sum);
    }
}

// partials[(block * taps + tap) * channels + c]: the sum over one block of kDepthwiseRowBlock
// output positions, each thread one (block, tap, channel) with the channels fastest, so that a
// warp reads consecutive channels of one position.
template <class Sum, class T>
__global__ void depthwiseWeightPartialsKernel(const T *x, const T *gradY, Window g, int rows,
                                              typename Sum::Acc *partials, size_t n)
{
    const int taps = g.kernelH * g.kernelW;
    for (size_t i = globalThread(); i < n; i += gridThreads()) {
        const int c = int(i % size_t(g.channels));
        const int tap = int((i / size_t(g.channels)) % size_t(taps));
        const int block = int(i / (size_t(g.channels) * taps));
        const int kh = tap / g.kernelW, kw = tap % g.kernelW;
        const int r0 = block * kDepthwiseRowBlock, r1 = min(rows, r0 + kDepthwiseRowBlock);
        typename Sum::Acc sum = 0;
        for (int r = r0; r < r1; ++r) {
            const Element at = elementOf(size_t(r), 1, g.outWidth, g.outHeight); // the output position
            const int ih = at.y * g.strideH - g.padH + kh, iw = at.x * g.strideW - g.padW + kw;
            if (ih < 0 || ih >= g.height || iw < 0 || iw >= g.width)
                continue;
            sum = Sum::mac(sum, gradY[size_t(r) * g.channels + c],
                           x[((at.image * g.height + ih) * g.width + iw) * g.channels + c]);
        }
        partials[i] = sum;
    }
}

// gradW[c][tap] = the blocks' partial sums added in block order.
template <class Sum, class Out>
__global__ void depthwiseWeightTotalKernel(const typename Sum::Acc *partials, int blocks, int taps, int channels,
                                           Out *gradW, size_t n)
{
    for (size_t i = globalThread(); i < n; i += gridThreads()) {
        const int c = int(i % size_t(channels));
        const int tap = int(i / size_t(channels));
        typename Sum::Acc total = 0;
        for (int b = 0; b < blocks; ++b)
            total = Sum::add(total, partials[(size_t(b) * taps + tap) * channels + c]);
        gradW[size_t(c) * taps + tap] = Out(total);
    }
}

size_t outputValues(const WindowGeometry &g)
{
    return size_t(g.batch) * g.outHeight() * g.outWidth() * g.channels;
}

template <class Sum, class T, class Out>
void launchForward(Stream s, const T *x, const WindowGeometry &g, const T *w, Out *y, const char *kernelName)
{
    const size_t n = outputValues(g);
    if (n == 0)
        return;
    depthwiseForwardKernel<Sum><<<blocksFor(n), kThreads, 0, s.stream>>>(x, windowOf(g), w, y, n);
    FFINT8_LAUNCHED(s, kernelName);
}

template <class Sum, class T, class Out>
void launchInputGradient(Stream s, const T *gradY, const WindowGeometry &g, const T *w, Out *gradX,
                         const char *kernelName)
{
    const size_t n = size_t(g.batch) * g.height * g.width * g.channels;
    if (n == 0)
        return;
    depthwiseInputGradientKernel<Sum><<<blocksFor(n), kThreads, 0, s.stream>>>(gradY, windowOf(g), w, gradX, n);
    FFINT8_LAUNCHED(s, kernelName);
}

template <class Sum, class T, class Out>
void launchWeightGradient(Stream s, const T *x, const T *gradY, const WindowGeometry &g, Out *gradW, void *partials,
                          const char *partialsName, const char *totalName)
{
    const int rows = g.batch * g.outHeight() * g.outWidth(), taps = g.kernelH * g.kernelW;
    const int blocks = depthwiseRowBlocks(g);
    auto *sums = static_cast<typename Sum::Acc *>(partials);
    const size_t n = size_t(blocks) * taps * g.channels;
    if (n > 0) {
        depthwiseWeightPartialsKernel<Sum>
            <<<blocksFor(n), kThreads, 0, s.stream>>>(x, gradY, windowOf(g), rows, sums, n);
        FFINT8_LAUNCHED(s, partialsName);
    }
    const size_t weights = size_t(taps) * g.channels;
    depthwiseWeightTotalKernel<Sum>
        <<<blocksFor(weights), kThreads, 0, s.stream>>>(sums, blocks, taps, g.channels, gradW, weights);
    FFINT8_LAUNCHED(s, totalName);
}

} // namespace

void launchDepthwiseConvF32(Stream s, const float *x, const WindowGeometry &g, const float *w, float *y)
{
    launchForward<ExactSum>(s, x, g, w, y, "depthwiseForwardKernel<float>");
}

void launchDepthwiseConvS8(Stream s, const int8_t *x, const WindowGeometry &g, const int8_t *w, int32_t *y)
{
    launchForward<IntegerSum>(s, x, g, w, y, "depthwiseForwardKernel<int8_t>");
}

void launchDepthwiseInputGradientF32(Stream s, const float *gradY, const WindowGeometry &g, const float *w,
                                     float *gradX)
{
    launchInputGradient<RoundedSum>(s, gradY, g, w, gradX, "depthwiseInputGradientKernel<float>");
}

void launchDepthwiseInputGradientS8(Stream s, const int8_t *gradY, const WindowGeometry &g, const int8_t *w,
                                    int32_t *gradX)
{
    launchInputGradient<IntegerSum>(s, gradY, g, w, gradX, "depthwiseInputGradientKernel<int8_t>");
}

void launchDepthwiseWeightGradientF32(Stream s, const float *x, const float *gradY, const WindowGeometry &g,
                                      float *gradW, void *partials)
{
    launchWeightGradient<ExactSum>(s, x, gradY, g, gradW, partials, "depthwiseWeightPartialsKernel<float>",
                                   "depthwiseWeightTotalKernel<float>");
}

void launchDepthwiseWeightGradientS8(Stream s, const int8_t *x, const int8_t *gradY, const WindowGeometry &g,
                                     int32_t *gradW, void *partials)
{
    launchWeightGradient<IntegerSum>(s, x, gradY, g, gradW, partials, "depthwiseWeightPartialsKernel<int8_t>",
                                     "depthwiseWeightTotalKernel<int8_t>");
}

} // namespace ffint8::cuda
