// How the engine's row-major GEMMs map onto cuBLASLt's column-major matmul, and when INT8 operands
// must be repacked or padded for the IMMA tensor-core kernels. Pure host arithmetic, no CUDA
// headers: it is compiled into every build and unit-tested where no GPU exists.
#pragma once

#include "engine/backend/backend.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace ffint8::cuda {

// What a cuBLASLt matmul multiplies: INT8 -> INT32, FP32, FP32 with TF32 tensor cores, FP16.
enum class LtKind : uint8_t { Int8, F32, Tf32, F16 };
const char *ltKindName(LtKind kind);

// One column-major cuBLASLt problem: D[m x n] = alpha * op(A) * op(B) + beta * C, A stored
// (transA ? k x m : m x k) with leading dimension lda, likewise B; C and D share ldc. The alignments
// (bytes, a power of two up to 256) are part of the problem because the algorithm chosen for
// 16-byte aligned pointers may not run on 4-byte aligned ones.
struct LtProblem
{
    LtKind kind = LtKind::F32;
    bool transA = false;
    bool transB = false;
    int m = 0, n = 0, k = 0;
    int lda = 0, ldb = 0, ldc = 0;
    int alignA = 256, alignB = 256, alignC = 256;
    bool accumulate = false; // beta != 0: C is read

    // The cache key of the descriptors and heuristic result made for this problem.
    std::array<int, 14> key() const
    {
        return {int(kind), transA, transB, m, n, k, lda, ldb, ldc, alignA, alignB, alignC, accumulate, 0};
    }
    std::string describe() const;
};

// The largest power of two (at most 256) that divides the address.
int pointerAlignment(const void *p);
inline size_t roundUp(size_t value, size_t multiple) { return (value + multiple - 1) / multiple * multiple; }

// Row-major C[m x n] = op(A) * op(B) is the column-major product C^T = op(B)^T * op(A)^T: cuBLASLt's
// A is our B and its B is our A, with the same transposition flags and leading dimensions.
LtProblem rowMajorAsColumnMajor(LtKind kind, Trans ta, Trans tb, int m, int n, int k, int lda, int ldb, int ldc,
                                int alignA, int alignB, int alignC, bool accumulate);

// cuBLASLt's IMMA rules with the regular (column-major) layout: "TN" only (A transposed, B not, so
// both operands are contiguous along K), m, k and every leading dimension a multiple of 4, pointers
// 4-byte aligned. Operands that are repacked anyway are padded further, to 16 (aligned 16-byte
// loads, and what cuda-int8.md advises "to be safe").
constexpr int kImmaMultiple = 4;
constexpr int kPackedMultiple = 16;

// How one row-major INT8 GEMM C[m x n] = op(A) op(B) runs on cuBLASLt. A' is [mPadded x kPadded] and B'
// is [nPadded x kPadded], both row-major with K contiguous; padding is zero, so it adds nothing to
// any sum. The result goes straight to C, or to a [mPadded x nPadded] staging buffer whose first m
// rows and n columns are copied out after.
struct Int8GemmPlan
{
    bool packA = false;  // A is copied (transposed when ta == Yes) into A'
    bool packB = false;  // B is copied (transposed when tb == No) into B'
    bool stageC = false; // the result is written to a staging buffer, then copied into C
    int kPadded = 0;
    int nPadded = 0;
    int mPadded = 0; // rows of A' and of the result: m, or in the fallback at least 32 (see below)
    size_t packABytes = 0, packBBytes = 0, stageCBytes = 0;
    LtProblem problem; // transA = true on B', transB = false on A', m = nPadded, n = mPadded, k = kPadded
};

// `forcePack` repacks both operands with 16-padding, and pads m to a multiple of 16 above 16 (PyTorch
// guards cuBLASLt's INT8 matmul with m > 16): the fallback when cuBLASLt finds no algorithm for the
// first plan. Throws EngineError for negative sizes or too-small leading dimensions.
Int8GemmPlan planInt8Gemm(Trans ta, Trans tb, int m, int n, int k, int lda, int ldb, int ldc, int alignA, int alignB,
                          int alignC, bool forcePack);

} // namespace ffint8::cuda
