// The parts of a Forward-Forward step that do not depend on what a unit is.
#include "engine/train/ff_shared.h"

#include "engine/train/trainer.h"

#include <algorithm>
#include <cmath>

namespace ffint8 {

namespace {

const char *roundingName(Rounding r)
{
    return r == Rounding::Stochastic ? "stochastic" : "nearest";
}

} // namespace

void ffStepRows(const Dataset &data, const int *indices, int count, const uint8_t *negatives,
                std::vector<int> &rowImage, std::vector<int> &rowLabel)
{
    rowImage.resize(size_t(2 * count));
    rowLabel.resize(size_t(2 * count));
    for (int i = 0; i < count; ++i) {
        rowImage[size_t(i)] = rowImage[size_t(count + i)] = indices[i];
        rowLabel[size_t(i)] = data.labels[size_t(indices[i])];
        rowLabel[size_t(count + i)] = negatives[i];
    }
}

void ffAllLabelRows(const int *indices, int count, int classes, std::vector<int> &rowImage, std::vector<int> &rowLabel)
{
    rowImage.resize(size_t(count) * size_t(classes));
    rowLabel.resize(rowImage.size());
    for (int i = 0; i < count; ++i)
        for (int c = 0; c < classes; ++c) {
            rowImage[size_t(i * classes + c)] = indices[i];
            rowLabel[size_t(i * classes + c)] = c;
        }
}

void chooseNegativeLabels(NegativeLabels mode, SplitMix64 &rng, const Dataset &data, const int *indices, int count,
                          int classes, const std::function<void(std::vector<float> &)> &allLabelGoodness,
                          std::vector<uint8_t> &labels)
{
    labels.resize(size_t(count));
    if (mode == NegativeLabels::Random) {
        for (int i = 0; i < count; ++i) {
            const int truth = data.labels[size_t(indices[i])];
            labels[size_t(i)] = uint8_t((truth + 1 + int(rng.below(uint64_t(classes - 1)))) % classes);
        }
        return;
    }
    // Hardest wrong label: the one the current network finds most convincing.
    std::vector<float> goodness;
    allLabelGoodness(goodness);
    for (int i = 0; i < count; ++i) {
        const int truth = data.labels[size_t(indices[i])];
        const float *g = goodness.data() + size_t(i) * size_t(classes);
        int best = -1;
        for (int c = 0; c < classes; ++c)
            if (c != truth && (best < 0 || g[c] > g[best]))
                best = c;
        labels[size_t(i)] = uint8_t(best);
    }
}

float labelValueOf(LabelValue value, const float *image, int features)
{
    if (value == LabelValue::One)
        return 1.0f;
    const float largest = *std::max_element(image, image + features);
    return largest > 0.0f ? largest : 1.0f;
}

LayerMetrics ffUnitMetrics(Backend &backend, const Tensor &goodness, const Tensor &loss, int rows, int positives,
                           std::vector<float> &hostGoodness, std::vector<float> &hostLoss)
{
    hostGoodness.resize(size_t(rows));
    hostLoss.resize(size_t(rows));
    backend.download(goodness, hostGoodness.data(), size_t(rows) * sizeof(float));
    backend.download(loss, hostLoss.data(), size_t(rows) * sizeof(float));
    double pos = 0, neg = 0, sum = 0;
    for (int r = 0; r < rows; ++r) {
        (r < positives ? pos : neg) += hostGoodness[size_t(r)];
        sum += hostLoss[size_t(r)];
    }
    LayerMetrics m;
    m.goodnessPos = pos / positives;
    m.goodnessNeg = neg / (rows - positives);
    m.loss = sum / rows;
    return m;
}

LayerMetrics ffClassGroupsMetrics(Backend &backend, const Tensor &goodness, const Tensor &loss, int rows, int classes,
                                  const std::vector<int32_t> &labels, std::vector<float> &hostGoodness,
                                  std::vector<float> &hostLoss)
{
    hostGoodness.resize(size_t(rows) * size_t(classes));
    hostLoss.resize(size_t(rows));
    backend.download(goodness, hostGoodness.data(), hostGoodness.size() * sizeof(float));
    backend.download(loss, hostLoss.data(), size_t(rows) * sizeof(float));
    double own = 0, others = 0, sum = 0;
    for (int r = 0; r < rows; ++r) {
        const float *g = hostGoodness.data() + size_t(r) * size_t(classes);
        double rest = 0;
        for (int j = 0; j < classes; ++j)
            (j == labels[size_t(r)] ? own : rest) += g[j];
        others += rest / (classes - 1);
        sum += hostLoss[size_t(r)];
    }
    LayerMetrics m;
    m.goodnessPos = own / rows;
    m.goodnessNeg = others / rows;
    m.loss = sum / rows;
    return m;
}

std::vector<QuantiserInfo> ffQuantisers(const TrainConfig &config, const char *activationCodes)
{
    if (!isInt8(config.algorithm))
        return {};
    const QuantiserConfig &q = config.quant;
    const char *weightRounding = config.masterWeights ? roundingName(q.weightRounding) : "stochastic";
    std::vector<QuantiserInfo> result = {
        {"activations", "symmetric-int8", "per-tensor", roundingName(q.activationRounding), activationCodes},
        {"weights", "symmetric-int8", q.weightsPerChannel ? "per-output-channel" : "per-tensor", weightRounding,
         kSignedCodes},
        {"output_gradients", "symmetric-int8", "per-tensor", roundingName(q.gradientRounding), kSignedCodes},
    };
    if (config.optimizerState == StateFormat::Bf16)
        result.push_back(bf16StateInfo());
    return result;
}

} // namespace ffint8
