// The matrix products one training step runs, shape by shape, as the trainers issue them: what a
// benchmark times to split a step into its GEMMs and everything else.
#pragma once

#include "engine/backend/backend.h"
#include "engine/train/train_config.h"

#include <string>
#include <vector>

namespace ffint8 {

struct StepGemm
{
    std::string what; // "layer 1 forward", "layer 1 weight gradient (7 blocks of 128 rows)", ...
    Trans ta = Trans::No, tb = Trans::No;
    int m = 0, n = 0, k = 0;
    int lda = 0, ldb = 0; // leading dimensions as the trainer passes them (row-major)
    bool int8 = false;
    // Every code of that operand is non-negative: activations after ReLU, and the non-negative pixels
    // (length-normalised for FF) that the first layer sees. CPUs without VNNI multiply these exactly
    // with u8 x s8 instructions (cpu_int8_path.h).
    bool aNonNegative = false, bNonNegative = false;
    int repeats = 1; // identical calls in one step (the blocks of a blocked weight gradient)
};

// The GEMMs of one step of a full batch of `config` in epoch `epoch` (0-based): FF runs 2 x batch
// rows (positive and negative examples) through every layer, and look-ahead's input gradients only
// where lambda(epoch) > 0, after a forward pass with every label when it picks the hardest negative
// labels; BP runs the batch through the layers and a 10-class head.
std::vector<StepGemm> stepGemms(const TrainConfig &config, int epoch);

} // namespace ffint8
