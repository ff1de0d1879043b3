// Backpropagation baselines (method.md section 4).
#include "engine/train/bp_trainer.h"

#include "engine/core/error.h"
#include "engine/nn/model_graph.h"

#include <algorithm>
#include <cmath>

namespace ffint8 {

namespace {

constexpr int kClasses = 10;

} // namespace

LayerOptions bpLayerOptions(const TrainConfig &c, bool head)
{
    LayerOptions o;
    o.precision = isInt8(c.algorithm) ? Precision::Int8 : Precision::Fp32;
    o.masterWeights = c.masterWeights;
    o.bf16State = o.precision == Precision::Int8 && c.optimizerState == StateFormat::Bf16;
    o.optimizer = c.optimizer;
    o.momentum = c.momentum;
    o.relu = !head;
    if (c.algorithm == Algorithm::BpInt8) {
        // Plain INT8 backpropagation: per-tensor scales, round to nearest everywhere.
        o.weightsPerChannel = false;
        o.activationRounding = o.gradientRounding = o.weightRounding = Rounding::Nearest;
        // Per-tensor INT8 weights are rounded from an FP32 master copy: without one, an update
        // would need the scale of the whole updated tensor before any of it is rounded.
        o.masterWeights = true;
    } else if (c.algorithm == Algorithm::BpUi8) {
        o.weightsPerChannel = false;
        o.activationRounding = o.gradientRounding = Rounding::Stochastic;
        o.weightRounding = Rounding::Nearest;
        o.masterWeights = true; // per-tensor weights, as for BP-INT8
        o.clippedGradients = true;
    }
    return o;
}

BpTrainer::BpTrainer(const TrainConfig &config, Backend &backend)
    : m_config(config), m_backend(backend), m_quantSeed(config.seed * 0x9E3779B97F4A7C15ULL + 2)
{
    m_config.validate();
    if (isForwardForward(m_config.algorithm))
        throw EngineError(std::string("BpTrainer cannot train ") + algorithmName(m_config.algorithm));
    const int rows = m_config.batch; // prediction runs in batches of the same size
    const bool int8 = isInt8(m_config.algorithm);
    std::vector<int> widths = m_config.layers;
    widths.push_back(kClasses);
    m_maxWidth = *std::max_element(widths.begin(), widths.end());

    SplitMix64 initRng(m_config.seed);
    m_layers.reserve(widths.size() - 1);
    for (size_t i = 0; i + 1 < widths.size(); ++i) {
        const int in = widths[i], out = widths[i + 1];
        const bool head = i + 2 == widths.size();
        m_layers.emplace_back(m_backend, in, out, bpLayerOptions(m_config, head), initRng);
        LayerState s;
        if (i == 0)
            s.input = m_backend.allocate(rows, in, DType::F32, MemoryCategory::Activations);
        if (int8) {
            s.quantised = m_backend.allocate(rows, in, DType::S8, MemoryCategory::Activations);
            s.inputScale = m_backend.allocate(1, 1, DType::F32, MemoryCategory::Activations);
        }
        s.output = m_backend.allocate(rows, out, DType::F32, MemoryCategory::Activations);
        // Ordinary backpropagation: every layer's gradient exists at once when the optimizer steps.
        s.gradient = LayerGradient::allocate(m_backend, size_t(in) * out, out, int8);
        m_states.push_back(std::move(s));
    }
    m_workspace.accumulators = m_backend.allocate(int8 ? rows : 0, m_maxWidth, DType::S32, MemoryCategory::Workspace);
    m_workspace.quantGrad = m_backend.allocate(int8 ? rows : 0, m_maxWidth, DType::S8, MemoryCategory::Workspace);
    m_workspace.scales = m_backend.allocate(1, 1, DType::F32, MemoryCategory::Workspace);
    m_labels = m_backend.allocate(1, rows, DType::S32, MemoryCategory::Workspace);
    m_loss = m_backend.allocate(1, rows, DType::F32, MemoryCategory::Workspace);
    for (Tensor &g : m_gradients)
        g = m_backend.allocate(m_config.batch, m_maxWidth, DType::F32, MemoryCategory::Gradients);
}

const float *BpTrainer::layerInput(size_t layer) const
{
    return layer == 0 ? m_states[0].input.f32() : m_states[layer - 1].output.f32();
}

void BpTrainer::forward(const Dataset &data, const int *indices, int count)
{
    const int features = data.features();
    if (features != m_config.layers[0])
        throw EngineError("dataset " + data.name + " has " + std::to_string(features) +
                          " values per example but the model's input width is " + std::to_string(m_config.layers[0]));
    m_hostInput.resize(size_t(count) * features);
    for (int i = 0; i < count; ++i)
        std::copy(data.image(indices[i]), data.image(indices[i]) + features, m_hostInput.data() + size_t(i) * features);
    m_backend.upload(m_states[0].input, m_hostInput.data(), m_hostInput.size() * sizeof(float));
    for (size_t l = 0; l < m_layers.size(); ++l) {
        LayerState &s = m_states[l];
        const LayerInput in = LayerInput::of(layerInput(l), s.quantised, s.inputScale);
        m_layers[l].forward(in, count, s.output.f32(), m_workspace, m_quantSeed, m_counter);
    }
}

BpTrainer::Clip BpTrainer::searchClip(Backend &backend, const float *x, size_t count, int candidates)
{
    const float top = backend.maxAbsValue(x, count);
    if (top <= 0.0f)
        return {1.0f, 0.0f};
    std::vector<float> clips(static_cast<size_t>(candidates)), deviations(static_cast<size_t>(candidates));
    for (int k = 0; k < candidates; ++k)
        clips[size_t(k)] = top * std::exp2(-float(k) / 3.0f);
    backend.quantisationDeviation(x, count, clips.data(), candidates, deviations.data());
    size_t best = size_t(std::min_element(deviations.begin(), deviations.end()) - deviations.begin());
    return {clips[best], deviations[best]};
}

StepStats BpTrainer::computeGradients(const Dataset &data, const int *indices, int count, std::vector<float> &lrScales)
{
    if (count <= 0 || count > m_config.batch)
        throw EngineError("trainStep: batch of " + std::to_string(count) + " examples, expected 1.." +
                          std::to_string(m_config.batch));
    forward(data, indices, count);
    m_hostLabels.resize(size_t(count));
    for (int i = 0; i < count; ++i)
        m_hostLabels[size_t(i)] = data.labels[size_t(indices[i])];
    m_backend.upload(m_labels, m_hostLabels.data(), m_hostLabels.size() * sizeof(int32_t));

    const int last = layerCount() - 1;
    m_backend.softmaxCrossEntropy(m_states[size_t(last)].output.f32(), count, kClasses, m_labels.s32(),
                                  1.0f / float(count), m_loss.f32(), m_gradients[0].f32());
    StepStats stats;
    stats.layers.resize(size_t(layerCount()));
    lrScales.assign(size_t(layerCount()), 1.0f);
    int current = 0;
    for (int l = last; l >= 0; --l) {
        LinearLayer &layer = m_layers[size_t(l)];
        LayerState &s = m_states[size_t(l)];
        const float *gradZ = m_gradients[current].f32();
        const size_t n = size_t(count) * layer.out();
        LayerMetrics &m = stats.layers[size_t(l)];
        m.gradNorm = std::sqrt(m_backend.squaredNorm(gradZ, n));
        if (m_config.algorithm == Algorithm::BpUi8) {
            Clip clip = searchClip(m_backend, gradZ, n, m_config.ui8.clipCandidates);
            layer.setGradientClip(clip.value);
            m.deviation = clip.deviation;
            lrScales[size_t(l)] = std::max(std::exp(-m_config.ui8.alpha * clip.deviation), m_config.ui8.beta);
        } else if (m_config.algorithm == Algorithm::BpInt8) {
            // What plain INT8 quantisation does to this gradient's direction: the cause of BP-INT8's collapse.
            const float top = m_backend.maxAbsValue(gradZ, n);
            float deviation = 0.0f;
            m_backend.quantisationDeviation(gradZ, n, &top, 1, &deviation);
            m.deviation = deviation;
        }
        const LayerInput in = LayerInput::of(layerInput(size_t(l)), s.quantised, s.inputScale);
        if (l > 0) {
            // The input gradient uses the weights of the forward pass: it is computed before any update.
            float *next = m_gradients[1 - current].f32();
            layer.inputGradient(gradZ, count, next, m_workspace, m_quantSeed, m_counter);
            m_backend.reluBackward(next, m_states[size_t(l) - 1].output.f32(), count, layer.in());
        }
        layer.weightGradient(gradZ, in, count, s.gradient, m_workspace, m_quantSeed, m_counter);
        current = 1 - current;
    }

    std::vector<float> loss(static_cast<size_t>(count));
    m_backend.download(m_loss, loss.data(), loss.size() * sizeof(float));
    double sum = 0.0;
    for (float v : loss)
        sum += v;
    stats.loss = sum / count;
    stats.layers[size_t(last)].loss = stats.loss;
    stats.finite = std::isfinite(stats.loss);
    for (const auto &m : stats.layers)
        stats.finite = stats.finite && std::isfinite(m.gradNorm);
    return stats;
}

std::vector<std::string> BpTrainer::unitNames() const
{
    // Planned, not built: the names without a layer allocated.
    return ModelGraph::plan(mlpModel(m_config.layers), Shape::flat(m_config.layers[0]), kClasses).blocks;
}

StepStats BpTrainer::trainStep(const Dataset &data, const int *indices, int count)
{
    std::vector<float> lrScales;
    StepStats stats = computeGradients(data, indices, count, lrScales);
    ++m_step;
    for (size_t l = 0; l < m_layers.size(); ++l) {
        const float lr = m_config.lr * learningRateFactor() * lrScales[l];
        OptimizerStep step{lr, m_config.momentum, m_config.weightDecay, m_step};
        m_layers[l].applyGradient(m_states[l].gradient, step, m_quantSeed, m_counter);
    }
    return stats;
}

std::vector<std::vector<float>> BpTrainer::gradients(const Dataset &data, const int *indices, int count)
{
    std::vector<float> lrScales;
    computeGradients(data, indices, count, lrScales);
    std::vector<std::vector<float>> result;
    for (size_t l = 0; l < m_layers.size(); ++l) {
        const LinearLayer &layer = m_layers[l];
        const LayerGradient &g = m_states[l].gradient;
        const size_t n = size_t(layer.in()) * layer.out();
        std::vector<float> w(n + size_t(layer.out()));
        if (g.weights.dtype() == DType::S32) {
            std::vector<int32_t> acc(n);
            float scales[2];
            m_backend.download(g.weights, acc.data(), n * sizeof(int32_t));
            m_backend.download(g.scales, &scales[0], sizeof(float));
            m_backend.download(m_states[l].inputScale, &scales[1], sizeof(float));
            for (size_t i = 0; i < n; ++i)
                w[i] = float(acc[i]) * scales[0] * scales[1];
        } else {
            m_backend.download(g.weights, w.data(), n * sizeof(float));
        }
        m_backend.download(g.bias, w.data() + n, size_t(layer.out()) * sizeof(float));
        result.push_back(std::move(w));
    }
    return result;
}

bool BpTrainer::predict(const Dataset &data, const int *indices, int count, uint8_t *predictions,
                        const std::atomic<bool> *cancel)
{
    std::vector<float> logits;
    for (int start = 0; start < count; start += m_config.batch) {
        if (cancel && cancel->load())
            return false;
        const int n = std::min(m_config.batch, count - start);
        forward(data, indices + start, n);
        logits.resize(size_t(n) * kClasses);
        m_backend.download(m_states.back().output, logits.data(), logits.size() * sizeof(float));
        for (int i = 0; i < n; ++i) {
            const float *z = logits.data() + size_t(i) * kClasses;
            predictions[start + i] = uint8_t(std::max_element(z, z + kClasses) - z);
        }
    }
    return true;
}

std::vector<QuantiserInfo> BpTrainer::quantisers() const
{
    if (m_config.algorithm == Algorithm::BpFp32)
        return {};
    const bool ui8 = m_config.algorithm == Algorithm::BpUi8;
    const char *rounding = ui8 ? "stochastic" : "nearest";
    std::vector<QuantiserInfo> result = {
        // Every layer's input is non-negative: pixels, or a ReLU output.
        {"activations", "symmetric-int8", "per-tensor", rounding, kNonNegativeCodes},
        {"weights", "symmetric-int8", "per-tensor", "nearest", kSignedCodes}, // always from a master copy (layerOptions)
        {"output_gradients", ui8 ? "symmetric-int8, direction-sensitive clipping" : "symmetric-int8", "per-tensor",
         rounding, kSignedCodes},
    };
    if (m_config.optimizerState == StateFormat::Bf16)
        result.push_back(bf16StateInfo());
    return result;
}

std::vector<LayerParameters> BpTrainer::parameters() { return parametersOf(m_layers); }

void BpTrainer::setParameters(const std::vector<LayerParameters> &parameters) { assignParameters(m_layers, parameters); }

} // namespace ffint8
