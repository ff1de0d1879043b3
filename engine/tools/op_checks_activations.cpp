// Backend op checks of the activations besides ReLU (ReLU6, SiLU, sigmoid, forward and backward,
// in place too) and of dropout against the reference backend.
#include "engine/tools/op_check_harness.h"

namespace ffint8::opchecks {

namespace {

const char *functionName(PointwiseFunction f)
{
    switch (f) {
    case PointwiseFunction::Relu6:
        return "relu6";
    case PointwiseFunction::Silu:
        return "silu";
    case PointwiseFunction::Sigmoid:
        return "sigmoid";
    }
    return "?";
}

// SiLU's slope s + x * s * (1 - s) takes 1 - s, where s's last-bit difference near 1 comes back
// multiplied by x (up to 9 here).
const char *kDeviceSiluSlope = "expf within 2 ulp of glibc's; 1 - s for s near 1 scales that by |x| (relative 1e-5)";

} // namespace

void checkActivationOps(Checker &c)
{
    const int rows = 37, cols = 301; // odd sizes: no kernel gets whole vectors only
    for (PointwiseFunction f : {PointwiseFunction::Relu6, PointwiseFunction::Silu, PointwiseFunction::Sigmoid}) {
        const bool exact = f == PointwiseFunction::Relu6;
        const std::string name = functionName(f);
        // Beyond both of ReLU6's kinks and into sigmoid's flat tails.
        Pair x = c.floats(rows, cols, -9.0f, 9.0f), y = c.zeros(rows, cols, DType::F32);
        Pair gradY = c.floats(rows, cols), gradX = c.zeros(rows, cols, DType::F32);
        c.m_cand.pointwiseForward(f, x.cand.f32(), rows, cols, y.cand.f32());
        c.m_ref.pointwiseForward(f, x.ref.f32(), rows, cols, y.ref.f32());
        if (exact)
            c.record(name, dims(rows, cols), c.difference(y), 0.0, kExact);
        else
            c.recordExactOnHost(name, dims(rows, cols), {&y}, 2e-6, kDeviceMaths);
        // From the reference's output on both sides, so that the backward pass is checked alone.
        Pair yRef = c.zeros(rows, cols, DType::F32);
        std::vector<float> host(size_t(rows) * cols);
        c.m_ref.download(y.ref, host.data(), host.size() * sizeof(float));
        c.m_cand.upload(yRef.cand, host.data(), host.size() * sizeof(float));
        c.m_ref.upload(yRef.ref, host.data(), host.size() * sizeof(float));
        c.m_cand.pointwiseBackward(f, x.cand.f32(), yRef.cand.f32(), gradY.cand.f32(), rows, cols, gradX.cand.f32());
        c.m_ref.pointwiseBackward(f, x.ref.f32(), yRef.ref.f32(), gradY.ref.f32(), rows, cols, gradX.ref.f32());
        if (f == PointwiseFunction::Silu)
            c.recordExactOnHost(name + "_backward", dims(rows, cols), {&gradX}, 1e-5, kDeviceSiluSlope);
        else
            c.record(name + "_backward", dims(rows, cols), c.difference(gradX), 0.0, kExact);
        // In place, as a ReLU6 layer runs over its input.
        c.m_cand.pointwiseForward(f, x.cand.f32(), rows, cols, x.cand.f32());
        c.m_ref.pointwiseForward(f, x.ref.f32(), rows, cols, x.ref.f32());
        if (exact)
            c.record(name + " in place", dims(rows, cols), c.difference(x), 0.0, kExact);
        else
            c.recordExactOnHost(name + " in place", dims(rows, cols), {&x}, 2e-6, kDeviceMaths);
    }
    for (float rate : {0.0f, 0.2f, 0.5f}) {
        // A counter past 2^32, where the stream's high word takes part.
        const uint64_t seed = 0x5EEDull, counter = (uint64_t(1) << 32) - 1000;
        Pair x = c.floats(rows, cols), y = c.zeros(rows, cols, DType::F32);
        c.m_cand.dropout(x.cand.f32(), rows, cols, rate, seed, counter, y.cand.f32());
        c.m_ref.dropout(x.ref.f32(), rows, cols, rate, seed, counter, y.ref.f32());
        c.record("dropout rate " + std::to_string(rate).substr(0, 3), dims(rows, cols), c.difference(y), 0.0, kExact);
    }
}

} // namespace ffint8::opchecks
