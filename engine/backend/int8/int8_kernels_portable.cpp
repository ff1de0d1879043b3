// The portable pack and micro-kernel: plain C++ in int32 arithmetic, exact for any codes, on any CPU.
#include "engine/backend/int8/int8_panels.h"

#include <cstring>

namespace ffint8::int8gemm::detail {

void packPortable(Packing packing, bool trans, const int8_t *x, int ld, int first, int count, int width, int k,
                  uint8_t *panel)
{
    const int per = valuesPerGroup(packing), groups = groupsOf(k, packing);
    std::memset(panel, 0, size_t(groups) * width * kGroupBytes);
    auto *quads = reinterpret_cast<int8_t *>(panel);
    auto *pairs = reinterpret_cast<int16_t *>(panel);
    for (int r = 0; r < count; ++r) {
        for (int p = 0; p < k; ++p) {
            const int8_t v = trans ? x[size_t(p) * ld + first + r] : x[size_t(first + r) * ld + p];
            const size_t slot = size_t(p / per) * width + r;
            if (packing == Packing::Quads)
                quads[slot * 4 + p % 4] = v;
            else
                pairs[slot * 2 + p % 2] = v;
        }
    }
}

namespace {

// The B panel for the portable kernel: each group's four depths one after another, 16 columns each
// ([group][depth][column]), so that the kernel's inner loop runs over contiguous columns and the
// compiler vectorises it (pmovsxbd/pmulld on x86, smlal on ARM).
void packPlanarB(Packing packing, bool trans, const int8_t *x, int ld, int first, int count, int width, int k,
                 uint8_t *panel)
{
    (void)packing;
    const int groups = groupsOf(k, Packing::Quads);
    std::memset(panel, 0, size_t(groups) * width * kGroupBytes);
    auto *out = reinterpret_cast<int8_t *>(panel);
    for (int r = 0; r < count; ++r)
        for (int p = 0; p < k; ++p)
            out[(size_t(p / 4) * 4 + p % 4) * width + r]
                = trans ? x[size_t(p) * ld + first + r] : x[size_t(first + r) * ld + p];
}

void quadsPortable(int groups, const uint8_t *aPanel, const uint8_t *bPanel, int32_t *c, int ldc)
{
    int32_t acc[kPanelRows][kPanelCols] = {};
    for (int g = 0; g < groups; ++g) {
        const auto *a = reinterpret_cast<const int8_t *>(aPanel) + size_t(g) * kPanelRows * 4;
        const auto *b = reinterpret_cast<const int8_t *>(bPanel) + size_t(g) * kPanelCols * 4;
        for (int e = 0; e < 4; ++e)
            for (int i = 0; i < kPanelRows; ++i) {
                const int32_t ai = a[i * 4 + e];
                for (int j = 0; j < kPanelCols; ++j)
                    acc[i][j] += ai * int32_t(b[e * kPanelCols + j]);
            }
    }
    for (int i = 0; i < kPanelRows; ++i)
        std::memcpy(c + size_t(i) * ldc, acc[i], sizeof acc[i]);
}

} // namespace

KernelSet portableKernels()
{
    return {Packing::Quads, quadsPortable, packPortable, packPlanarB};
}

} // namespace ffint8::int8gemm::detail
