// Backend op checks of the layer ops (im2col, col2im, batch norm, pooling, add) against the
// reference backend, on odd image shapes with strides, padding, groups and non-square images.
#include "engine/tools/op_check_harness.h"

namespace ffint8::opchecks {

namespace {

// Stride 2 with padding and groups on a non-square image, depthwise, a 1x1 kernel with groups, a
// kernel as large as the image, and a wide non-square kernel.
const Window kConvWindows[] = {{2, 7, 5, 6, 3, 3, 2, 1, 2},  {3, 9, 8, 4, 3, 3, 1, 1, 1}, {2, 6, 11, 8, 3, 3, 1, 1, 8},
                               {2, 5, 7, 12, 1, 1, 1, 0, 3}, {1, 4, 6, 3, 4, 6, 1, 0, 1}, {2, 8, 9, 5, 2, 5, 2, 2, 1}};
// Overlapping windows with padding, non-overlapping ones, stride 1, and a global pooling.
const Window kPoolWindows[] = {
    {2, 7, 9, 5, 3, 3, 2, 1, 1}, {3, 8, 8, 4, 2, 2, 2, 0, 1}, {2, 6, 5, 3, 3, 3, 1, 1, 1}, {2, 7, 5, 6, 7, 5, 1, 0, 1}};

const char *kDeviceSums = "per-channel sums in double in another order, then FP32: the last bit may differ "
                          "(relative 1e-6)";

void checkConvolutionOps(Checker &c)
{
    for (const Window &w : kConvWindows) {
        const WindowGeometry g = w.geometry();
        const int rows = g.batch * g.outHeight() * g.outWidth(), k = g.kernelH * g.kernelW * g.channels;
        Pair x = c.floats(1, w.imageValues());
        Pair cols = c.zeros(rows, k, DType::F32);
        onBoth(c,
               [&](Backend &b, bool cand) { b.im2colF32(side(x, cand).f32(), g, w.groups, side(cols, cand).f32()); });
        c.record("im2col f32", w.text(), c.difference(cols), 0.0, "a copy is exact");

        Pair q = c.int8s(1, w.imageValues());
        Pair qcols = c.zeros(rows, k, DType::S8);
        onBoth(c, [&](Backend &b, bool cand) { b.im2colS8(side(q, cand).s8(), g, w.groups, side(qcols, cand).s8()); });
        c.record("im2col s8", w.text(), c.difference(qcols), 0.0, "a copy is exact");

        Pair gradCols = c.floats(rows, k);
        Pair gradX = c.floats(1, w.imageValues()); // overwritten: the op must not add to what was there
        onBoth(c, [&](Backend &b, bool cand) {
            b.col2imF32(side(gradCols, cand).f32(), g, w.groups, side(gradX, cand).f32());
        });
        c.record("col2im f32", w.text(), c.difference(gradX), 0.0, kExact);
    }
}

void checkPoolingOps(Checker &c)
{
    for (const Window &w : kPoolWindows) {
        const WindowGeometry g = w.geometry();
        const int outValues = g.batch * g.outHeight() * g.outWidth() * g.channels;
        for (int ties = 0; ties < 2; ++ties) {
            // With ties: values on a grid of 0.5, so that windows hold equal maxima and the first must win.
            std::vector<float> v(size_t(w.imageValues()));
            for (float &e : v)
                e = ties ? 0.5f * float(c.m_rng.below(5)) : 2.0f * c.m_rng.uniform() - 1.0f;
            Pair x = c.upload(v, 1, w.imageValues());
            Pair y = c.zeros(1, outValues, DType::F32), argmax = c.zeros(1, outValues, DType::S32);
            onBoth(c, [&](Backend &b, bool cand) {
                b.maxPoolForward(side(x, cand).f32(), g, side(y, cand).f32(), side(argmax, cand).s32());
            });
            const std::string shape = w.text() + (ties ? " ties" : "");
            c.record("max_pool", shape, std::max(c.difference(y), c.difference(argmax)), 0.0,
                     "a maximum and its first position are exact");
            Pair gradY = c.floats(1, outValues), gradX = c.floats(1, w.imageValues());
            onBoth(c, [&](Backend &b, bool cand) {
                b.maxPoolBackward(side(gradY, cand).f32(), side(argmax, cand).s32(), g, side(gradX, cand).f32());
            });
            c.record("max_pool_backward", shape, c.difference(gradX), 0.0, kExact);
        }
        Pair x = c.floats(1, w.imageValues()), y = c.zeros(1, outValues, DType::F32);
        onBoth(c, [&](Backend &b, bool cand) { b.avgPoolForward(side(x, cand).f32(), g, side(y, cand).f32()); });
        c.record("avg_pool", w.text(), c.difference(y), 0.0, kExact);
        Pair gradY = c.floats(1, outValues), gradX = c.floats(1, w.imageValues());
        onBoth(c,
               [&](Backend &b, bool cand) { b.avgPoolBackward(side(gradY, cand).f32(), g, side(gradX, cand).f32()); });
        c.record("avg_pool_backward", w.text(), c.difference(gradX), 0.0, kExact);
    }
}

void checkBatchNorm(Checker &c)
{
    // A small batch of images, and more rows than a device block has threads.
    const int shapes[][2] = {{70, 13}, {3001, 7}, {1, 5}};
    for (const auto &dims : shapes) {
        // Not a structured binding: clang 14 (the fuzz build's) cannot capture one in a lambda.
        const int count = dims[0], channels = dims[1];
        const std::string shape = "count=" + std::to_string(count) + " c=" + std::to_string(channels);
        Pair x = c.floats(count, channels, -2.0f, 3.0f), gamma = c.floats(1, channels, 0.5f, 1.5f);
        Pair beta = c.floats(1, channels), y = c.zeros(count, channels, DType::F32);
        Pair mean = c.zeros(1, channels, DType::F32), var = c.zeros(1, channels, DType::F32);
        Pair runningMean = c.floats(1, channels), runningVar = c.floats(1, channels, 0.5f, 2.0f);
        // The arguments both modes share, on one side.
        auto args = [&](bool cand, bool training, Pair &meanIn, Pair &varIn, Pair &out) {
            BatchNormArgs a;
            a.x = side(x, cand).f32();
            a.count = count;
            a.channels = channels;
            a.gamma = side(gamma, cand).f32();
            a.beta = side(beta, cand).f32();
            a.training = training;
            a.mean = side(meanIn, cand).f32();
            a.var = side(varIn, cand).f32();
            a.y = side(out, cand).f32();
            return a;
        };
        onBoth(c, [&](Backend &b, bool cand) {
            BatchNormArgs a = args(cand, true, mean, var, y);
            a.runningMean = side(runningMean, cand).f32();
            a.runningVar = side(runningVar, cand).f32();
            b.batchNormForward(a);
        });
        c.recordExactOnHost("batch_norm training", shape, {&y, &mean, &var, &runningMean, &runningVar}, 1e-6,
                            kDeviceSums);

        Pair yEval = c.zeros(count, channels, DType::F32);
        onBoth(c,
               [&](Backend &b, bool cand) { b.batchNormForward(args(cand, false, runningMean, runningVar, yEval)); });
        c.recordExactOnHost("batch_norm evaluation", shape, {&yEval}, 1e-6, kDeviceFma);

        Pair gradY = c.floats(count, channels), gradX = c.floats(count, channels);
        Pair gradGamma = c.zeros(1, channels, DType::F32), gradBeta = c.zeros(1, channels, DType::F32);
        onBoth(c, [&](Backend &b, bool cand) {
            BatchNormBackwardArgs a;
            a.x = side(x, cand).f32();
            a.gradY = side(gradY, cand).f32();
            a.count = count;
            a.channels = channels;
            a.gamma = side(gamma, cand).f32();
            a.mean = side(mean, cand).f32();
            a.var = side(var, cand).f32();
            a.gradX = side(gradX, cand).f32();
            a.gradGamma = side(gradGamma, cand).f32();
            a.gradBeta = side(gradBeta, cand).f32();
            b.batchNormBackward(a);
        });
        c.recordExactOnHost("batch_norm_backward", shape, {&gradX, &gradGamma, &gradBeta}, 1e-6, kDeviceSums);
    }
}

void checkAdd(Checker &c)
{
    const int rows = 37, cols = 301;
    for (int mode = 0; mode < 3; ++mode) {
        const bool withB = mode != 1, relu = mode != 0;
        Pair a = c.floats(rows, cols), b = c.floats(rows, cols), out = c.floats(rows, cols);
        onBoth(c, [&](Backend &backend, bool cand) {
            backend.addTensors(side(a, cand).f32(), withB ? side(b, cand).f32() : nullptr, rows, cols, relu,
                               side(out, cand).f32());
        });
        c.record(std::string("add") + (withB ? "" : " (copy)") + (relu ? "+relu" : ""), dims(rows, cols),
                 c.difference(out), 0.0, kExact);
    }
    // In place, as a residual block adds its shortcut into the branch's output.
    Pair a = c.floats(rows, cols), b = c.floats(rows, cols);
    onBoth(c, [&](Backend &backend, bool cand) {
        backend.addTensors(side(a, cand).f32(), side(b, cand).f32(), rows, cols, true, side(a, cand).f32());
    });
    c.record("add+relu in place", dims(rows, cols), c.difference(a), 0.0, kExact);
}

} // namespace

void checkLayerOps(Checker &c)
{
    checkConvolutionOps(c);
    checkPoolingOps(c);
    checkBatchNorm(c);
    checkAdd(c);
}

} // namespace ffint8::opchecks
