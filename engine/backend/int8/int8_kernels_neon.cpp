// The aarch64 micro-kernel on the dot-product instructions (ARMv8.2 and later, every Jetson Orin):
// sdot adds four s8 x s8 products into a 32-bit lane without an intermediate that could saturate,
// so one kernel serves every sign combination. Quads as packed (int8_panels.h): a group of the A
// panel is 6 rows of 4 bytes, of the B panel 16 columns of 4 bytes (four registers).
#if defined(__aarch64__)

#include "engine/backend/int8/int8_panels.h"

#include <arm_neon.h>

#define FFINT8_DOTPROD __attribute__((target("arch=armv8.2-a+dotprod")))

namespace ffint8::int8gemm::detail {

namespace {

FFINT8_DOTPROD void quadsDot(int groups, const uint8_t *aPanel, const uint8_t *bPanel, int32_t *c, int ldc)
{
    static_assert(kPanelRows == 6 && kPanelCols == 16, "the kernel holds 6 x 16 accumulators");
    int32x4_t acc[kPanelRows][4];
    for (auto &row : acc)
        for (auto &v : row)
            v = vdupq_n_s32(0);
    const auto *a = reinterpret_cast<const int8_t *>(aPanel);
    const auto *b = reinterpret_cast<const int8_t *>(bPanel);
    for (int g = 0; g < groups; ++g, a += kPanelRows * kGroupBytes, b += kPanelCols * kGroupBytes) {
        const int8x16_t rows0to3 = vld1q_s8(a);
        const int8x8_t rows4to5 = vld1_s8(a + 16);
        for (int j = 0; j < 4; ++j) {
            const int8x16_t cols = vld1q_s8(b + 16 * j);
            acc[0][j] = vdotq_laneq_s32(acc[0][j], cols, rows0to3, 0);
            acc[1][j] = vdotq_laneq_s32(acc[1][j], cols, rows0to3, 1);
            acc[2][j] = vdotq_laneq_s32(acc[2][j], cols, rows0to3, 2);
            acc[3][j] = vdotq_laneq_s32(acc[3][j], cols, rows0to3, 3);
            acc[4][j] = vdotq_lane_s32(acc[4][j], cols, rows4to5, 0);
            acc[5][j] = vdotq_lane_s32(acc[5][j], cols, rows4to5, 1);
        }
    }
    for (int i = 0; i < kPanelRows; ++i)
        for (int j = 0; j < 4; ++j)
            vst1q_s32(c + size_t(i) * ldc + 4 * j, acc[i][j]);
}

} // namespace

KernelSet neonDotKernels()
{
    return {Packing::Quads, quadsDot, packPortable, packPortable};
}

} // namespace ffint8::int8gemm::detail

#endif
