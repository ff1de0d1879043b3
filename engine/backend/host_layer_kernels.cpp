// The layer ops of the host backends over ranges of rows or channels (see host_layer_kernels.h).
#include "engine/backend/host_layer_kernels.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace ffint8::hostkernels {

namespace {

template <class T> void im2colRowsT(const T *x, const WindowGeometry &g, int groups, T *cols, int r0, int r1)
{
    const int oh = g.outHeight(), ow = g.outWidth(), cg = g.channels / groups;
    const size_t rowLength = size_t(g.kernelH) * g.kernelW * g.channels;
    for (int r = r0; r < r1; ++r) {
        const int n = r / oh, y = r % oh;
        for (int xo = 0; xo < ow; ++xo) {
            T *dst = cols + (size_t(r) * ow + xo) * rowLength;
            for (int grp = 0; grp < groups; ++grp) {
                for (int kh = 0; kh < g.kernelH; ++kh) {
                    const int ih = y * g.strideH - g.padH + kh;
                    for (int kw = 0; kw < g.kernelW; ++kw) {
                        const int iw = xo * g.strideW - g.padW + kw;
                        T *d = dst + (size_t(grp * g.kernelH + kh) * g.kernelW + kw) * cg;
                        if (ih < 0 || ih >= g.height || iw < 0 || iw >= g.width) {
                            std::memset(d, 0, size_t(cg) * sizeof(T));
                            continue;
                        }
                        const T *s = x + ((size_t(n) * g.height + ih) * g.width + iw) * g.channels + size_t(grp) * cg;
                        std::memcpy(d, s, size_t(cg) * sizeof(T));
                    }
                }
            }
        }
    }
}

// The output position that reads image coordinate `i` at kernel offset `k`, or -1 when none does.
inline int windowIndex(int i, int pad, int k, int stride, int outSize)
{
    const int t = i + pad - k;
    if (t < 0 || t % stride != 0 || t / stride >= outSize)
        return -1;
    return t / stride;
}

// Calls f(the values at the position, h * width + w, tap = kh * kernelW + kw) for each image position
// of output (n, yo, xo)'s window, in (kh, kw) order; padding is skipped.
template <class T, class F> void forWindow(const T *x, const WindowGeometry &g, int n, int yo, int xo, F f)
{
    for (int kh = 0; kh < g.kernelH; ++kh) {
        const int ih = yo * g.strideH - g.padH + kh;
        if (ih < 0 || ih >= g.height)
            continue;
        for (int kw = 0; kw < g.kernelW; ++kw) {
            const int iw = xo * g.strideW - g.padW + kw;
            if (iw >= 0 && iw < g.width)
                f(x + ((size_t(n) * g.height + ih) * g.width + iw) * g.channels, int32_t(ih * g.width + iw),
                  kh * g.kernelW + kw);
        }
    }
}

// Calls f(p, tap) for each output position p = (n * outHeight + yo) * outWidth + xo whose window reads
// image position (h, w) of image n, at tap = kh * kernelW + kw, in (kh, kw) order: the terms of
// that position's gradient.
template <class F> void forReadingWindows(const WindowGeometry &g, int n, int h, int w, F f)
{
    const int oh = g.outHeight(), ow = g.outWidth();
    for (int kh = 0; kh < g.kernelH; ++kh) {
        const int yo = windowIndex(h, g.padH, kh, g.strideH, oh);
        if (yo < 0)
            continue;
        for (int kw = 0; kw < g.kernelW; ++kw) {
            const int xo = windowIndex(w, g.padW, kw, g.strideW, ow);
            if (xo >= 0)
                f((size_t(n) * oh + yo) * ow + xo, kh * g.kernelW + kw);
        }
    }
}

} // namespace

void im2colRows(const float *x, const WindowGeometry &g, int groups, float *cols, int r0, int r1)
{
    im2colRowsT(x, g, groups, cols, r0, r1);
}

void im2colRows(const int8_t *x, const WindowGeometry &g, int groups, int8_t *cols, int r0, int r1)
{
    im2colRowsT(x, g, groups, cols, r0, r1);
}

void col2imRows(const float *cols, const WindowGeometry &g, int groups, float *gradX, int r0, int r1)
{
    const int cg = g.channels / groups, taps = g.kernelH * g.kernelW;
    const size_t rowLength = size_t(taps) * g.channels;
    for (int r = r0; r < r1; ++r) {
        const int n = r / g.height, h = r % g.height;
        float *out = gradX + size_t(r) * g.width * g.channels;
        std::fill(out, out + size_t(g.width) * g.channels, 0.0f);
        for (int w = 0; w < g.width; ++w) {
            float *o = out + size_t(w) * g.channels;
            // Each element gets its terms in (kh, kw) order: the loops over them are outside the channels'.
            forReadingWindows(g, n, h, w, [&](size_t p, int tap) {
                const float *src = cols + p * rowLength;
                for (int grp = 0; grp < groups; ++grp) {
                    const float *s = src + (size_t(grp) * taps + tap) * cg;
                    float *d = o + size_t(grp) * cg;
                    for (int c = 0; c < cg; ++c)
                        d[c] += s[c];
                }
            });
        }
    }
}

namespace {

// Depthwise kernels: Acc is what a sum is kept in (double for the FP32 forward and weight gradient,
// whose products are exact there; float for the FP32 input gradient, whose products are rounded
// as the GEMM path rounds them; int32_t for INT8 codes), Out what is written.

// The weights tap-major, [kernelH * kernelW x channels]: the loops over channels read them in a row.
template <class Acc, class T> std::vector<Acc> tapMajor(const T *w, const WindowGeometry &g)
{
    const int taps = g.kernelH * g.kernelW;
    std::vector<Acc> t(size_t(taps) * g.channels);
    for (int c = 0; c < g.channels; ++c)
        for (int k = 0; k < taps; ++k)
            t[size_t(k) * g.channels + c] = Acc(w[size_t(c) * taps + k]);
    return t;
}

template <class Acc, class T, class Out>
void depthwiseForwardRowsT(const T *x, const WindowGeometry &g, const T *w, Out *y, int r0, int r1)
{
    const int oh = g.outHeight(), ow = g.outWidth(), channels = g.channels;
    const std::vector<Acc> weights = tapMajor<Acc>(w, g);
    std::vector<Acc> sum(static_cast<size_t>(channels));
    for (int r = r0; r < r1; ++r) {
        const int n = r / oh, yo = r % oh;
        for (int xo = 0; xo < ow; ++xo) {
            std::fill(sum.begin(), sum.end(), Acc(0));
            forWindow(x, g, n, yo, xo, [&](const T *s, int32_t, int tap) {
                const Acc *wk = weights.data() + size_t(tap) * channels;
                for (int c = 0; c < channels; ++c)
                    sum[size_t(c)] += Acc(s[c]) * wk[c];
            });
            Out *o = y + (size_t(r) * ow + xo) * channels;
            for (int c = 0; c < channels; ++c)
                o[c] = Out(sum[size_t(c)]);
        }
    }
}

template <class Acc, class T, class Out>
void depthwiseInputGradientRowsT(const T *gradY, const WindowGeometry &g, const T *w, Out *gradX, int r0, int r1)
{
    const int channels = g.channels;
    const std::vector<Acc> weights = tapMajor<Acc>(w, g);
    std::vector<Acc> sum(static_cast<size_t>(channels));
    for (int r = r0; r < r1; ++r) {
        const int n = r / g.height, h = r % g.height;
        for (int x = 0; x < g.width; ++x) {
            std::fill(sum.begin(), sum.end(), Acc(0));
            forReadingWindows(g, n, h, x, [&](size_t p, int tap) {
                const T *s = gradY + p * channels;
                const Acc *wk = weights.data() + size_t(tap) * channels;
                for (int c = 0; c < channels; ++c)
                    sum[size_t(c)] += Acc(s[c]) * wk[c];
            });
            Out *o = gradX + (size_t(r) * g.width + x) * channels;
            for (int c = 0; c < channels; ++c)
                o[c] = Out(sum[size_t(c)]);
        }
    }
}

template <class Acc, class T, class Out>
void depthwiseWeightGradientChannelsT(const T *x, const T *gradY, const WindowGeometry &g, Out *gradW, int c0, int c1)
{
    const int oh = g.outHeight(), ow = g.outWidth(), channels = g.channels, taps = g.kernelH * g.kernelW;
    const int width = c1 - c0, rows = g.batch * oh * ow;
    // Tap-major sums of the channels [c0, c1): one block's, and the running total over blocks.
    std::vector<Acc> block(size_t(taps) * width), total(size_t(taps) * width, Acc(0));
    for (int b0 = 0; b0 < rows; b0 += kDepthwiseRowBlock) {
        std::fill(block.begin(), block.end(), Acc(0));
        const int b1 = std::min(rows, b0 + kDepthwiseRowBlock);
        for (int r = b0; r < b1; ++r) {
            const int xo = r % ow, yo = (r / ow) % oh, n = r / ow / oh;
            const T *gy = gradY + size_t(r) * channels + c0;
            forWindow(x + c0, g, n, yo, xo, [&](const T *s, int32_t, int tap) {
                Acc *acc = block.data() + size_t(tap) * width;
                for (int c = 0; c < width; ++c)
                    acc[c] += Acc(gy[c]) * Acc(s[c]);
            });
        }
        for (size_t i = 0; i < total.size(); ++i)
            total[i] += block[i];
    }
    for (int c = 0; c < width; ++c)
        for (int k = 0; k < taps; ++k)
            gradW[size_t(c0 + c) * taps + k] = Out(total[size_t(k) * width + c]);
}

} // namespace

void depthwiseConvRows(const float *x, const WindowGeometry &g, const float *w, float *y, int r0, int r1)
{
    depthwiseForwardRowsT<double>(x, g, w, y, r0, r1);
}

void depthwiseConvRows(const int8_t *x, const WindowGeometry &g, const int8_t *w, int32_t *y, int r0, int r1)
{
    depthwiseForwardRowsT<int32_t>(x, g, w, y, r0, r1);
}

void depthwiseInputGradientRows(const float *gradY, const WindowGeometry &g, const float *w, float *gradX, int r0,
                                int r1)
{
    depthwiseInputGradientRowsT<float>(gradY, g, w, gradX, r0, r1);
}

void depthwiseInputGradientRows(const int8_t *gradY, const WindowGeometry &g, const int8_t *w, int32_t *gradX, int r0,
                                int r1)
{
    depthwiseInputGradientRowsT<int32_t>(gradY, g, w, gradX, r0, r1);
}

void depthwiseWeightGradientChannels(const float *x, const float *gradY, const WindowGeometry &g, float *gradW, int c0,
                                     int c1)
{
    depthwiseWeightGradientChannelsT<double>(x, gradY, g, gradW, c0, c1);
}

void depthwiseWeightGradientChannels(const int8_t *x, const int8_t *gradY, const WindowGeometry &g, int32_t *gradW,
                                     int c0, int c1)
{
    depthwiseWeightGradientChannelsT<int32_t>(x, gradY, g, gradW, c0, c1);
}

void batchNormStatisticsChannels(const BatchNormArgs &a, int c0, int c1)
{
    const int width = c1 - c0;
    std::vector<double> sum(size_t(width), 0.0), squares(size_t(width), 0.0);
    for (int r = 0; r < a.count; ++r) {
        const float *row = a.x + size_t(r) * a.channels + c0;
        for (int c = 0; c < width; ++c)
            sum[size_t(c)] += row[c];
    }
    for (int c = 0; c < width; ++c)
        sum[size_t(c)] /= double(a.count);
    for (int r = 0; r < a.count; ++r) {
        const float *row = a.x + size_t(r) * a.channels + c0;
        for (int c = 0; c < width; ++c) {
            const double d = double(row[c]) - sum[size_t(c)];
            squares[size_t(c)] += d * d;
        }
    }
    const float keep = 1.0f - a.momentum;
    for (int c = 0; c < width; ++c) {
        const float mean = float(sum[size_t(c)]);
        const float var = float(squares[size_t(c)] / double(a.count));
        const float unbiased = a.count > 1 ? float(squares[size_t(c)] / double(a.count - 1)) : var;
        a.mean[c0 + c] = mean;
        a.var[c0 + c] = var;
        // Products stored before the sum, so that no backend contracts them into an FMA.
        float m0 = keep * a.runningMean[c0 + c], m1 = a.momentum * mean;
        float v0 = keep * a.runningVar[c0 + c], v1 = a.momentum * unbiased;
        a.runningMean[c0 + c] = m0 + m1;
        a.runningVar[c0 + c] = v0 + v1;
    }
}

void batchNormApplyRows(const BatchNormArgs &a, int r0, int r1)
{
    std::vector<float> invStd(static_cast<size_t>(a.channels));
    for (int c = 0; c < a.channels; ++c)
        invStd[size_t(c)] = inverseStd(a.var[c], a.eps);
    for (int r = r0; r < r1; ++r) {
        const float *x = a.x + size_t(r) * a.channels;
        float *y = a.y + size_t(r) * a.channels;
        for (int c = 0; c < a.channels; ++c) {
            float t = (x[c] - a.mean[c]) * invStd[size_t(c)];
            t = t * a.gamma[c];
            y[c] = t + a.beta[c];
        }
    }
}

void batchNormGradientChannels(const BatchNormBackwardArgs &a, int c0, int c1)
{
    const int width = c1 - c0;
    std::vector<double> sumG(size_t(width), 0.0), sumGx(size_t(width), 0.0);
    std::vector<float> invStd(static_cast<size_t>(width));
    for (int c = 0; c < width; ++c)
        invStd[size_t(c)] = inverseStd(a.var[c0 + c], a.eps);
    for (int r = 0; r < a.count; ++r) {
        const float *x = a.x + size_t(r) * a.channels + c0;
        const float *gy = a.gradY + size_t(r) * a.channels + c0;
        for (int c = 0; c < width; ++c) {
            const float xhat = (x[c] - a.mean[c0 + c]) * invStd[size_t(c)];
            sumG[size_t(c)] += gy[c];
            sumGx[size_t(c)] += double(gy[c]) * double(xhat);
        }
    }
    for (int c = 0; c < width; ++c) {
        a.gradBeta[c0 + c] = float(sumG[size_t(c)]);
        a.gradGamma[c0 + c] = float(sumGx[size_t(c)]);
    }
}

void batchNormInputGradientRows(const BatchNormBackwardArgs &a, int r0, int r1)
{
    const int channels = a.channels;
    const size_t n = static_cast<size_t>(channels);
    std::vector<float> invStd(n), k(n), mb(n), mg(n);
    for (int c = 0; c < channels; ++c) {
        invStd[size_t(c)] = inverseStd(a.var[c], a.eps);
        k[size_t(c)] = a.gamma[c] * invStd[size_t(c)];
        mb[size_t(c)] = a.gradBeta[c] / float(a.count);
        mg[size_t(c)] = a.gradGamma[c] / float(a.count);
    }
    for (int r = r0; r < r1; ++r) {
        const float *x = a.x + size_t(r) * channels;
        const float *gy = a.gradY + size_t(r) * channels;
        float *gx = a.gradX + size_t(r) * channels;
        for (int c = 0; c < channels; ++c) {
            const float xhat = (x[c] - a.mean[c]) * invStd[size_t(c)];
            const float p = xhat * mg[size_t(c)];
            const float d = (gy[c] - mb[size_t(c)]) - p;
            gx[c] = k[size_t(c)] * d;
        }
    }
}

void maxPoolRows(const float *x, const WindowGeometry &g, float *y, int32_t *argmax, int r0, int r1)
{
    const int oh = g.outHeight(), ow = g.outWidth(), channels = g.channels;
    for (int r = r0; r < r1; ++r) {
        for (int xo = 0; xo < ow; ++xo) {
            const size_t o = (size_t(r) * ow + xo) * channels;
            bool found = false;
            forWindow(x, g, r / oh, r % oh, xo, [&](const float *s, int32_t where, int) {
                for (int c = 0; c < channels; ++c) {
                    if (!found || s[c] > y[o + c]) {
                        y[o + c] = s[c];
                        if (argmax)
                            argmax[o + c] = where;
                    }
                }
                found = true;
            });
        }
    }
}

void avgPoolRows(const float *x, const WindowGeometry &g, float *y, int r0, int r1)
{
    const int oh = g.outHeight(), ow = g.outWidth(), channels = g.channels;
    const float divisor = float(g.kernelH * g.kernelW);
    for (int r = r0; r < r1; ++r) {
        for (int xo = 0; xo < ow; ++xo) {
            float *out = y + (size_t(r) * ow + xo) * channels;
            std::fill(out, out + channels, 0.0f);
            forWindow(x, g, r / oh, r % oh, xo, [&](const float *s, int32_t, int) {
                for (int c = 0; c < channels; ++c)
                    out[c] += s[c];
            });
            for (int c = 0; c < channels; ++c)
                out[c] /= divisor;
        }
    }
}

namespace {

// Image rows [r0, r1) of a pooling's input gradient: term(o, where, c) is the contribution of
// output element o (its flat NHWC index) to image position `where` and channel c.
template <class Term> void poolBackwardRows(const WindowGeometry &g, float *gradX, int r0, int r1, Term term)
{
    const int channels = g.channels;
    for (int r = r0; r < r1; ++r) {
        const int n = r / g.height, h = r % g.height;
        float *out = gradX + size_t(r) * g.width * channels;
        std::fill(out, out + size_t(g.width) * channels, 0.0f);
        for (int w = 0; w < g.width; ++w) {
            float *o = out + size_t(w) * channels;
            const int32_t where = h * g.width + w;
            forReadingWindows(g, n, h, w, [&](size_t p, int) {
                const size_t src = p * channels;
                for (int c = 0; c < channels; ++c)
                    o[c] += term(src + c, where);
            });
        }
    }
}

} // namespace

void maxPoolBackwardRows(const float *gradY, const int32_t *argmax, const WindowGeometry &g, float *gradX, int r0,
                         int r1)
{
    poolBackwardRows(g, gradX, r0, r1, [&](size_t o, int32_t where) { return argmax[o] == where ? gradY[o] : 0.0f; });
}

void avgPoolBackwardRows(const float *gradY, const WindowGeometry &g, float *gradX, int r0, int r1)
{
    const float divisor = float(g.kernelH * g.kernelW);
    poolBackwardRows(g, gradX, r0, r1, [&](size_t o, int32_t) { return gradY[o] / divisor; });
}

void addRows(const float *a, const float *b, int cols, bool relu, float *out, int r0, int r1)
{
    for (int r = r0; r < r1; ++r) {
        const size_t o = size_t(r) * cols;
        for (int c = 0; c < cols; ++c) {
            float v = b ? a[o + c] + b[o + c] : a[o + c];
            out[o + c] = relu ? std::max(v, 0.0f) : v;
        }
    }
}

} // namespace ffint8::hostkernels
