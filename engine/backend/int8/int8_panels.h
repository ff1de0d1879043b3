// The packed panel layout shared by the INT8 GEMM driver and its micro-kernels (internal).
//
// K is cut into groups of G values: G = 4 bytes ("quads", for vpmaddubsw, sdot and plain C++) or
// G = 2 sign-extended int16 ("pairs", for vpmaddwd). Either way a group of one row or column takes
// 4 bytes, so an A panel (kPanelRows rows) takes 24 bytes a group and a B panel (kPanelCols columns)
// 64 bytes a group: two AVX2 registers, broadcast 32-bit words from A against them.
#pragma once

#include "engine/backend/int8/int8_gemm.h"

#include <cstddef>
#include <cstdint>

namespace ffint8::int8gemm::detail {

constexpr int kPanelRows = 6;
constexpr int kPanelCols = 16;
constexpr int kGroupBytes = 4;

enum class Packing : uint8_t { Quads, Pairs };

constexpr int valuesPerGroup(Packing p)
{
    return p == Packing::Quads ? 4 : 2;
}
constexpr int groupsOf(int k, Packing p)
{
    return (k + valuesPerGroup(p) - 1) / valuesPerGroup(p);
}

// c[kPanelRows x kPanelCols] (leading dimension ldc) = the A panel's rows times the B panel's
// columns over `groups` groups.
using MicroKernel = void (*)(int groups, const uint8_t *aPanel, const uint8_t *bPanel, int32_t *c, int ldc);

// Packs op(X)'s rows [first, first + count) into a panel of `width` rows (zeros past count and past
// k): `trans` says op(X)(r, p) is x[p * ld + r] rather than x[r * ld + p].
using PackFn = void (*)(Packing packing, bool trans, const int8_t *x, int ld, int first, int count, int width, int k,
                        uint8_t *panel);

struct KernelSet
{
    Packing packing;
    MicroKernel kernel;
    PackFn packA; // width kPanelRows, rows of op(A)
    PackFn packB; // width kPanelCols, columns of op(B): called with op(B)^T's view (trans flipped)
};

// The portable pack (any layout) and the portable quads kernel (signed x signed in int32).
void packPortable(Packing packing, bool trans, const int8_t *x, int ld, int first, int count, int width, int k,
                  uint8_t *panel);
KernelSet portableKernels();

#if defined(__x86_64__) || defined(__i386__)
// Pairs for signed x signed, quads with the unsigned operand fed to vpmaddubsw otherwise.
KernelSet avx2Kernels(Operands operands);
#endif
#if defined(__aarch64__)
KernelSet neonDotKernels();
#endif

} // namespace ffint8::int8gemm::detail
