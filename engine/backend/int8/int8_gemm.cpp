// The INT8 GEMM driver: packs op(A) once, then hands out B panels to the threads one at a time, so a
// thread that the OS holds back takes fewer panels instead of holding the others up.
#include "engine/backend/int8/int8_gemm.h"

#include "engine/backend/int8/int8_panels.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <thread>

#if defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace ffint8::int8gemm {

using namespace detail;

namespace {

constexpr size_t kAlign = 64;

size_t aligned(size_t bytes)
{
    return (bytes + kAlign - 1) / kAlign * kAlign;
}

// Pairs take more groups than quads: scratch is sized for them whichever packing runs.
size_t aPanelsBytes(int m, int k)
{
    return aligned(size_t((m + kPanelRows - 1) / kPanelRows) * groupsOf(k, Packing::Pairs) * kPanelRows * kGroupBytes);
}
size_t bPanelBytes(int k)
{
    return aligned(size_t(groupsOf(k, Packing::Pairs)) * kPanelCols * kGroupBytes);
}

// Below this many multiply-adds a call takes microseconds: splitting it costs more than it saves.
constexpr double kParallelMacs = 1 << 18;

KernelSet kernelsFor(Kernels kernels, Operands operands)
{
#if defined(__x86_64__) || defined(__i386__)
    if (kernels == Kernels::Avx2)
        return avx2Kernels(operands);
#endif
#if defined(__aarch64__)
    if (kernels == Kernels::NeonDot)
        return neonDotKernels();
#endif
    (void)kernels;
    (void)operands;
    return portableKernels();
}

void storeTile(const int32_t *tile, int rows, int cols, int32_t *c, int ldc)
{
    for (int i = 0; i < rows; ++i)
        std::memcpy(c + size_t(i) * ldc, tile + size_t(i) * kPanelCols, size_t(cols) * sizeof(int32_t));
}

} // namespace

size_t scratchBytes(int m, int k, int threads)
{
    return aPanelsBytes(m, k) + size_t(std::max(1, threads)) * bPanelBytes(k) + kAlign;
}

const char *kernelsName(Kernels kernels)
{
    switch (kernels) {
    case Kernels::Portable:
        return "portable";
    case Kernels::Avx2:
        return "avx2";
    case Kernels::NeonDot:
        return "neon-dotprod";
    }
    return "?";
}

bool available(Kernels kernels)
{
#if defined(__x86_64__) || defined(__i386__)
    if (kernels == Kernels::Avx2)
        return __builtin_cpu_supports("avx2");
#endif
#if defined(__aarch64__) && defined(__linux__) && defined(HWCAP_ASIMDDP)
    if (kernels == Kernels::NeonDot)
        return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
#endif
    return kernels == Kernels::Portable;
}

bool nonNegative(const int8_t *p, int rows, int cols, int ld)
{
    // OR of a row's bytes: its sign bit is set when any code is negative. A loop the compiler
    // vectorises, stopped at the first row with a negative code.
    for (int r = 0; r < rows; ++r) {
        const auto *row = reinterpret_cast<const uint8_t *>(p + size_t(r) * ld);
        uint8_t any = 0;
        for (int c = 0; c < cols; ++c)
            any |= row[c];
        if (any & 0x80)
            return false;
    }
    return true;
}

void gemm(Kernels kernels, Operands operands, bool transA, bool transB, int m, int n, int k, const int8_t *a, int lda,
          const int8_t *b, int ldb, int32_t *c, int ldc, uint8_t *scratch, int threads,
          const ParallelSlots &parallelSlots)
{
    if (m <= 0 || n <= 0)
        return;
    if (k <= 0) {
        for (int i = 0; i < m; ++i)
            std::memset(c + size_t(i) * ldc, 0, size_t(n) * sizeof(int32_t));
        return;
    }
    const KernelSet set = kernelsFor(kernels, operands);
    const int groups = groupsOf(k, set.packing);
    const int aBlocks = (m + kPanelRows - 1) / kPanelRows, bPanels = (n + kPanelCols - 1) / kPanelCols;
    const size_t aBlockBytes = size_t(groups) * kPanelRows * kGroupBytes;
    uint8_t *base = reinterpret_cast<uint8_t *>((reinterpret_cast<uintptr_t>(scratch) + kAlign - 1) / kAlign * kAlign);
    uint8_t *aPanels = base;
    uint8_t *bPanelSlots = base + aPanelsBytes(m, k);

    const bool parallel = threads > 1 && double(m) * n * k >= kParallelMacs;
    const int slots = parallel ? std::min(threads, std::max(aBlocks, bPanels)) : 1;
    std::atomic<int> nextA{0}, nextB{0};
    auto packA = [&](int) {
        for (int blk; (blk = nextA.fetch_add(1, std::memory_order_relaxed)) < aBlocks;) {
            const int first = blk * kPanelRows;
            set.packA(set.packing, transA, a, lda, first, std::min(kPanelRows, m - first), kPanelRows, k,
                      aPanels + size_t(blk) * aBlockBytes);
        }
    };
    if (slots > 1)
        parallelSlots(slots, packA);
    else
        packA(0);
    auto work = [&](int slot) {
        uint8_t *bPanel = bPanelSlots + size_t(slot) * bPanelBytes(k);
        alignas(64) int32_t tile[kPanelRows * kPanelCols];
        for (int panel; (panel = nextB.fetch_add(1, std::memory_order_relaxed)) < bPanels;) {
            const int j0 = panel * kPanelCols, cols = std::min(kPanelCols, n - j0);
            set.packB(set.packing, !transB, b, ldb, j0, cols, kPanelCols, k, bPanel);
            for (int blk = 0; blk < aBlocks; ++blk) {
                const int i0 = blk * kPanelRows;
                const int rows = std::min(kPanelRows, m - i0);
                const uint8_t *aPanel = aPanels + size_t(blk) * aBlockBytes;
                if (rows == kPanelRows && cols == kPanelCols) {
                    set.kernel(groups, aPanel, bPanel, c + size_t(i0) * ldc + j0, ldc);
                } else {
                    set.kernel(groups, aPanel, bPanel, tile, kPanelCols);
                    storeTile(tile, rows, cols, c + size_t(i0) * ldc + j0, ldc);
                }
            }
        }
    };
    if (slots > 1)
        parallelSlots(slots, work);
    else
        work(0);
}

} // namespace ffint8::int8gemm
