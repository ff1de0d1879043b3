// The numeric choices of a layer with weights (precision, INT8 rounding, optimizer) and one
// optimizer step's settings, shared by LinearLayer and the graph layers (layer.h).
#pragma once

#include "engine/backend/backend.h"

#include <cstdint>

namespace ffint8 {

enum class Precision : uint8_t { Fp32, Int8 };

struct LayerOptions
{
    Precision precision = Precision::Fp32;
    bool masterWeights = true; // INT8 only: keep an FP32 copy that the optimizer updates
    bool bf16State = false; // the weights' optimizer state in BF16 (stochastically rounded)
    bool weightsPerChannel = true; // INT8 only
    Rounding activationRounding = Rounding::Stochastic;
    Rounding gradientRounding = Rounding::Stochastic;
    Rounding weightRounding = Rounding::Nearest;
    OptimizerKind optimizer = OptimizerKind::Adam;
    float momentum = 0.9f; // SGD keeps a momentum buffer only when this is non-zero
    bool relu = true; // false for a classifier head
    bool clippedGradients = false; // INT8: output gradients quantised with a clipping value (setGradientClip)
};

struct OptimizerStep
{
    float lr = 0.001f;
    float momentum = 0.9f;
    float weightDecay = 0.0f;
    int step = 1;
};

} // namespace ffint8
