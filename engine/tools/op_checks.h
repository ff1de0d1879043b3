// Every backend op run on a candidate backend and on the reference backend with the same fresh
// random inputs (odd shapes included), compared within a per-op tolerance that states its reason.
#pragma once

#include "engine/backend/backend.h"

#include <string>
#include <vector>

namespace ffint8 {

struct OpCheckResult
{
    std::string op;     // "gemm_s8s8s32 TN"
    std::string shape;  // "m=17 n=33 k=65"
    double maxError = 0.0;
    double tolerance = 0.0;
    std::string reason; // why that tolerance
    bool passed = false;
};

std::vector<OpCheckResult> runOpChecks(Backend &candidate, Backend &reference, uint64_t seed);

} // namespace ffint8
