// Backend op checks of the depthwise convolution (forward, input and weight gradients, FP32 and INT8)
// against the reference backend: strides, padding, 3x3, 5x5 and non-square kernels, non-square
// images, channel counts that are no multiple of 8, and weight gradients over several row blocks.
#include "engine/tools/op_check_harness.h"

namespace ffint8::opchecks {

namespace {

// 3x3 and 5x5 at strides 1 and 2 on non-square images; a non-square kernel; a kernel larger than
// the image; weight gradients over 2 and 18 blocks of rows (the last ones partial), the larger one
// enough work for the cpu backend to split across threads. Padding half the kernel, as MobileNet's
// and EfficientNet's depthwise layers have; groups = channels.
const Window kCases[] = {{2, 7, 5, 6, 3, 3, 2, 1, 6},   {3, 9, 8, 13, 5, 5, 1, 2, 13},  {2, 6, 11, 10, 3, 3, 1, 1, 10},
                         {1, 8, 6, 3, 5, 5, 2, 2, 3},   {2, 5, 9, 7, 3, 5, 1, 2, 7},    {2, 2, 3, 5, 5, 5, 1, 2, 5},
                         {4, 21, 17, 9, 3, 3, 2, 1, 9}, {5, 30, 30, 12, 3, 3, 1, 1, 12}};

const char *kSameOrder = "the same products summed in the same order on every backend (exact double sums of "
                         "products, or FP32 products rounded before the add, never contracted): bit-identical";

void checkCase(Checker &c, const Window &k)
{
    const WindowGeometry g = k.geometry();
    const int taps = g.kernelH * g.kernelW;
    const int image = g.batch * g.height * g.width * g.channels;
    const int output = g.batch * g.outHeight() * g.outWidth() * g.channels;
    const std::string shape = k.text();

    // Outputs start with random values: every op must overwrite, not add.
    Pair x = c.floats(1, image), w = c.floats(g.channels, taps), y = c.floats(1, output);
    onBoth(c, [&](Backend &b, bool cand) {
        b.depthwiseConvF32(side(x, cand).f32(), g, side(w, cand).f32(), side(y, cand).f32());
    });
    c.record("depthwise_conv f32", shape, c.difference(y), 0.0, kSameOrder);

    Pair gradY = c.floats(1, output), gradX = c.floats(1, image), gradW = c.floats(g.channels, taps);
    onBoth(c, [&](Backend &b, bool cand) {
        b.depthwiseConvInputGradientF32(side(gradY, cand).f32(), g, side(w, cand).f32(), side(gradX, cand).f32());
        b.depthwiseConvWeightGradientF32(side(x, cand).f32(), side(gradY, cand).f32(), g, side(gradW, cand).f32());
    });
    c.record("depthwise_conv_input_gradient f32", shape, c.difference(gradX), 0.0, kSameOrder);
    c.record("depthwise_conv_weight_gradient f32", shape, c.difference(gradW), 0.0, kSameOrder);

    // Activation codes as after a ReLU, then signed ones at the extremes (the largest sums there are).
    for (auto codes : {Checker::Codes::NonNegative, Checker::Codes::SignedExtremes}) {
        const std::string what = shape + (codes == Checker::Codes::SignedExtremes ? " extremes" : "");
        Pair qx = c.int8s(1, image, codes), qw = c.int8s(g.channels, taps, Checker::Codes::Signed);
        Pair qGradY = c.int8s(1, output, codes == Checker::Codes::SignedExtremes ? codes : Checker::Codes::Signed);
        Pair acc = c.zeros(1, output, DType::S32), gradAcc = c.zeros(1, image, DType::S32);
        Pair weightAcc = c.zeros(g.channels, taps, DType::S32);
        onBoth(c, [&](Backend &b, bool cand) {
            b.depthwiseConvS8(side(qx, cand).s8(), g, side(qw, cand).s8(), side(acc, cand).s32());
            b.depthwiseConvInputGradientS8(side(qGradY, cand).s8(), g, side(qw, cand).s8(), side(gradAcc, cand).s32());
            b.depthwiseConvWeightGradientS8(side(qx, cand).s8(), side(qGradY, cand).s8(), g,
                                            side(weightAcc, cand).s32());
        });
        c.record("depthwise_conv s8", what, c.difference(acc), 0.0, kExactInt);
        c.record("depthwise_conv_input_gradient s8", what, c.difference(gradAcc), 0.0, kExactInt);
        c.record("depthwise_conv_weight_gradient s8", what, c.difference(weightAcc), 0.0, kExactInt);
    }
}

} // namespace

void checkDepthwiseOps(Checker &c)
{
    for (const Window &k : kCases)
        checkCase(c, k);
}

} // namespace ffint8::opchecks
