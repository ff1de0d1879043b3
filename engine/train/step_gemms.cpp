// Mirrors the GEMM calls of LinearLayer as FfTrainer::trainStep and BpTrainer issue them.
#include "engine/train/step_gemms.h"

#include "engine/nn/linear_layer.h"
#include "engine/train/ff_trainer.h"

#include <algorithm>

namespace ffint8 {

namespace {

constexpr int kClasses = 10;

std::string layerName(size_t i) { return "layer " + std::to_string(i); }

// input x W^T: rows x out from rows x in and out x in.
StepGemm forward(size_t i, int rows, int in, int out, bool int8)
{
    return {layerName(i) + " forward", Trans::No, Trans::Yes, rows, out, in, in, in, int8, true, false, 1};
}

// gradZ x W: rows x in from rows x out and out x in.
StepGemm inputGradient(size_t i, int rows, int in, int out, bool int8)
{
    return {layerName(i) + " input gradient", Trans::No, Trans::No, rows, in, out, out, in, int8, false, false, 1};
}

// gradZ^T x input in blocks of output rows, out x in in all, as LinearLayer::update splits it for a
// gradient buffer of `bufferValues` values. FF's blocked INT8 blocks read both operands transposed
// once beforehand (LayerWorkspace::transposedGrad).
void weightGradient(std::vector<StepGemm> &gemms, size_t i, int rows, int in, int out, size_t bufferValues, bool int8,
                    bool transposedBlocks)
{
    const int block = LinearLayer::gradientBlockRows(in, out, bufferValues);
    const int full = out / block, rest = out % block;
    const std::string name = layerName(i) + " weight gradient";
    const bool transposed = transposedBlocks && int8 && block < out;
    const Trans ta = transposed ? Trans::No : Trans::Yes, tb = transposed ? Trans::Yes : Trans::No;
    const int lda = transposed ? rows : out, ldb = transposed ? rows : in;
    if (full > 0)
        gemms.push_back({full > 1 ? name + " (" + std::to_string(full) + " blocks of " + std::to_string(block) + " rows)" : name,
                         ta, tb, block, in, rows, lda, ldb, int8, false, true, full});
    if (rest > 0)
        gemms.push_back({name + " (last " + std::to_string(rest) + " rows)", ta, tb, rest, in, rows, lda, ldb, int8, false,
                         true, 1});
}

} // namespace

std::vector<StepGemm> stepGemms(const TrainConfig &config, int epoch)
{
    std::vector<StepGemm> gemms;
    const bool int8 = isInt8(config.algorithm);
    std::vector<int> widths = config.layers;
    if (isForwardForward(config.algorithm)) {
        // The hardest wrong labels come from a forward pass of every image with every label, in
        // chunks of the evaluation batch (FfTrainer::goodnessForAllLabels).
        if (config.negatives == NegativeLabels::Hardest) {
            const int chunk = std::min(config.batch, config.evalBatch);
            for (int start = 0; start < config.batch; start += chunk) {
                const int rows = std::min(chunk, config.batch - start) * kClasses;
                for (size_t i = 0; i + 1 < widths.size(); ++i) {
                    StepGemm g = forward(i, rows, widths[i], widths[i + 1], int8);
                    g.what += " (every label, for the hardest negatives)";
                    gemms.push_back(g);
                }
            }
        }
        const int rows = 2 * config.batch;
        const size_t bufferValues = ffGradientBufferValues(config);
        for (size_t i = 0; i + 1 < widths.size(); ++i)
            gemms.push_back(forward(i, rows, widths[i], widths[i + 1], int8));
        // Updates run from the last layer down; look-ahead carries gradients below the last layer
        // (FfTrainer::trainStep's chain exists while lambda > 0).
        for (size_t i = widths.size() - 1; i-- > 0;) {
            if (config.lambda.at(epoch) > 0.0f && i > 0)
                gemms.push_back(inputGradient(i, rows, widths[i], widths[i + 1], int8));
            weightGradient(gemms, i, rows, widths[i], widths[i + 1], bufferValues, int8, config.gradientBlockRows > 0);
        }
        return gemms;
    }
    widths.push_back(kClasses);
    const int rows = config.batch;
    for (size_t i = 0; i + 1 < widths.size(); ++i)
        gemms.push_back(forward(i, rows, widths[i], widths[i + 1], int8));
    for (size_t i = widths.size() - 1; i-- > 0;) {
        if (i > 0)
            gemms.push_back(inputGradient(i, rows, widths[i], widths[i + 1], int8));
        weightGradient(gemms, i, rows, widths[i], widths[i + 1], size_t(widths[i]) * widths[i + 1], int8, false);
    }
    return gemms;
}

} // namespace ffint8
