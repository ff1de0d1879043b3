// BF16 words (the upper 16 bits of an FP32) for reduced-precision optimizer state: exact widening,
// and narrowing with stochastic rounding, the same bits on host and device.
#pragma once

#include "engine/core/counter_rng.h"

#include <cstdint>
#include <cstring>

namespace ffint8 {

FFINT8_HOST_DEVICE inline float bf16ToFloat(uint16_t h)
{
    uint32_t bits = uint32_t(h) << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

// Adding 16 uniform random bits below the kept half and truncating rounds the magnitude up with
// probability equal to the dropped fraction: unbiased for either sign, because the sign is a separate
// bit. Infinities stay infinite (their dropped half is zero, so the carry never reaches the exponent
// beyond all-ones) and NaNs stay NaN (a non-zero kept mantissa, or a carry into it), so a diverged
// run still shows as one.
FFINT8_HOST_DEVICE inline uint16_t floatToBf16Stochastic(float f, uint32_t random16)
{
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    const uint32_t magnitude = bits & 0x7FFFFFFFu;
    // Finite values only: rounding the largest finite magnitudes up would make them infinite,
    // which is what round-to-nearest does too; NaN and infinity are passed through truncated.
    const uint32_t rounded = magnitude < 0x7F800000u ? magnitude + (random16 & 0xFFFFu) : magnitude | (magnitude > 0x7F800000u ? 0x10000u : 0u);
    return uint16_t(((bits & 0x80000000u) | rounded) >> 16);
}

} // namespace ffint8
