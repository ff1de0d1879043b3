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

void quadsPortable(int groups, const uint8_t *aPanel, const uint8_t *bPanel, int32_t *c, int ldc)
{
    int32_t acc[kPanelRows][kPanelCols] = {};
    for (int g = 0; g < groups; ++g) {
        const auto *a = reinterpret_cast<const int8_t *>(aPanel) + size_t(g) * kPanelRows * 4;
        const auto *b = reinterpret_cast<const int8_t *>(bPanel) + size_t(g) * kPanelCols * 4;
        for (int i = 0; i < kPanelRows; ++i)
            for (int j = 0; j < kPanelCols; ++j)
                acc[i][j] += int32_t(a[i * 4]) * b[j * 4] + int32_t(a[i * 4 + 1]) * b[j * 4 + 1]
                    + int32_t(a[i * 4 + 2]) * b[j * 4 + 2] + int32_t(a[i * 4 + 3]) * b[j * 4 + 3];
    }
    for (int i = 0; i < kPanelRows; ++i)
        std::memcpy(c + size_t(i) * ldc, acc[i], sizeof acc[i]);
}

} // namespace

KernelSet portableKernels()
{
    return {Packing::Quads, quadsPortable, packPortable, packPortable};
}

} // namespace ffint8::int8gemm::detail
