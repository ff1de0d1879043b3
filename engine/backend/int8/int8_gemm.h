// The engine's own exact INT8 GEMM for CPUs where oneDNN's s8s8s32 GEMM saturates (x86 without
// VNNI) or runs reference loops (aarch64 builds without the Arm Compute Library): operands packed
// into panels, a register-blocked micro-kernel per instruction set, panels spread over threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

namespace ffint8::int8gemm {

// What the operands' codes allow. Unsigned: every code of that operand lies in 0..127, so u8 x s8
// instructions (vpmaddubsw) multiply it exactly; Signed x Signed needs 16-bit products (vpmaddwd).
enum class Operands : uint8_t { BothSigned, AUnsigned, BUnsigned };

enum class Kernels : uint8_t {
    Portable, // plain C++ that compilers vectorise; exact on every CPU
    Avx2, // vpmaddwd for signed x signed, vpmaddubsw where one operand is unsigned
    NeonDot, // aarch64 sdot: four s8 x s8 products into each 32-bit lane, exact for any codes
};

const char *kernelsName(Kernels kernels); // "portable", "avx2", "neon-dotprod"

// Runs body(0) .. body(slots - 1) at once, one per thread of the caller's.
using ParallelSlots = std::function<void(int slots, const std::function<void(int slot)> &body)>;

// Bytes of scratch that gemm() needs for these sizes with `threads` parallel bodies.
size_t scratchBytes(int m, int k, int threads);

// Row-major C[m x n] = op(A) op(B), op(A) m x k, op(B) k x n, exact INT32 accumulation whatever the
// codes (-128..127), provided `operands` tells the truth about them. `scratch` holds scratchBytes().
void gemm(Kernels kernels, Operands operands, bool transA, bool transB, int m, int n, int k, const int8_t *a, int lda,
          const int8_t *b, int ldb, int32_t *c, int ldc, uint8_t *scratch, int threads,
          const ParallelSlots &parallelSlots);

// True when no code of the stored rows x cols matrix (leading dimension ld) is negative.
bool nonNegative(const int8_t *p, int rows, int cols, int ld);

// Whether these kernels can run on this CPU (Avx2: the CPU reports AVX2; NeonDot: an aarch64 CPU
// with the dot-product instructions).
bool available(Kernels kernels);

} // namespace ffint8::int8gemm
