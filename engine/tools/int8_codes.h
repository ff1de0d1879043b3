// Random INT8 codes of one kind for the GEMM checks: the quantisers' symmetric range, the
// non-negative codes of quantised ReLU activations, or only the extremes (every product as large as
// it gets, where a GEMM that multiplies pairs into 16 bits would saturate).
#pragma once

#include "engine/core/counter_rng.h"

#include <cstdint>
#include <vector>

namespace ffint8 {

enum class Int8Codes { Signed, NonNegative, SignedExtremes, NonNegativeExtremes };

inline std::vector<int8_t> randomInt8Codes(size_t count, Int8Codes kind, SplitMix64 &rng)
{
    std::vector<int8_t> v(count);
    for (auto &x : v) {
        switch (kind) {
        case Int8Codes::Signed:
            x = int8_t(int(rng.below(255)) - 127);
            break;
        case Int8Codes::NonNegative:
            x = int8_t(rng.below(128));
            break;
        case Int8Codes::SignedExtremes:
            x = rng.below(2) ? int8_t(127) : int8_t(-128);
            break;
        case Int8Codes::NonNegativeExtremes:
            x = 127;
            break;
        }
    }
    return v;
}

} // namespace ffint8
