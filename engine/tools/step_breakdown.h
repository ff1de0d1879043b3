// One training step split into the parts the benchmarks (`ffint8 bench`, `ffint8-gpu-bench`) time
// on their own: the step's GEMMs at the shapes the trainer issues, and its optimizer step over every
// weight. What the whole step takes beyond them is the rest (quantisation, normalisation, losses,
// threading, kernel launches).
#pragma once

#include "engine/backend/backend.h"
#include "engine/core/counter_rng.h"
#include "engine/train/step_gemms.h"
#include "engine/train/train_config.h"

#include <functional>

namespace ffint8 {

// Seconds per call of `call`, after one warm-up call, repeated until `budget` seconds have passed.
double secondsPerCall(const std::function<void()> &call, double budget);

// Operands of one GEMM with the trainer's leading dimensions (op(A) is m x k, op(B) is k x n,
// row-major), filled with random values; and the GEMM run on them, in the precision it names.
struct GemmOperands
{
    Tensor a, b, c;
};
GemmOperands gemmOperands(Backend &backend, const StepGemm &gemm, SplitMix64 &rng);
void runGemm(Backend &backend, const StepGemm &gemm, GemmOperands &operands);

// Seconds for all GEMMs of one step of `config` in epoch `epoch`, on operands of the step's sizes.
double timeStepGemms(Backend &backend, const TrainConfig &config, int epoch);
// Seconds for one optimizer step over all layers, with the layers' own storage (FP32, or INT8 with
// or without a master copy, FP32 or BF16 state) and gradients of the kind the trainer hands it.
double timeOptimizerStep(Backend &backend, const TrainConfig &config);

} // namespace ffint8
