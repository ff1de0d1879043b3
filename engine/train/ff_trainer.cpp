// Forward-Forward training with look-ahead (method.md sections 1-3).
#include "engine/train/ff_trainer.h"

#include "engine/core/error.h"
#include "engine/train/ff_shared.h"
#include "engine/train/label_embedding.h"
#include "engine/nn/model_spec.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace ffint8 {

namespace {

constexpr int kClasses = 10;
// Keeps an all-zero activity (a dead layer) from dividing by zero when it is length-normalised.
constexpr float kNormEpsilon = 1e-4f;

} // namespace

LayerOptions ffLayerOptions(const TrainConfig &c)
{
    LayerOptions o;
    o.precision = isInt8(c.algorithm) ? Precision::Int8 : Precision::Fp32;
    o.masterWeights = c.masterWeights;
    o.bf16State = o.precision == Precision::Int8 && c.optimizerState == StateFormat::Bf16;
    o.weightsPerChannel = c.quant.weightsPerChannel;
    o.activationRounding = c.quant.activationRounding;
    o.gradientRounding = c.quant.gradientRounding;
    o.weightRounding = c.quant.weightRounding;
    o.optimizer = c.optimizer;
    o.momentum = c.momentum;
    return o;
}

size_t ffGradientBufferValues(const TrainConfig &c)
{
    size_t values = 0;
    for (size_t i = 0; i + 1 < c.layers.size(); ++i) {
        const int out = c.layers[i + 1];
        const int blockRows = c.gradientBlockRows > 0 ? std::min(out, c.gradientBlockRows) : out;
        values = std::max(values, size_t(c.layers[i]) * blockRows);
    }
    return values;
}

FfTrainer::FfTrainer(const TrainConfig &config, Backend &backend)
    : m_config(config), m_backend(backend), m_labelRng(config.seed ^ 0x6C6162656CULL),
      m_quantSeed(config.seed * 0x9E3779B97F4A7C15ULL + 1)
{
    m_config.validate();
    const int rows = 2 * m_config.batch;
    const bool int8 = isInt8(m_config.algorithm);
    const auto &widths = m_config.layers;
    m_maxWidth = *std::max_element(widths.begin(), widths.end());
    int maxOut = 0;

    SplitMix64 initRng(m_config.seed);
    LayerOptions options = ffLayerOptions(m_config);
    m_layers.reserve(widths.size() - 1);
    for (size_t i = 0; i + 1 < widths.size(); ++i) {
        int in = widths[i], out = widths[i + 1];
        m_layers.emplace_back(m_backend, in, out, options, initRng);
        maxOut = std::max(maxOut, out);

        LayerState s;
        s.normalised = m_backend.allocate(rows, in, DType::F32, MemoryCategory::Activations);
        s.norms = m_backend.allocate(1, rows, DType::F32, MemoryCategory::Activations);
        if (int8) {
            s.quantised = m_backend.allocate(rows, in, DType::S8, MemoryCategory::Activations);
            s.inputScale = m_backend.allocate(1, 1, DType::F32, MemoryCategory::Activations);
        }
        s.output = m_backend.allocate(rows, out, DType::F32, MemoryCategory::Activations);
        s.goodness = m_backend.allocate(1, rows, DType::F32, MemoryCategory::Activations);
        s.loss = m_backend.allocate(1, rows, DType::F32, MemoryCategory::Activations);
        s.gradOwn = m_backend.allocate(rows, out, DType::F32, MemoryCategory::Gradients);
        m_states.push_back(std::move(s));
    }

    m_workspace.accumulators = m_backend.allocate(int8 ? rows : 0, m_maxWidth, DType::S32, MemoryCategory::Workspace);
    // One gradient for all layers, of a block of rows when blocks are asked for (LinearLayer::update).
    m_gradient = LayerGradient::allocate(m_backend, ffGradientBufferValues(m_config), maxOut, int8);
    m_workspace.quantGrad = m_backend.allocate(int8 ? rows : 0, m_maxWidth, DType::S8, MemoryCategory::Workspace);
    m_workspace.scales = m_backend.allocate(1, 1, DType::F32, MemoryCategory::Workspace);
    const int transposedRows = int8 && m_config.gradientBlockRows > 0 ? rows : 0;
    m_workspace.transposedGrad = m_backend.allocate(transposedRows, m_maxWidth, DType::S8, MemoryCategory::Workspace);
    m_workspace.transposedInput = m_backend.allocate(transposedRows, m_maxWidth, DType::S8, MemoryCategory::Workspace);

    m_input = m_backend.allocate(rows, widths[0], DType::F32, MemoryCategory::Activations);
    // The backward chain of look-ahead exists only when it is on.
    const int chainRows = m_config.lambda.enabled ? rows : 0;
    m_later = m_backend.allocate(chainRows, m_maxWidth, DType::F32, MemoryCategory::Gradients);
    m_gradUpdate = m_backend.allocate(chainRows, m_maxWidth, DType::F32, MemoryCategory::Gradients);
    m_gradPropagate = m_backend.allocate(chainRows, m_maxWidth, DType::F32, MemoryCategory::Gradients);
    m_gradInput = m_backend.allocate(chainRows, m_maxWidth, DType::F32, MemoryCategory::Gradients);
    m_hostInput.resize(size_t(rows) * widths[0]);
}

void FfTrainer::beginEpoch(int epoch) { m_lambda = m_config.lambda.at(epoch); }

void FfTrainer::embed(const Dataset &data, const std::vector<int> &rowImage, const std::vector<int> &rowLabel)
{
    const int features = data.features();
    if (features != m_config.layers[0])
        throw EngineError("dataset " + data.name + " has " + std::to_string(features) +
                          " values per example but the model's input width is " + std::to_string(m_config.layers[0]));
    m_hostInput.resize(rowImage.size() * size_t(features));
    // Supervised FF: the first 10 inputs carry the label as a one-hot vector.
    const Shape flat = Shape::image(1, 1, features);
    for (size_t r = 0; r < rowImage.size(); ++r) {
        const float *src = data.image(rowImage[r]);
        embedLabel(src, flat, LabelEmbedding::Pixels, kClasses, rowLabel[r],
                   labelValueOf(m_config.labelValue, src, features), m_hostInput.data() + r * features);
    }
}

void FfTrainer::chooseNegativeLabels(const Dataset &data, const int *indices, int count, std::vector<uint8_t> &labels)
{
    ffint8::chooseNegativeLabels(
        m_config.negatives, m_labelRng, data, indices, count, kClasses,
        [&](std::vector<float> &goodness) { goodnessForAllLabels(data, indices, count, goodness); }, labels);
}

std::vector<std::string> FfTrainer::unitNames() const
{
    std::vector<std::string> names;
    for (const BlockSpec &block : mlpModel(m_config.layers).blocks)
        names.push_back(block.name);
    return names;
}

StepStats FfTrainer::trainStep(const Dataset &data, const int *indices, int count)
{
    std::vector<uint8_t> negatives;
    chooseNegativeLabels(data, indices, count, negatives);
    return trainStep(data, indices, count, negatives.data());
}

StepStats FfTrainer::trainStep(const Dataset &data, const int *indices, int count, const uint8_t *negatives)
{
    if (count <= 0 || count > m_config.batch)
        throw EngineError("trainStep: batch of " + std::to_string(count) + " examples, expected 1.." +
                          std::to_string(m_config.batch));
    const int rows = 2 * count;
    std::vector<int> rowImage, rowLabel;
    ffStepRows(data, indices, count, negatives, rowImage, rowLabel);
    embed(data, rowImage, rowLabel);
    m_backend.upload(m_input, m_hostInput.data(), size_t(rows) * m_config.layers[0] * sizeof(float));

    // Forward through every layer: positive rows first, negative rows after them.
    const float *x = m_input.f32();
    for (int i = 0; i < layerCount(); ++i) {
        LinearLayer &layer = m_layers[size_t(i)];
        LayerState &s = m_states[size_t(i)];
        m_backend.lengthNormalise(x, rows, layer.in(), kNormEpsilon, s.normalised.f32(), s.norms.f32());
        const LayerInput in = LayerInput::of(s.normalised.f32(), s.quantised, s.inputScale);
        layer.forward(in, rows, s.output.f32(), m_workspace, m_quantSeed, m_counter);
        FfLossArgs loss;
        loss.y = s.output.f32();
        loss.rows = rows;
        loss.cols = layer.out();
        loss.positiveRows = count;
        loss.goodness = m_config.goodness;
        loss.theta = m_config.theta;
        loss.lossScale = 1.0f / float(rows);
        loss.goodnessOut = s.goodness.f32();
        loss.lossOut = s.loss.f32();
        loss.gradY = s.gradOwn.f32();
        m_backend.ffLoss(loss);
        x = s.output.f32();
    }

    // Updates from the last layer down. With look-ahead, layer i's update gradient is
    // dL_i/dy_i + lambda * d(L_{i+1} + ... + L_last)/dy_i, and the second term is carried down the
    // chain unscaled so that every later loss weighs lambda (not lambda^k) in every earlier layer.
    ++m_step;
    OptimizerStep step{m_config.lr * learningRateFactor(), m_config.momentum, m_config.weightDecay, m_step};
    const bool chain = m_lambda > 0.0f;
    const float *later = nullptr;
    for (int i = layerCount() - 1; i >= 0; --i) {
        LinearLayer &layer = m_layers[size_t(i)];
        LayerState &s = m_states[size_t(i)];
        // dL_i/dy_i is already zero where the ReLU is off, because it is proportional to y.
        const float *gradUpdate = s.gradOwn.f32();
        const float *gradPropagate = s.gradOwn.f32();
        if (chain && later) {
            m_backend.lookaheadCombine(s.gradOwn.f32(), later, s.output.f32(), rows, layer.out(), m_lambda,
                                       m_gradUpdate.f32(), m_gradPropagate.f32());
            gradUpdate = m_gradUpdate.f32();
            gradPropagate = m_gradPropagate.f32();
        }
        if (chain && i > 0) {
            layer.inputGradient(gradPropagate, rows, m_gradInput.f32(), m_workspace, m_quantSeed, m_counter);
            m_backend.lengthNormaliseBackward(s.normalised.f32(), s.norms.f32(), m_gradInput.f32(), rows, layer.in(),
                                              kNormEpsilon, m_later.f32());
            later = m_later.f32();
        }
        const LayerInput in = LayerInput::of(s.normalised.f32(), s.quantised, s.inputScale);
        layer.update(gradUpdate, in, rows, step, m_gradient, m_workspace, m_quantSeed, m_counter);
    }

    StepStats stats;
    stats.layers.resize(size_t(layerCount()));
    for (int i = 0; i < layerCount(); ++i) {
        LayerState &s = m_states[size_t(i)];
        const LayerMetrics m = ffUnitMetrics(m_backend, s.goodness, s.loss, rows, count, m_hostGoodness, m_hostLoss);
        stats.layers[size_t(i)] = m;
        stats.loss += m.loss;
        stats.finite = stats.finite && std::isfinite(m.loss) && std::isfinite(m.goodnessPos) && std::isfinite(m.goodnessNeg);
    }
    return stats;
}

bool FfTrainer::goodnessForAllLabels(const Dataset &data, const int *indices, int count, std::vector<float> &goodness,
                                     const std::atomic<bool> *cancel)
{
    const bool int8 = isInt8(m_config.algorithm);
    const int chunkImages = std::min(count, m_config.evalBatch);
    const int maxRows = chunkImages * kClasses;
    // When a chunk fits in the training step's rows, evaluation runs in the training buffers (idle
    // between steps, and overwritten by the next step's forward pass anyway), as BP's does. Otherwise
    // its scratch lives only while it is used, so it shows in the peak only if it is the peak.
    const bool inTrainingBuffers = maxRows <= 2 * m_config.batch;
    auto scratch = [&](int rows, int cols, DType type) {
        return m_backend.allocate(inTrainingBuffers ? 0 : rows, cols, type, MemoryCategory::Workspace);
    };
    Tensor input = scratch(maxRows, m_config.layers[0], DType::F32);
    Tensor normalised = scratch(maxRows, m_maxWidth, DType::F32);
    Tensor outputs[2] = {scratch(maxRows, m_maxWidth, DType::F32), scratch(maxRows, m_maxWidth, DType::F32)};
    Tensor norms = scratch(1, maxRows, DType::F32);
    Tensor layerGoodness = scratch(1, maxRows, DType::F32);
    Tensor quantised = scratch(int8 ? maxRows : 0, m_maxWidth, DType::S8);
    Tensor scale = scratch(1, 1, DType::F32);
    LayerWorkspace ownWorkspace;
    ownWorkspace.accumulators = scratch(int8 ? maxRows : 0, m_maxWidth, DType::S32);
    LayerWorkspace &ws = inTrainingBuffers ? m_workspace : ownWorkspace;
    Tensor &inputBuffer = inTrainingBuffers ? m_input : input;

    goodness.assign(size_t(count) * kClasses, 0.0f);
    std::vector<float> hostGoodness(static_cast<size_t>(maxRows));
    std::vector<int> rowImage, rowLabel;
    // Evaluation draws its stochastic rounding from its own stream, so evaluating does not change
    // the training run that follows it.
    uint64_t evalCounter = 0;
    const uint64_t evalSeed = m_quantSeed ^ 0xE5A1ULL;
    bool whole = true;
    for (int start = 0; start < count; start += chunkImages) {
        if (cancel && cancel->load()) {
            whole = false;
            break;
        }
        const int n = std::min(chunkImages, count - start);
        const int rows = n * kClasses;
        ffAllLabelRows(indices + start, n, kClasses, rowImage, rowLabel);
        embed(data, rowImage, rowLabel);
        m_backend.upload(inputBuffer, m_hostInput.data(), size_t(rows) * m_config.layers[0] * sizeof(float));
        const float *x = inputBuffer.f32();
        for (int l = 0; l < layerCount(); ++l) {
            LinearLayer &layer = m_layers[size_t(l)];
            LayerState &s = m_states[size_t(l)];
            float *out = inTrainingBuffers ? s.output.f32() : outputs[l % 2].f32();
            float *norm = inTrainingBuffers ? s.normalised.f32() : normalised.f32();
            m_backend.lengthNormalise(x, rows, layer.in(), kNormEpsilon, norm, inTrainingBuffers ? s.norms.f32() : norms.f32());
            LayerInput in = inTrainingBuffers ? LayerInput::of(norm, s.quantised, s.inputScale)
                                              : LayerInput{norm, int8 ? quantised.s8() : nullptr, scale.f32()};
            layer.forward(in, rows, out, ws, evalSeed, evalCounter);
            x = out;
            if (l < m_config.predictFromLayer)
                continue;
            Tensor &goodnessBuffer = inTrainingBuffers ? s.goodness : layerGoodness;
            FfLossArgs g;
            g.y = out;
            g.rows = rows;
            g.cols = layer.out();
            g.goodness = m_config.goodness;
            g.theta = m_config.theta;
            g.goodnessOut = goodnessBuffer.f32();
            m_backend.ffLoss(g);
            m_backend.download(goodnessBuffer, hostGoodness.data(), size_t(rows) * sizeof(float));
            for (int r = 0; r < rows; ++r)
                goodness[size_t(start) * kClasses + r] += hostGoodness[size_t(r)];
        }
    }
    // The training batch buffer was borrowed for embedding: give it its training size back.
    m_hostInput.resize(size_t(2 * m_config.batch) * m_config.layers[0]);
    return whole;
}

bool FfTrainer::predict(const Dataset &data, const int *indices, int count, uint8_t *predictions,
                        const std::atomic<bool> *cancel)
{
    std::vector<float> goodness;
    if (!goodnessForAllLabels(data, indices, count, goodness, cancel))
        return false;
    for (int i = 0; i < count; ++i) {
        const float *g = goodness.data() + size_t(i) * kClasses;
        predictions[i] = uint8_t(std::max_element(g, g + kClasses) - g);
    }
    return true;
}

std::vector<QuantiserInfo> FfTrainer::quantisers() const
{
    // Every layer's input is non-negative: pixels, or a ReLU output after length normalisation.
    return ffQuantisers(m_config, kNonNegativeCodes);
}

std::vector<LayerParameters> FfTrainer::parameters() { return parametersOf(m_layers); }

void FfTrainer::setParameters(const std::vector<LayerParameters> &parameters) { assignParameters(m_layers, parameters); }

} // namespace ffint8
