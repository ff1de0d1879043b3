// Backpropagation through a model graph with a softmax cross-entropy head.
#include "engine/train/graph_bp_trainer.h"

#include "engine/core/error.h"
#include "engine/train/bp_trainer.h"

#include <algorithm>
#include <cmath>

namespace ffint8 {

GraphBpTrainer::GraphBpTrainer(const TrainConfig &config, Backend &backend)
    : m_config(config),
      m_backend(backend),
      m_scratch(backend),
      m_quantSeed(config.seed * 0x9E3779B97F4A7C15ULL + 2) // BpTrainer's stream
{
    m_config.validate();
    if (!m_config.graphModel())
        throw EngineError(
            "GraphBpTrainer needs a model graph (TrainConfig::model); the MLP of `layers` is BpTrainer's");
    if (isForwardForward(m_config.algorithm))
        throw EngineError(std::string("GraphBpTrainer cannot train ") + algorithmName(m_config.algorithm));
    m_graph = std::make_unique<ModelGraph>(backend, modelSpecOf(m_config), m_config.inputShape, m_config.classes,
                                           bpLayerOptions(m_config, false), m_config.seed);
    m_graph->reserve(m_config.batch, true);
    m_labels = m_backend.allocate(1, m_config.batch, DType::S32, MemoryCategory::Workspace);
    m_loss = m_backend.allocate(1, m_config.batch, DType::F32, MemoryCategory::Workspace);
}

void GraphBpTrainer::upload(const Dataset &data, const int *indices, int count)
{
    checkData(data);
    const size_t features = size_t(m_graph->inputShape().features());
    m_hostInput.resize(size_t(count) * features);
    for (int i = 0; i < count; ++i)
        std::copy(data.image(indices[i]), data.image(indices[i]) + features, m_hostInput.data() + size_t(i) * features);
    m_backend.upload(m_graph->input(), m_hostInput.data(), m_hostInput.size() * sizeof(float));
}

StepStats GraphBpTrainer::computeGradients(const Dataset &data, const int *indices, int count)
{
    if (count <= 0 || count > m_config.batch)
        throw EngineError("trainStep: batch of " + std::to_string(count) + " examples, expected 1.."
                          + std::to_string(m_config.batch));
    upload(data, indices, count);
    m_hostLabels.resize(size_t(count));
    for (int i = 0; i < count; ++i)
        m_hostLabels[size_t(i)] = data.labels[size_t(indices[i])];
    m_backend.upload(m_labels, m_hostLabels.data(), m_hostLabels.size() * sizeof(int32_t));

    LayerContext ctx = context(true);
    m_graph->forward(count, ctx);
    m_backend.softmaxCrossEntropy(m_graph->output(), count, m_config.classes, m_labels.s32(), 1.0f / float(count),
                                  m_loss.f32(), m_graph->outputGradient());
    std::vector<double> norms;
    ModelGraph::BackwardPass pass;
    pass.blockGradNorms = &norms;
    GradientDeviations deviations(m_graph->blockNames().size());
    m_lrScales.assign(m_graph->layerCount(), 1.0f);
    if (m_config.algorithm != Algorithm::BpFp32)
        pass.beforeLayer = [&](size_t layer, const float *gradOutput, size_t values) {
            quantiseGradientOf(layer, gradOutput, values, deviations);
        };
    m_graph->backward(count, ctx, pass);
    m_counter = ctx.counter;

    StepStats stats;
    stats.layers.resize(norms.size());
    for (size_t b = 0; b < norms.size(); ++b) {
        stats.layers[b].gradNorm = norms[b];
        if (deviations.layers[b] > 0)
            stats.layers[b].deviation = deviations.sum[b] / deviations.layers[b];
    }
    std::vector<float> loss(static_cast<size_t>(count));
    m_backend.download(m_loss, loss.data(), loss.size() * sizeof(float));
    double sum = 0.0;
    for (float v : loss)
        sum += v;
    stats.loss = sum / count;
    stats.layers.back().loss = stats.loss;
    stats.finite = std::isfinite(stats.loss);
    for (const LayerMetrics &m : stats.layers)
        stats.finite = stats.finite && std::isfinite(m.gradNorm);
    return stats;
}

void GraphBpTrainer::quantiseGradientOf(size_t layer, const float *gradOutput, size_t values,
                                        GradientDeviations &deviations)
{
    Layer &l = m_graph->layer(layer);
    // Only layers whose backward pass quantises its output gradient (INT8 convolutions and linear
    // layers; batch norm's gradient stays FP32).
    if (!l.needsInputCodes())
        return;
    double deviation = 0.0;
    if (l.clipsGradients()) {
        // BP-UI8 (as BpTrainer): the clip with the least direction deviation, and the layer's
        // learning rate scaled down by that deviation.
        const BpTrainer::Clip clip = BpTrainer::searchClip(m_backend, gradOutput, values, m_config.ui8.clipCandidates);
        l.setGradientClip(clip.value);
        deviation = clip.deviation;
        m_lrScales[layer] = std::max(std::exp(-m_config.ui8.alpha * clip.deviation), m_config.ui8.beta);
    } else {
        // What plain INT8 quantisation does to this gradient's direction: the cause of BP-INT8's collapse.
        const float top = m_backend.maxAbsValue(gradOutput, values);
        float d = 0.0f;
        m_backend.quantisationDeviation(gradOutput, values, &top, 1, &d);
        deviation = d;
    }
    const size_t block = size_t(m_graph->graphPlan().layers[layer].block);
    deviations.sum[block] += deviation;
    ++deviations.layers[block];
}

StepStats GraphBpTrainer::trainStep(const Dataset &data, const int *indices, int count)
{
    StepStats stats = computeGradients(data, indices, count);
    ++m_step;
    LayerContext ctx = context(true);
    const OptimizerStep step{m_config.lr * learningRateFactor(), m_config.momentum, m_config.weightDecay, m_step};
    m_graph->update(step, ctx, m_lrScales);
    m_counter = ctx.counter;
    return stats;
}

bool GraphBpTrainer::predict(const Dataset &data, const int *indices, int count, uint8_t *predictions,
                             const std::atomic<bool> *cancel)
{
    const int classes = m_config.classes;
    std::vector<float> logits;
    for (int start = 0; start < count; start += m_config.batch) {
        if (cancel && cancel->load())
            return false;
        const int n = std::min(m_config.batch, count - start);
        upload(data, indices + start, n);
        LayerContext ctx = context(false);
        m_graph->forward(n, ctx);
        m_counter = ctx.counter;
        logits.resize(size_t(n) * size_t(classes));
        m_graph->downloadOutput(logits.data(), n);
        for (int i = 0; i < n; ++i) {
            const float *z = logits.data() + size_t(i) * size_t(classes);
            predictions[start + i] = uint8_t(std::max_element(z, z + classes) - z);
        }
    }
    return true;
}

std::vector<QuantiserInfo> GraphBpTrainer::quantisers() const
{
    if (m_config.algorithm == Algorithm::BpFp32)
        return {};
    // bpLayerOptions: per-tensor weights from a master copy rounded to nearest; bp-int8 rounds to
    // nearest everywhere, bp-ui8 rounds activations and gradients stochastically and clips gradients.
    // A graph layer may read a batch norm's signed output, so activation codes are signed.
    const bool ui8 = m_config.algorithm == Algorithm::BpUi8;
    const char *rounding = ui8 ? "stochastic" : "nearest";
    std::vector<QuantiserInfo> result = {
        {"activations", "symmetric-int8", "per-tensor", rounding, kSignedCodes},
        {"weights", "symmetric-int8", "per-tensor", "nearest", kSignedCodes},
        {"output_gradients", ui8 ? "symmetric-int8, direction-sensitive clipping" : "symmetric-int8", "per-tensor",
         rounding, kSignedCodes},
    };
    if (m_config.optimizerState == StateFormat::Bf16)
        result.push_back(bf16StateInfo());
    return result;
}

} // namespace ffint8
