// A convolution written out as its definition, in double, over NHWC images and weights laid out
// [out channel][kh][kw][in channel of the group]: the independent truth the layer tests compare
// im2col + GEMM against, and the means of computing error bounds (with |x|, |w| or scales as inputs).
#pragma once

#include <vector>

namespace ffint8::testing {

struct ConvCase
{
    int batch, height, width, inChannels, outChannels, kernel, stride, padding, groups;

    int outHeight() const { return (height + 2 * padding - kernel) / stride + 1; }
    int outWidth() const { return (width + 2 * padding - kernel) / stride + 1; }
    int groupIn() const { return inChannels / groups; }
    int groupOut() const { return outChannels / groups; }
    size_t inputValues() const { return size_t(batch) * height * width * inChannels; }
    size_t outputValues() const { return size_t(batch) * outHeight() * outWidth() * outChannels; }
    size_t weightValues() const { return size_t(outChannels) * kernel * kernel * groupIn(); }

    // Calls f(input index, output index, weight index) for every product of the convolution.
    template <class F> void forEachProduct(F f) const
    {
        for (int n = 0; n < batch; ++n)
            for (int oh = 0; oh < outHeight(); ++oh)
                for (int ow = 0; ow < outWidth(); ++ow)
                    for (int co = 0; co < outChannels; ++co) {
                        const int grp = co / groupOut();
                        const size_t o = ((size_t(n) * outHeight() + oh) * outWidth() + ow) * outChannels + co;
                        for (int kh = 0; kh < kernel; ++kh)
                            for (int kw = 0; kw < kernel; ++kw) {
                                const int ih = oh * stride - padding + kh, iw = ow * stride - padding + kw;
                                if (ih < 0 || ih >= height || iw < 0 || iw >= width)
                                    continue;
                                for (int c = 0; c < groupIn(); ++c) {
                                    const size_t i = ((size_t(n) * height + ih) * width + iw) * inChannels
                                        + size_t(grp) * groupIn() + c;
                                    const size_t w = ((size_t(co) * kernel + kh) * kernel + kw) * groupIn() + c;
                                    f(i, o, w);
                                }
                            }
                    }
    }

    // y = conv(x, w) (no bias).
    std::vector<double> forward(const std::vector<double> &x, const std::vector<double> &w) const
    {
        std::vector<double> y(outputValues(), 0.0);
        forEachProduct([&](size_t i, size_t o, size_t k) { y[o] += x[i] * w[k]; });
        return y;
    }
    // dL/dx for dL/dy = g.
    std::vector<double> inputGradient(const std::vector<double> &g, const std::vector<double> &w) const
    {
        std::vector<double> gx(inputValues(), 0.0);
        forEachProduct([&](size_t i, size_t o, size_t k) { gx[i] += g[o] * w[k]; });
        return gx;
    }
    // dL/dw for dL/dy = g and input x.
    std::vector<double> weightGradient(const std::vector<double> &g, const std::vector<double> &x) const
    {
        std::vector<double> gw(weightValues(), 0.0);
        forEachProduct([&](size_t i, size_t o, size_t k) { gw[k] += g[o] * x[i]; });
        return gw;
    }
};

} // namespace ffint8::testing
