// Backend op checks against the reference backend.
#include "engine/tools/op_checks.h"

#include "engine/tools/op_check_harness.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <functional>

namespace ffint8 {

using namespace opchecks;

namespace {

struct Shape
{
    int m, n, k;
};
// Odd sizes around vector widths and panel widths, a single element, the paper MLP's forward shape
// and a weight gradient's short reduction.
const Shape kShapes[] = {{1, 1, 1}, {3, 5, 7}, {17, 33, 65}, {64, 1000, 784}, {31, 129, 255}, {130, 47, 64}};

void checkGemms(Checker &c)
{
    for (Shape s : kShapes) {
        for (int t = 0; t < 4; ++t) {
            Trans ta = (t & 1) ? Trans::Yes : Trans::No, tb = (t & 2) ? Trans::Yes : Trans::No;
            std::string mode = std::string(ta == Trans::Yes ? "T" : "N") + (tb == Trans::Yes ? "T" : "N");
            int lda = ta == Trans::Yes ? s.m : s.k, ldb = tb == Trans::Yes ? s.k : s.n;
            Pair a = c.floats(ta == Trans::Yes ? s.k : s.m, lda), b = c.floats(tb == Trans::Yes ? s.n : s.k, ldb);
            Pair out = c.floats(s.m, s.n);
            c.m_cand.gemmF32(ta, tb, s.m, s.n, s.k, 0.5f, a.cand.f32(), lda, b.cand.f32(), ldb, 0.25f, out.cand.f32(),
                             s.n);
            c.m_ref.gemmF32(ta, tb, s.m, s.n, s.k, 0.5f, a.ref.f32(), lda, b.ref.f32(), ldb, 0.25f, out.ref.f32(), s.n);
            // Inputs in [-1, 1]: FP32 summation error grows at most like k * 2^-24 per term.
            c.record("gemm_f32 " + mode, dims(s.m, s.n, s.k), c.difference(out), 4e-7 * s.k + 1e-6,
                     "FP32 accumulation order differs; bound k * 2^-22");

            // Each sign combination takes its own path on CPUs without VNNI (cpu_int8_path.h).
            using Codes = Checker::Codes;
            const struct
            {
                const char *what;
                Codes a, b;
            } kinds[] = {{"", Codes::Signed, Codes::Signed},
                         {" u8 x s8", Codes::NonNegative, Codes::Signed},
                         {" s8 x u8", Codes::Signed, Codes::NonNegative},
                         {" extremes", Codes::SignedExtremes, Codes::SignedExtremes},
                         {" u8 x s8 extremes", Codes::NonNegativeExtremes, Codes::SignedExtremes},
                         {" s8 x u8 extremes", Codes::SignedExtremes, Codes::NonNegativeExtremes}};
            for (const auto &kind : kinds) {
                Pair qa = c.int8s(ta == Trans::Yes ? s.k : s.m, lda, kind.a);
                Pair qb = c.int8s(tb == Trans::Yes ? s.n : s.k, ldb, kind.b);
                Pair acc = c.zeros(s.m, s.n, DType::S32);
                c.m_cand.gemmS8S8S32(ta, tb, s.m, s.n, s.k, qa.cand.s8(), lda, qb.cand.s8(), ldb, acc.cand.s32(), s.n);
                c.m_ref.gemmS8S8S32(ta, tb, s.m, s.n, s.k, qa.ref.s8(), lda, qb.ref.s8(), ldb, acc.ref.s32(), s.n);
                c.record("gemm_s8s8s32 " + mode + kind.what, dims(s.m, s.n, s.k), c.difference(acc), 0.0, kExactInt);
            }
        }
    }
}

void checkQuantise(Checker &c)
{
    // The last is larger than a device backend quantises in one block (64 K values): its multi-block
    // maximum is checked too.
    const int shapes[][2] = {{1, 1}, {7, 13}, {64, 1000}, {33, 785}, {257, 1001}};
    for (const auto &shape : shapes) {
        // Plain variables rather than a structured binding: clang 14 (the fuzz build's) cannot
        // capture a binding in the lambda below.
        const int rows = shape[0], cols = shape[1];
        for (int mode = 0; mode < 8; ++mode) {
            bool perRow = mode & 1, stochastic = mode & 2, factors = mode & 4;
            Pair x = c.floats(rows, cols, -3.0f, 3.0f);
            Pair f = c.floats(1, cols, 0.1f, 2.0f);
            Pair q = c.zeros(rows, cols, DType::S8), s = c.zeros(1, perRow ? rows : 1, DType::F32);
            auto run = [&](Backend &b, Tensor &xt, Tensor &ft, Tensor &qt, Tensor &st) {
                QuantiseArgs a;
                a.x = xt.f32();
                a.rows = rows;
                a.cols = cols;
                a.perRow = perRow;
                a.rounding = stochastic ? Rounding::Stochastic : Rounding::Nearest;
                a.seed = 42;
                a.counter = 1000;
                a.columnFactors = factors ? ft.f32() : nullptr;
                a.q = qt.s8();
                a.scales = st.f32();
                b.quantise(a);
            };
            run(c.m_cand, x.cand, f.cand, q.cand, s.cand);
            run(c.m_ref, x.ref, f.ref, q.ref, s.ref);
            std::string op = std::string("quantise ") + (perRow ? "per-row" : "per-tensor")
                + (stochastic ? " stochastic" : " nearest") + (factors ? " col-factors" : "");
            // Exact on every backend: a maximum, an IEEE division and the same counter hash.
            c.record(op, dims(rows, cols), std::max(c.difference(q), c.difference(s)), 0.0, kExact);
        }
    }
}

void checkElementwise(Checker &c)
{
    const int rows = 37, cols = 301;
    {
        Pair acc = c.zeros(rows, cols, DType::S32);
        std::vector<int32_t> v(size_t(rows) * cols);
        for (auto &x : v)
            x = int32_t(c.m_rng.below(200001)) - 100000;
        c.m_cand.upload(acc.cand, v.data(), v.size() * 4);
        c.m_ref.upload(acc.ref, v.data(), v.size() * 4);
        Pair sa = c.floats(1, 1, 0.001f, 0.01f), sb = c.floats(1, cols, 0.001f, 0.01f), bias = c.floats(1, cols);
        Pair y = c.zeros(rows, cols, DType::F32);
        for (int variant = 0; variant < 2; ++variant) {
            auto run = [&](Backend &b, Tensor &a, Tensor &s1, Tensor &s2, Tensor &bi, Tensor &out) {
                DequantiseArgs d;
                d.acc = a.s32();
                d.rows = rows;
                d.cols = cols;
                d.scaleA = s1.f32();
                d.scaleB = s2.f32();
                d.scaleBPerColumn = variant == 1;
                d.bias = bi.f32();
                d.relu = variant == 1;
                d.y = out.f32();
                b.dequantise(d);
            };
            run(c.m_cand, acc.cand, sa.cand, sb.cand, bias.cand, y.cand);
            run(c.m_ref, acc.ref, sa.ref, sb.ref, bias.ref, y.ref);
            // The device kernel rounds the product before adding the bias, as the host does.
            c.record(variant ? "dequantise+bias+relu per-channel" : "dequantise+bias per-tensor", dims(rows, cols),
                     c.difference(y), 0.0, kExact);
        }
    }
    {
        Pair y = c.floats(rows, cols), bias = c.floats(1, cols);
        c.m_cand.biasActivation(y.cand.f32(), rows, cols, bias.cand.f32(), true);
        c.m_ref.biasActivation(y.ref.f32(), rows, cols, bias.ref.f32(), true);
        c.record("bias+relu", dims(rows, cols), c.difference(y), 0.0, kExact);
    }
    {
        Pair x = c.floats(rows, cols), out = c.zeros(rows, cols, DType::F32), norms = c.zeros(1, rows, DType::F32);
        c.m_cand.lengthNormalise(x.cand.f32(), rows, cols, 1e-4f, out.cand.f32(), norms.cand.f32());
        c.m_ref.lengthNormalise(x.ref.f32(), rows, cols, 1e-4f, out.ref.f32(), norms.ref.f32());
        c.recordExactOnHost("length_normalise", dims(rows, cols), {&out, &norms}, 1e-6, kDeviceFma);
        Pair g = c.floats(rows, cols), gi = c.zeros(rows, cols, DType::F32);
        c.m_cand.lengthNormaliseBackward(out.cand.f32(), norms.cand.f32(), g.cand.f32(), rows, cols, 1e-4f,
                                         gi.cand.f32());
        c.m_ref.lengthNormaliseBackward(out.ref.f32(), norms.ref.f32(), g.ref.f32(), rows, cols, 1e-4f, gi.ref.f32());
        c.recordExactOnHost("length_normalise_backward", dims(rows, cols), {&gi}, 1e-6, kDeviceFma);
    }
    for (int mode = 0; mode < 2; ++mode) {
        Pair y = c.floats(rows, cols, 0.0f, 2.0f);
        Pair g = c.zeros(1, rows, DType::F32), l = c.zeros(1, rows, DType::F32), gy = c.zeros(rows, cols, DType::F32);
        auto run = [&](Backend &b, Tensor &yt, Tensor &gt, Tensor &lt, Tensor &gyt) {
            FfLossArgs a;
            a.y = yt.f32();
            a.rows = rows;
            a.cols = cols;
            a.positiveRows = rows / 2;
            a.goodness = mode ? Goodness::Sum : Goodness::Mean;
            a.theta = mode ? 400.0f : 1.3f;
            a.lossScale = 1.0f / rows;
            a.goodnessOut = gt.f32();
            a.lossOut = lt.f32();
            a.gradY = gyt.f32();
            b.ffLoss(a);
        };
        run(c.m_cand, y.cand, g.cand, l.cand, gy.cand);
        run(c.m_ref, y.ref, g.ref, l.ref, gy.ref);
        if (mode == 0) {
            c.recordExactOnHost("ff_loss mean", dims(rows, cols), {&g, &l, &gy}, 2e-6, kDeviceMaths);
        } else {
            // The loss and its gradient depend on theta - G, which keeps only G's absolute precision:
            // with G near theta = 400, one ulp of G (3e-5) moves them by about as much.
            c.recordExactOnHost("ff_loss sum", dims(rows, cols), {&g, &l, &gy}, 2e-6 + 4 * FLT_EPSILON * 400.0,
                                "theta - G keeps G's absolute error: a few ulps of G near theta = 400");
        }
    }
    {
        Pair own = c.floats(rows, cols), later = c.floats(rows, cols), y = c.floats(rows, cols);
        Pair up = c.zeros(rows, cols, DType::F32), prop = c.zeros(rows, cols, DType::F32);
        c.m_cand.lookaheadCombine(own.cand.f32(), later.cand.f32(), y.cand.f32(), rows, cols, 0.37f, up.cand.f32(),
                                  prop.cand.f32());
        c.m_ref.lookaheadCombine(own.ref.f32(), later.ref.f32(), y.ref.f32(), rows, cols, 0.37f, up.ref.f32(),
                                 prop.ref.f32());
        c.recordExactOnHost("lookahead_combine", dims(rows, cols), {&up, &prop}, 1e-6, kDeviceFma);
        // A graph unit's form: no mask, and the propagated gradient written over `own`.
        Pair own2 = c.floats(rows, cols), up2 = c.zeros(rows, cols, DType::F32);
        c.m_cand.lookaheadCombine(own2.cand.f32(), later.cand.f32(), nullptr, rows, cols, 0.37f, up2.cand.f32(),
                                  own2.cand.f32());
        c.m_ref.lookaheadCombine(own2.ref.f32(), later.ref.f32(), nullptr, rows, cols, 0.37f, up2.ref.f32(),
                                 own2.ref.f32());
        c.recordExactOnHost("lookahead_combine unmasked in place", dims(rows, cols), {&up2, &own2}, 1e-6, kDeviceFma);
        c.m_cand.reluBackward(own.cand.f32(), y.cand.f32(), rows, cols);
        c.m_ref.reluBackward(own.ref.f32(), y.ref.f32(), rows, cols);
        c.record("relu_backward", dims(rows, cols), c.difference(own), 0.0, kExact);
        Pair sums = c.zeros(1, cols, DType::F32);
        c.m_cand.columnSums(later.cand.f32(), rows, cols, 0.5f, sums.cand.f32());
        c.m_ref.columnSums(later.ref.f32(), rows, cols, 0.5f, sums.ref.f32());
        c.record("column_sums", dims(rows, cols), c.difference(sums), 0.0, kExact);
    }
    for (auto [rows, cols] : {std::pair{64, 1000}, std::pair{37, 45}, std::pair{1, 33}}) {
        Pair src = c.int8s(rows, cols), dst = c.zeros(cols, rows, DType::S8);
        c.m_cand.transposeS8(src.cand.s8(), rows, cols, dst.cand.s8());
        c.m_ref.transposeS8(src.ref.s8(), rows, cols, dst.ref.s8());
        c.record("transpose_s8", dims(rows, cols), c.difference(dst), 0.0, kExact);
    }
}

void checkBackpropOps(Checker &c)
{
    const int rows = 33, cols = 10;
    {
        Pair logits = c.floats(rows, cols, -8.0f, 8.0f);
        std::vector<int32_t> labels(static_cast<size_t>(rows));
        for (auto &l : labels)
            l = int32_t(c.m_rng.below(uint32_t(cols)));
        Pair lab = c.zeros(1, rows, DType::S32);
        c.m_cand.upload(lab.cand, labels.data(), labels.size() * 4);
        c.m_ref.upload(lab.ref, labels.data(), labels.size() * 4);
        Pair loss = c.zeros(1, rows, DType::F32), grad = c.zeros(rows, cols, DType::F32);
        c.m_cand.softmaxCrossEntropy(logits.cand.f32(), rows, cols, lab.cand.s32(), 1.0f / rows, loss.cand.f32(),
                                     grad.cand.f32());
        c.m_ref.softmaxCrossEntropy(logits.ref.f32(), rows, cols, lab.ref.s32(), 1.0f / rows, loss.ref.f32(),
                                    grad.ref.f32());
        c.record("softmax_cross_entropy", dims(rows, cols), std::max(c.difference(loss), c.difference(grad)), 1e-6,
                 "exp and log of the platform's maths library; 1e-6 absolute");
    }
    {
        const int n = 64 * 1000 + 3;
        Pair x = c.floats(1, n, -2.0f, 2.0f);
        const float clips[] = {2.0f, 1.0f, 0.25f};
        float devCand[3], devRef[3];
        c.m_cand.quantisationDeviation(x.cand.f32(), size_t(n), clips, 3, devCand);
        c.m_ref.quantisationDeviation(x.ref.f32(), size_t(n), clips, 3, devRef);
        double err = 0;
        for (int i = 0; i < 3; ++i)
            err = std::max(err, std::abs(double(devCand[i]) - devRef[i]));
        c.record("quantisation_deviation", "n=" + std::to_string(n) + " 3 clips", err, 1e-6,
                 "sums in double; summation order may differ on device backends");
        double nc = c.m_cand.squaredNorm(x.cand.f32(), size_t(n)), nr = c.m_ref.squaredNorm(x.ref.f32(), size_t(n));
        c.record("squared_norm", "n=" + std::to_string(n), std::abs(nc - nr) / nr, 1e-9,
                 "double accumulation, relative");
        double mc = c.m_cand.maxAbsValue(x.cand.f32(), size_t(n)), mr = c.m_ref.maxAbsValue(x.ref.f32(), size_t(n));
        c.record("max_abs", "n=" + std::to_string(n), std::abs(mc - mr), 0.0, "a maximum is exact");

        Pair q = c.zeros(1, n, DType::S8), sc = c.zeros(1, 1, DType::F32), clip = c.upload({0.5f}, 1, 1);
        for (Backend *b : {&c.m_cand, &c.m_ref}) {
            Pair &which = q;
            QuantiseArgs a;
            a.x = b == &c.m_cand ? x.cand.f32() : x.ref.f32();
            a.rows = 1;
            a.cols = n;
            a.rounding = Rounding::Stochastic;
            a.seed = 5;
            a.clip = b == &c.m_cand ? clip.cand.f32() : clip.ref.f32();
            a.q = b == &c.m_cand ? which.cand.s8() : which.ref.s8();
            a.scales = b == &c.m_cand ? sc.cand.f32() : sc.ref.f32();
            b->quantise(a);
        }
        c.record("quantise clipped stochastic", "n=" + std::to_string(n), std::max(c.difference(q), c.difference(sc)),
                 0.0, kExact);
    }
}

void checkUpdates(Checker &c)
{
    const int rows = 29, cols = 203;
    // optimizer x gradient type x master copy x per-row INT8 x state in BF16
    for (int mode = 0; mode < 32; ++mode) {
        bool adam = mode & 1, s32 = mode & 2, master = mode & 4, perRow = mode & 8, bf16 = mode & 16;
        if (!master && !perRow)
            continue; // not a supported combination (no master copy needs per-row scales)
        Pair w = c.floats(rows, cols);
        Pair m1 = bf16 ? c.bf16s(rows, cols, -0.01f, 0.01f) : c.floats(rows, cols, -0.01f, 0.01f);
        Pair m2 = bf16 ? c.bf16s(rows, cols, 0.0f, 0.01f) : c.floats(rows, cols, 0.0f, 0.01f);
        Pair g = c.floats(rows, cols), sa = c.floats(1, 1, 0.001f, 0.01f), sb = c.floats(1, 1, 0.001f, 0.01f);
        Pair gi = c.zeros(rows, cols, DType::S32);
        std::vector<int32_t> gv(size_t(rows) * cols);
        for (auto &x : gv)
            x = int32_t(c.m_rng.below(20001)) - 10000;
        c.m_cand.upload(gi.cand, gv.data(), gv.size() * 4);
        c.m_ref.upload(gi.ref, gv.data(), gv.size() * 4);
        Pair q = c.int8s(rows, cols), qs = c.floats(1, perRow ? rows : 1, 0.001f, 0.01f);
        auto run = [&](Backend &b, Tensor &wt, Tensor &m1t, Tensor &m2t, Tensor &gt, Tensor &git, Tensor &sat,
                       Tensor &sbt, Tensor &qt, Tensor &qst) {
            UpdateArgs u;
            u.rows = rows;
            u.cols = cols;
            u.master = master ? wt.f32() : nullptr;
            u.q = qt.s8();
            u.qScales = qst.f32();
            u.qPerRow = perRow;
            u.qRounding = master ? Rounding::Nearest : Rounding::Stochastic;
            u.seed = 7;
            u.counter = 99;
            if (s32) {
                u.grad.s32 = git.s32();
                u.grad.scaleA = sat.f32();
                u.grad.scaleB = sbt.f32();
            } else {
                u.grad.f32 = gt.f32();
            }
            if (bf16) {
                u.state1Bf16 = m1t.bf16();
                u.state2Bf16 = adam ? m2t.bf16() : nullptr;
            } else {
                u.state1 = m1t.f32();
                u.state2 = adam ? m2t.f32() : nullptr;
            }
            u.optimizer = adam ? OptimizerKind::Adam : OptimizerKind::Sgd;
            u.lr = 0.01f;
            u.weightDecay = 0.001f;
            u.step = 3;
            b.updateParameters(u);
        };
        run(c.m_cand, w.cand, m1.cand, m2.cand, g.cand, gi.cand, sa.cand, sb.cand, q.cand, qs.cand);
        run(c.m_ref, w.ref, m1.ref, m2.ref, g.ref, gi.ref, sa.ref, sb.ref, q.ref, qs.ref);
        std::string op = std::string("update ") + (adam ? "adam" : "sgd-momentum") + (s32 ? " s32-grad" : " f32-grad")
            + (master ? " master" : " int8-only") + (perRow ? " per-row" : " per-tensor") + (bf16 ? " bf16-state" : "");
        if (c.m_hostCandidate) {
            double err
                = std::max({c.difference(w), c.difference(m1), c.difference(m2), c.difference(q), c.difference(qs)});
            c.record(op, dims(rows, cols), err, 0.0, kExact);
        } else if (bf16) {
            // A last-bit FP32 difference in a moment can carry its stochastic rounding to the
            // neighbouring BF16 value: one BF16 step (2^-7 relative) at most.
            double err = std::max(c.relativeDifference(m1), c.relativeDifference(m2));
            c.record(op + " state", dims(rows, cols), err, 1.0 / 128.0,
                     "a last-bit FP32 difference can move a stochastically rounded BF16 moment by one step");
            c.record(op + " fp32", dims(rows, cols), std::max(c.relativeDifference(w), c.relativeDifference(qs)), 1e-6,
                     kDeviceFma);
            c.record(op + " int8", dims(rows, cols), c.difference(q), 1.0,
                     "a last-bit FP32 difference on a rounding boundary moves one INT8 step");
        } else {
            // An FP32 weight a last bit away from the reference's can round to the neighbouring INT8
            // value when it sits on a rounding boundary: one step at most.
            double err = std::max({c.relativeDifference(w), c.relativeDifference(m1), c.relativeDifference(m2),
                                   c.relativeDifference(qs)});
            c.record(op + " fp32", dims(rows, cols), err, 1e-6, kDeviceFma);
            c.record(op + " int8", dims(rows, cols), c.difference(q), 1.0,
                     "a last-bit FP32 difference on a rounding boundary moves one INT8 step");
        }
    }
}

} // namespace

std::vector<OpCheckResult> runOpChecks(Backend &candidate, Backend &reference, uint64_t seed)
{
    Checker c(candidate, reference, seed);
    checkGemms(c);
    checkQuantise(c);
    checkElementwise(c);
    checkBackpropOps(c);
    checkUpdates(c);
    checkLayerOps(c);
    checkActivationOps(c);
    checkDepthwiseOps(c);
    checkClassGroupsOps(c);
    return c.results;
}

} // namespace ffint8
