// What a training run reports: per-step statistics, progress, epoch results and the final summary.
#pragma once

#include "engine/core/memory_account.h"

#include <cmath>
#include <string>
#include <vector>

namespace ffint8 {

// Per-layer figures averaged over the batches they cover; NaN where a trainer has no such figure.
// FF: goodness of positive and negative data and the layer's own loss. BP: the norm of the layer's
// output gradient, the direction deviation of its INT8 quantisation, and the loss at the head.
struct LayerMetrics
{
    double goodnessPos = NAN;
    double goodnessNeg = NAN;
    double loss = NAN;
    double gradNorm = NAN;
    double deviation = NAN;
};

struct StepStats
{
    std::vector<LayerMetrics> layers;
    double loss = 0.0; // sum of the layer losses
    bool finite = true;
};

// A quantiser as a run used it, so the run can say exactly what "INT8" meant.
struct QuantiserInfo
{
    std::string tensor;      // "activations", "weights", "output_gradients", ...
    std::string scheme;      // "symmetric-int8"
    std::string granularity; // "per-tensor" or "per-output-channel"
    std::string rounding;    // "nearest" or "stochastic"
    // The codes the tensor takes and so how a CPU without VNNI multiplies it: "0..127" (non-negative,
    // a u8 operand) or "-127..127" (signed); empty where the tensor is not an INT8 GEMM operand.
    std::string codes;
};

inline const char *kNonNegativeCodes = "0..127";
inline const char *kSignedCodes = "-127..127";

struct ProgressMetrics
{
    int epoch = 0; // 0-based
    int batch = 0; // batches done in this epoch
    int batchesPerEpoch = 0;
    double trainLoss = 0.0; // mean over the batches since the last report
    std::vector<LayerMetrics> layers;
    double samplesPerSecond = 0.0;
    double elapsedSeconds = 0.0; // since the run started
};

struct EpochMetrics
{
    int epoch = 0; // 0-based
    double trainLoss = 0.0;
    std::vector<LayerMetrics> layers;
    double trainSeconds = 0.0; // training only
    double evalSeconds = 0.0;
    double samplesPerSecond = 0.0;
    double testAccuracy = -1.0;       // fraction; -1 when not evaluated
    double validationAccuracy = -1.0; // fraction; -1 when there is no validation split
    float lambda = 0.0f;
    // The learning rate of the epoch's last step: config.lr times the schedule's factor
    // (TrainConfig::lrSchedule). BP-UI8's per-layer scales and an FF head's own rate scale it further.
    float learningRate = 0.0f;
    MemorySnapshot memory;
    // Training seconds of the run up to the end of this epoch: RunSummary::trainSeconds then.
    double runTrainSeconds = 0.0;
    // This is the first epoch whose test accuracy reached the run's target (config.targetAccuracy).
    bool reachedTarget = false;
    // The epoch's training span on std::chrono::steady_clock, in seconds: power samples taken on
    // the same clock give the epoch's energy.
    double monotonicStart = 0.0;
    double monotonicEnd = 0.0;
};

enum class RunStatus { Completed, Diverged, Cancelled, Failed };
const char *runStatusName(RunStatus s);

struct RunSummary
{
    RunStatus status = RunStatus::Completed;
    std::string message;
    int epochsCompleted = 0;
    double testAccuracy = -1.0;
    double validationAccuracy = -1.0;
    // Time in training steps, of every epoch begun: a diverged or cancelled epoch's steps count too.
    double trainSeconds = 0.0;
    double totalSeconds = 0.0;
    // The first epoch (from 1) whose test accuracy reached config.targetAccuracy and the training
    // seconds up to its end (trainSeconds's clock: steps only, no evaluation); 0 and NaN when the
    // run had no target or never reached it.
    int targetEpoch = 0;
    double targetSeconds = NAN;
    MemorySnapshot memory;
    double monotonicStart = 0.0; // the run's span on std::chrono::steady_clock, in seconds
    double monotonicEnd = 0.0;
};

} // namespace ffint8
