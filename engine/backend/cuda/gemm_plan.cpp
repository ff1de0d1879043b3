// Row-major to column-major mapping and INT8 padding rules for cuBLASLt (see gemm_plan.h).
#include "engine/backend/cuda/gemm_plan.h"

#include "engine/core/error.h"

#include <algorithm>
#include <cstdint>

namespace ffint8::cuda {

const char *ltKindName(LtKind kind)
{
    switch (kind) {
    case LtKind::Int8: return "int8";
    case LtKind::F32: return "fp32";
    case LtKind::Tf32: return "tf32";
    case LtKind::F16: return "fp16";
    }
    return "?";
}

std::string LtProblem::describe() const
{
    return std::string(ltKindName(kind)) + " " + (transA ? "T" : "N") + (transB ? "T" : "N") + " m=" + std::to_string(m) +
           " n=" + std::to_string(n) + " k=" + std::to_string(k) + " lda=" + std::to_string(lda) +
           " ldb=" + std::to_string(ldb) + " ldc=" + std::to_string(ldc) + " align=" + std::to_string(alignA) + "/" +
           std::to_string(alignB) + "/" + std::to_string(alignC);
}

int pointerAlignment(const void *p)
{
    const auto address = reinterpret_cast<uintptr_t>(p);
    int alignment = 1;
    while (alignment < 256 && address % uintptr_t(alignment * 2) == 0)
        alignment *= 2;
    return alignment;
}

LtProblem rowMajorAsColumnMajor(LtKind kind, Trans ta, Trans tb, int m, int n, int k, int lda, int ldb, int ldc,
                                int alignA, int alignB, int alignC, bool accumulate)
{
    LtProblem p;
    p.kind = kind;
    p.transA = tb == Trans::Yes;
    p.transB = ta == Trans::Yes;
    p.m = n;
    p.n = m;
    p.k = k;
    p.lda = ldb;
    p.ldb = lda;
    p.ldc = ldc;
    p.alignA = alignB;
    p.alignB = alignA;
    p.alignC = alignC;
    p.accumulate = accumulate;
    return p;
}

namespace {

void checkShape(Trans ta, Trans tb, int m, int n, int k, int lda, int ldb, int ldc)
{
    const std::string shape = "m=" + std::to_string(m) + " n=" + std::to_string(n) + " k=" + std::to_string(k) +
                              " lda=" + std::to_string(lda) + " ldb=" + std::to_string(ldb) + " ldc=" + std::to_string(ldc);
    if (m < 0 || n < 0 || k < 0)
        throw EngineError("gemm_s8s8s32: negative size (" + shape + ")");
    // Row-major: A is (ta ? k x m : m x k), so its rows hold (ta ? m : k) values.
    if (lda < std::max(1, ta == Trans::Yes ? m : k) || ldb < std::max(1, tb == Trans::Yes ? k : n) || ldc < std::max(1, n))
        throw EngineError("gemm_s8s8s32: a leading dimension is shorter than its rows (" + shape + ")");
}

} // namespace

Int8GemmPlan planInt8Gemm(Trans ta, Trans tb, int m, int n, int k, int lda, int ldb, int ldc, int alignA, int alignB,
                          int alignC, bool forcePack)
{
    checkShape(ta, tb, m, n, k, lda, ldb, ldc);
    Int8GemmPlan plan;
    const bool kOk = k % kImmaMultiple == 0;
    // A row-major [m x k] A is A' as it is; B' = B when B is stored [n x k] (tb == Yes).
    const bool directA = !forcePack && ta == Trans::No && kOk && lda % kImmaMultiple == 0 && alignA >= 4;
    const bool directB = !forcePack && tb == Trans::Yes && kOk && n % kImmaMultiple == 0 &&
                         ldb % kImmaMultiple == 0 && alignB >= 4;
    plan.packA = !directA;
    plan.packB = !directB;
    // An operand used in place fixes K; only when both are repacked may K grow to the safer 16.
    plan.kPadded = directA || directB ? k : int(roundUp(size_t(std::max(k, 1)), kPackedMultiple));
    plan.nPadded = directB ? n : int(roundUp(size_t(std::max(n, 1)), forcePack ? kPackedMultiple : kImmaMultiple));
    plan.mPadded = forcePack ? std::max(int(roundUp(size_t(std::max(m, 1)), kPackedMultiple)), 2 * kPackedMultiple) : m;
    const int cMultiple = forcePack ? kPackedMultiple : kImmaMultiple;
    plan.stageC = plan.nPadded != n || plan.mPadded != m || ldc % cMultiple != 0 || alignC < 4;
    if (plan.packA)
        plan.packABytes = size_t(plan.mPadded) * size_t(plan.kPadded);
    if (plan.packB)
        plan.packBBytes = size_t(plan.nPadded) * size_t(plan.kPadded);
    if (plan.stageC)
        plan.stageCBytes = size_t(plan.mPadded) * size_t(plan.nPadded) * sizeof(int32_t);

    LtProblem &p = plan.problem;
    p.kind = LtKind::Int8;
    p.transA = true;
    p.transB = false;
    p.m = plan.nPadded;
    p.n = plan.mPadded;
    p.k = plan.kPadded;
    p.lda = directB ? ldb : plan.kPadded;
    p.ldb = directA ? lda : plan.kPadded;
    p.ldc = plan.stageC ? plan.nPadded : ldc;
    // Repacked operands and the staging buffer come from the pool, which aligns to 256 bytes.
    p.alignA = directB ? alignB : 256;
    p.alignB = directA ? alignA : 256;
    p.alignC = plan.stageC ? 256 : alignC;
    return plan;
}

} // namespace ffint8::cuda
