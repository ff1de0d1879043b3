// Forward-Forward with look-ahead over the units of a model graph (method.md sections 1-3).
#include "engine/train/graph_ff_trainer.h"

#include "engine/core/error.h"
#include "engine/train/ff_shared.h"
#include "engine/train/ff_trainer.h"
#include "engine/train/label_embedding.h"

#include <algorithm>
#include <cmath>

namespace ffint8 {

namespace {

// As FfTrainer's: keeps an all-zero activity (a dead unit) from dividing by zero.
constexpr float kNormEpsilon = 1e-4f;

std::string modelLabel(const TrainConfig &config)
{
    return "model \"" + config.model + "\"";
}

// The channels of a unit's output as an image: a flatten at its end keeps its input's channels
// (NHWC: feature i is channel i % channels), so the class groups stay groups of channels.
int classGroupChannels(const FfUnitSpec &unit)
{
    int channels = unit.input.channels;
    const GraphPlan plan = ModelGraph::plan(unit.spec, unit.input, 0);
    for (const PlannedLayer &l : plan.layers)
        if (l.kind != "flatten")
            channels = l.output.channels;
    return channels;
}

} // namespace

std::vector<FfUnitSpec> plannedFfUnits(const TrainConfig &config)
{
    ModelSpec model = modelSpecOf(config);
    if (config.ffLoss == FfLoss::ClassGroups)
        return ffUnits(model, config.inputShape, config.ffUnit);
    const LabelEmbedding embedding = resolvedEmbedding(config.labelEmbedding, model);
    const Shape embedded = embeddedShape(config.inputShape, embedding, config.classes);
    // A model that names its image input (one described in a spec) is checked against the data
    // here: its first unit reads the examples with the label's channels added, which the input
    // it names does not have.
    if (embedding == LabelEmbedding::Channels && model.input.channels > 0 && !model.input.isFlat()) {
        if (!model.accepts(config.inputShape))
            throw EngineError(modelLabel(config) + ": the data's examples are " + config.inputShape.text()
                              + ", the model's input is " + model.input.text());
        model.input = embedded;
    }
    return ffUnits(model, embedded, config.ffUnit);
}

GraphFfTrainer::GraphFfTrainer(const TrainConfig &config, Backend &backend)
    : m_config(config),
      m_backend(backend),
      m_scratch(backend),
      // FfTrainer's streams, so that the MLP trains alike on both
      m_labelRng(config.seed ^ 0x6C6162656CULL),
      m_quantSeed(config.seed * 0x9E3779B97F4A7C15ULL + 1)
{
    m_config.validate();
    if (!m_config.graphModel())
        throw EngineError(
            "GraphFfTrainer needs a model graph (TrainConfig::model); the MLP of `layers` is FfTrainer's");
    if (!isForwardForward(m_config.algorithm))
        throw EngineError(std::string("GraphFfTrainer cannot train ") + algorithmName(m_config.algorithm));
    m_embedding = resolvedEmbedding(m_config.labelEmbedding, modelSpec());
    m_classGroups = m_config.ffLoss == FfLoss::ClassGroups;
    m_embeddedShape = m_classGroups ? m_config.inputShape
                                    : embeddedShape(m_config.inputShape, m_embedding, m_config.classes);
    const std::vector<FfUnitSpec> specs = plannedFfUnits(m_config);
    // A negative index counts from the last unit (-1: the last alone), so a setting fits any model.
    const int units = int(specs.size());
    m_predictFrom = m_config.predictFromLayer < 0 ? units + m_config.predictFromLayer : m_config.predictFromLayer;
    if (m_predictFrom < 0 || m_predictFrom >= units)
        throw EngineError("predict_from_layer " + std::to_string(m_config.predictFromLayer) + ": "
                          + modelLabel(m_config) + " has " + std::to_string(units)
                          + " FF units (0-based, or negative from the last: -1 is the last)");

    // A training step's positive and negative rows (only the examples with class groups); an
    // evaluation chunk's rows (every label of each image; each image once with class groups) only
    // need the activations.
    const int trainingRows = m_classGroups ? m_config.batch : 2 * m_config.batch;
    m_rows = std::max(trainingRows, m_classGroups ? m_config.evalBatch : m_config.evalBatch * m_config.classes);
    SplitMix64 initRng(m_config.seed);
    const LayerOptions options = ffLayerOptions(m_config);
    int maxIn = 0, maxOut = 0;
    size_t gradientFloats = 0, valueFloats = 0, codeBytes = 0; // per row, the largest unit's
    for (const FfUnitSpec &s : specs) {
        Unit u;
        u.name = s.name;
        u.graph = std::make_unique<ModelGraph>(backend, s.spec, s.input, 0, options, initRng);
        // Look-ahead's chain reads the gradient to a unit's input, except the first unit's.
        if (m_config.lambda.enabled && !m_units.empty())
            u.graph->keepInputGradient();
        gradientFloats = std::max(gradientFloats, u.graph->gradientFloats(1));
        valueFloats = std::max(valueFloats, u.graph->valueFloats(1));
        codeBytes = std::max(codeBytes, u.graph->codeBytes(1));
        u.in = s.input.features();
        u.out = s.output.features();
        u.norms = backend.allocate(1, m_rows, DType::F32, MemoryCategory::Activations);
        u.loss = backend.allocate(1, m_rows, DType::F32, MemoryCategory::Activations);
        if (!m_classGroups) {
            u.goodness = backend.allocate(1, m_rows, DType::F32, MemoryCategory::Activations);
        } else {
            u.groupChannels = classGroupChannels(s);
            if (u.groupChannels < m_config.classes)
                throw EngineError(modelLabel(m_config) + ": FF unit \"" + s.name + "\" ends in "
                                  + std::to_string(u.groupChannels) + " channels, fewer than the "
                                  + std::to_string(m_config.classes)
                                  + " classes the class-groups loss gives a group of channels each");
            u.classGoodness = backend.allocate(m_rows, m_config.classes, DType::F32, MemoryCategory::Activations);
        }
        maxIn = std::max(maxIn, u.in);
        maxOut = std::max(maxOut, u.out);
        m_units.push_back(std::move(u));
    }
    // The units are updated one after another and none reads its gradients once the next begins:
    // one set of gradient buffers, the size of the largest unit's, serves them all. Rebuilding a
    // unit's activations for its backward pass (ffRecompute) frees its values and codes the same way.
    SharedGraphBuffers shared;
    m_unitGradients = backend.allocate(trainingRows, int(gradientFloats), DType::F32, MemoryCategory::Gradients);
    shared.gradients = &m_unitGradients;
    if (m_config.ffRecompute) {
        m_unitValues = backend.allocate(m_rows, int(valueFloats), DType::F32, MemoryCategory::Activations);
        m_unitCodes = backend.allocate(trainingRows, int(codeBytes), DType::S8, MemoryCategory::Activations);
        shared.values = &m_unitValues;
        shared.codes = &m_unitCodes;
    }
    for (Unit &u : m_units)
        u.graph->reserve(m_rows, trainingRows, shared);
    m_own = backend.allocate(trainingRows, maxOut, DType::F32, MemoryCategory::Gradients);
    m_ownGoodness = backend.allocate(m_classGroups ? trainingRows : 1,
                                     m_classGroups ? m_config.classes : trainingRows, DType::F32,
                                     MemoryCategory::Workspace);
    if (m_config.ffPrediction == FfPrediction::Head) {
        m_head = std::make_unique<ModelGraph>(backend, ModelSpec{"head", Shape{0, 1, 1}, {}}, specs.back().output,
                                              m_config.classes, options, initRng);
        m_head->reserve(m_rows, m_config.batch);
        m_headLoss = backend.allocate(1, m_config.batch, DType::F32, MemoryCategory::Workspace);
    }
    if (m_head || m_classGroups)
        m_labels = backend.allocate(1, m_config.batch, DType::S32, MemoryCategory::Workspace);
    m_input = backend.allocate(m_rows, m_embeddedShape.features(), DType::F32, MemoryCategory::Activations);
    // The backward chain of look-ahead exists only when it is on.
    const int chainRows = m_config.lambda.enabled ? trainingRows : 0;
    m_later = backend.allocate(chainRows, maxIn, DType::F32, MemoryCategory::Gradients);
    m_gradUpdate = backend.allocate(chainRows, maxOut, DType::F32, MemoryCategory::Gradients);
}

GraphFfTrainer::~GraphFfTrainer() = default;

void GraphFfTrainer::beginEpoch(int epoch)
{
    m_lambda = m_config.lambda.at(epoch);
}

std::vector<std::string> GraphFfTrainer::unitNames() const
{
    std::vector<std::string> names;
    for (const Unit &u : m_units)
        names.push_back(u.name);
    if (m_head)
        names.push_back("head");
    return names;
}

ModelSpec GraphFfTrainer::modelSpec() const
{
    return modelSpecOf(m_config);
}

void GraphFfTrainer::embed(const Dataset &data, const std::vector<int> &rowImage, const std::vector<int> &rowLabel)
{
    checkData(data);
    const size_t features = size_t(data.features());
    const size_t embedded = size_t(m_embeddedShape.features());
    m_hostInput.resize(rowImage.size() * embedded);
    for (size_t r = 0; r < rowImage.size(); ++r) {
        const float *src = data.image(rowImage[r]);
        if (m_classGroups) {
            std::copy(src, src + features, m_hostInput.data() + r * embedded);
            continue;
        }
        embedLabel(src, m_config.inputShape, m_embedding, m_config.classes, rowLabel[r],
                   labelValueOf(m_config.labelValue, src, int(features)), m_hostInput.data() + r * embedded);
    }
    m_backend.upload(m_input, m_hostInput.data(), m_hostInput.size() * sizeof(float));
}

void GraphFfTrainer::chooseNegativeLabels(const Dataset &data, const int *indices, int count,
                                          std::vector<uint8_t> &labels)
{
    ffint8::chooseNegativeLabels(
        m_config.negatives, m_labelRng, data, indices, count, m_config.classes,
        [&](std::vector<float> &goodness) { goodnessForAllLabels(data, indices, count, goodness); }, labels);
}

void GraphFfTrainer::forward(int rows, int positiveRows, LayerContext &ctx)
{
    const float *x = m_input.f32();
    for (Unit &u : m_units) {
        m_backend.lengthNormalise(x, rows, u.in, kNormEpsilon, u.graph->input().f32(), u.norms.f32());
        u.forwardCounter = ctx.counter;
        u.graph->forward(rows, ctx);
        if (m_classGroups) {
            FfClassGroupsArgs loss = classGroupsOf(u, rows, ctx.training);
            loss.goodnessOut = u.classGoodness.f32();
            if (ctx.training)
                loss.lossOut = u.loss.f32();
            m_backend.ffClassGroupsLoss(loss);
            x = u.graph->output();
            continue;
        }
        FfLossArgs loss = lossOf(u, rows, positiveRows);
        loss.goodnessOut = u.goodness.f32();
        // The gradient waits for the backward pass (ownGradient), so that one buffer holds every unit's.
        if (ctx.training)
            loss.lossOut = u.loss.f32();
        m_backend.ffLoss(loss);
        x = u.graph->output();
    }
}

FfLossArgs GraphFfTrainer::lossOf(const Unit &u, int rows, int positiveRows) const
{
    FfLossArgs loss;
    loss.y = u.graph->output();
    loss.rows = rows;
    loss.cols = u.out;
    loss.positiveRows = positiveRows;
    loss.goodness = m_config.goodness;
    loss.theta = m_config.theta;
    loss.lossScale = 1.0f / float(rows);
    return loss;
}

FfClassGroupsArgs GraphFfTrainer::classGroupsOf(const Unit &u, int rows, bool withLabels) const
{
    FfClassGroupsArgs loss;
    loss.y = u.graph->output();
    loss.rows = rows;
    loss.cols = u.out;
    loss.channels = u.groupChannels;
    loss.classes = m_config.classes;
    loss.labels = withLabels ? m_labels.s32() : nullptr;
    loss.lossScale = 1.0f / float(rows);
    return loss;
}

const float *GraphFfTrainer::ownGradient(const Unit &u, int rows, int positiveRows)
{
    if (m_classGroups) {
        FfClassGroupsArgs loss = classGroupsOf(u, rows, true);
        loss.goodnessOut = m_ownGoodness.f32();
        loss.gradY = m_own.f32();
        m_backend.ffClassGroupsLoss(loss);
        return m_own.f32();
    }
    // As forward() computed the unit's loss, from its output, which nothing has changed since.
    FfLossArgs loss = lossOf(u, rows, positiveRows);
    loss.goodnessOut = m_ownGoodness.f32();
    loss.gradY = m_own.f32();
    m_backend.ffLoss(loss);
    return m_own.f32();
}

void GraphFfTrainer::backwardAndUpdate(int rows, int positiveRows, LayerContext &ctx)
{
    // With look-ahead, unit i's update gradient is dL_i/dy_i + lambda * d(L_{i+1} + ... + L_last)/dy_i,
    // and the second term is carried down unscaled so that every later loss weighs lambda (not
    // lambda^k) in every earlier unit: as FfTrainer does for layers. Through a unit the two
    // gradients take separate passes (the first only for the gradient to the unit's input).
    ++m_step;
    const OptimizerStep step{m_config.lr * learningRateFactor(), m_config.momentum, m_config.weightDecay, m_step};
    const bool chain = m_lambda > 0.0f;
    const float *later = nullptr;
    for (size_t i = m_units.size(); i-- > 0;) {
        Unit &u = m_units[i];
        ModelGraph &graph = *u.graph;
        if (m_config.ffRecompute) {
            // The unit's activations again, from its kept input with the random values of its pass.
            LayerContext replay{ctx.scratch, ctx.seed, u.forwardCounter, true};
            replay.replay = true;
            graph.forward(rows, replay);
        }
        float *gradOutput = graph.outputGradient();
        const float *own = ownGradient(u, rows, positiveRows);
        const float *gradUpdate = own;
        if (chain && later) {
            m_backend.lookaheadCombine(own, later, nullptr, rows, u.out, m_lambda, m_gradUpdate.f32(), gradOutput);
            gradUpdate = m_gradUpdate.f32();
        } else if (chain && i > 0) {
            m_backend.addTensors(own, nullptr, rows, u.out, false, gradOutput);
        }
        if (chain && i > 0) {
            graph.backward(rows, ctx, ModelGraph::BackwardPass::toInputOnly());
            m_backend.lengthNormaliseBackward(graph.input().f32(), u.norms.f32(), graph.inputGradient(), rows, u.in,
                                              kNormEpsilon, m_later.f32());
            later = m_later.f32();
        }
        m_backend.addTensors(gradUpdate, nullptr, rows, u.out, false, gradOutput);
        graph.backward(rows, ctx);
        graph.update(step, ctx);
    }
}

StepStats GraphFfTrainer::trainStep(const Dataset &data, const int *indices, int count)
{
    if (m_classGroups)
        return trainStep(data, indices, count, nullptr);
    std::vector<uint8_t> negatives;
    chooseNegativeLabels(data, indices, count, negatives);
    return trainStep(data, indices, count, negatives.data());
}

StepStats GraphFfTrainer::trainStep(const Dataset &data, const int *indices, int count, const uint8_t *negatives)
{
    if (count <= 0 || count > m_config.batch)
        throw EngineError("trainStep: batch of " + std::to_string(count) + " examples, expected 1.."
                          + std::to_string(m_config.batch));
    const int rows = m_classGroups ? count : 2 * count;
    std::vector<int> rowImage, rowLabel;
    if (m_classGroups) {
        rowImage.assign(indices, indices + count);
        rowLabel.assign(size_t(count), -1);
        uploadLabels(data, indices, count);
    } else {
        ffStepRows(data, indices, count, negatives, rowImage, rowLabel);
    }
    embed(data, rowImage, rowLabel);
    LayerContext ctx{m_scratch, m_quantSeed, m_counter, true};
    forward(rows, count, ctx);
    backwardAndUpdate(rows, count, ctx);
    m_counter = ctx.counter;

    StepStats stats;
    for (Unit &u : m_units) {
        const LayerMetrics m = m_classGroups ? ffClassGroupsMetrics(m_backend, u.classGoodness, u.loss, rows,
                                                                    m_config.classes, m_hostLabels, m_hostGoodness,
                                                                    m_hostLoss)
                                             : ffUnitMetrics(m_backend, u.goodness, u.loss, rows, count,
                                                             m_hostGoodness, m_hostLoss);
        stats.layers.push_back(m);
        stats.loss += m.loss;
        stats.finite
            = stats.finite && std::isfinite(m.loss) && std::isfinite(m.goodnessPos) && std::isfinite(m.goodnessNeg);
    }
    if (m_head) {
        // After the units' figures are read: the head's pass writes over their goodness.
        const double headLoss = headStep(data, indices, count);
        LayerMetrics head;
        head.loss = headLoss;
        stats.layers.push_back(head);
        stats.loss += headLoss;
        stats.finite = stats.finite && std::isfinite(headLoss);
    }
    return stats;
}

void GraphFfTrainer::headInput(const Dataset &data, const int *indices, int count, LayerContext &unitCtx)
{
    embed(data, std::vector<int>(indices, indices + count), std::vector<int>(size_t(count), -1));
    forward(count, 0, unitCtx);
    // The head reads a copy, so that its gradient cannot reach the units.
    const Unit &last = m_units.back();
    m_backend.addTensors(last.graph->output(), nullptr, count, last.out, false, m_head->input().f32());
}

void GraphFfTrainer::uploadLabels(const Dataset &data, const int *indices, int count)
{
    m_hostLabels.resize(size_t(count));
    for (int i = 0; i < count; ++i)
        m_hostLabels[size_t(i)] = data.labels[size_t(indices[i])];
    m_backend.upload(m_labels, m_hostLabels.data(), m_hostLabels.size() * sizeof(int32_t));
}

double GraphFfTrainer::headStep(const Dataset &data, const int *indices, int count)
{
    uploadLabels(data, indices, count);
    // Its own random stream: FF's training is the same with a head or without one.
    LayerContext unitCtx{m_scratch, m_quantSeed ^ 0x4EADULL, m_headCounter, false};
    headInput(data, indices, count, unitCtx);
    LayerContext headCtx{m_scratch, unitCtx.seed, unitCtx.counter, true};
    m_head->forward(count, headCtx);
    m_backend.softmaxCrossEntropy(m_head->output(), count, m_config.classes, m_labels.s32(), 1.0f / float(count),
                                  m_headLoss.f32(), m_head->outputGradient());
    m_head->backward(count, headCtx);
    ++m_headStep;
    const float headLr = defaultLearningRate(Algorithm::BpFp32) * learningRateFactor();
    m_head->update(OptimizerStep{headLr, m_config.momentum, m_config.weightDecay, m_headStep}, headCtx);
    m_headCounter = headCtx.counter;
    m_hostLoss.resize(size_t(count));
    m_backend.download(m_headLoss, m_hostLoss.data(), m_hostLoss.size() * sizeof(float));
    double sum = 0.0;
    for (float v : m_hostLoss)
        sum += v;
    return sum / count;
}

bool GraphFfTrainer::predictByHead(const Dataset &data, const int *indices, int count, uint8_t *predictions,
                                   const std::atomic<bool> *cancel)
{
    const int classes = m_config.classes;
    std::vector<float> logits;
    LayerContext ctx{m_scratch, m_quantSeed ^ 0xE5A1ULL, 0, false};
    for (int start = 0; start < count; start += m_rows) {
        if (cancel && cancel->load())
            return false;
        const int n = std::min(m_rows, count - start);
        headInput(data, indices + start, n, ctx);
        m_head->forward(n, ctx);
        logits.resize(size_t(n) * size_t(classes));
        m_head->downloadOutput(logits.data(), n);
        for (int i = 0; i < n; ++i) {
            const float *z = logits.data() + size_t(i) * size_t(classes);
            predictions[start + i] = uint8_t(std::max_element(z, z + classes) - z);
        }
    }
    return true;
}

bool GraphFfTrainer::predictByClassGroups(const Dataset &data, const int *indices, int count, uint8_t *predictions,
                                          const std::atomic<bool> *cancel)
{
    // Each prediction unit's log-softmax over its classes' goodness, summed: the units agree as
    // independent experts would, and no unit's scale of goodness outweighs the others'.
    const int classes = m_config.classes;
    std::vector<double> score;
    LayerContext ctx{m_scratch, m_quantSeed ^ 0xE5A1ULL, 0, false};
    for (int start = 0; start < count; start += m_rows) {
        if (cancel && cancel->load())
            return false;
        const int n = std::min(m_rows, count - start);
        embed(data, std::vector<int>(indices + start, indices + start + n), std::vector<int>(size_t(n), -1));
        forward(n, 0, ctx);
        score.assign(size_t(n) * size_t(classes), 0.0);
        for (size_t l = size_t(m_predictFrom); l < m_units.size(); ++l) {
            m_hostGoodness.resize(size_t(n) * size_t(classes));
            m_backend.download(m_units[l].classGoodness, m_hostGoodness.data(), m_hostGoodness.size() * sizeof(float));
            for (int i = 0; i < n; ++i) {
                const float *g = m_hostGoodness.data() + size_t(i) * size_t(classes);
                const double top = *std::max_element(g, g + classes);
                double total = 0.0;
                for (int j = 0; j < classes; ++j)
                    total += std::exp(double(g[j]) - top);
                const double logTotal = top + std::log(total);
                for (int j = 0; j < classes; ++j)
                    score[size_t(i) * size_t(classes) + size_t(j)] += double(g[j]) - logTotal;
            }
        }
        for (int i = 0; i < n; ++i) {
            const double *s = score.data() + size_t(i) * size_t(classes);
            predictions[start + i] = uint8_t(std::max_element(s, s + classes) - s);
        }
    }
    return true;
}

bool GraphFfTrainer::goodnessForAllLabels(const Dataset &data, const int *indices, int count,
                                          std::vector<float> &goodness, const std::atomic<bool> *cancel)
{
    const int classes = m_config.classes;
    // FfTrainer's chunks: the per-tensor scales of an INT8 pass depend on which rows share it.
    const int chunkImages = std::min(count, m_config.evalBatch);
    goodness.assign(size_t(count) * size_t(classes), 0.0f);
    std::vector<int> rowImage, rowLabel;
    // Evaluation draws its stochastic rounding from its own stream (FfTrainer's), so evaluating
    // does not change the training run that follows it.
    LayerContext ctx{m_scratch, m_quantSeed ^ 0xE5A1ULL, 0, false};
    for (int start = 0; start < count; start += chunkImages) {
        if (cancel && cancel->load())
            return false;
        const int n = std::min(chunkImages, count - start);
        const int rows = n * classes;
        ffAllLabelRows(indices + start, n, classes, rowImage, rowLabel);
        embed(data, rowImage, rowLabel);
        forward(rows, 0, ctx);
        for (size_t l = size_t(m_predictFrom); l < m_units.size(); ++l) {
            m_hostGoodness.resize(size_t(rows));
            m_backend.download(m_units[l].goodness, m_hostGoodness.data(), size_t(rows) * sizeof(float));
            for (int r = 0; r < rows; ++r)
                goodness[size_t(start) * size_t(classes) + size_t(r)] += m_hostGoodness[size_t(r)];
        }
    }
    return true;
}

bool GraphFfTrainer::predict(const Dataset &data, const int *indices, int count, uint8_t *predictions,
                             const std::atomic<bool> *cancel)
{
    if (m_head)
        return predictByHead(data, indices, count, predictions, cancel);
    if (m_classGroups)
        return predictByClassGroups(data, indices, count, predictions, cancel);
    const int classes = m_config.classes;
    std::vector<float> goodness;
    if (!goodnessForAllLabels(data, indices, count, goodness, cancel))
        return false;
    for (int i = 0; i < count; ++i) {
        const float *g = goodness.data() + size_t(i) * size_t(classes);
        predictions[i] = uint8_t(std::max_element(g, g + classes) - g);
    }
    return true;
}

std::vector<QuantiserInfo> GraphFfTrainer::quantisers() const
{
    // A layer inside a unit may read a batch norm's signed output, so activation codes are signed.
    return ffQuantisers(m_config, kSignedCodes);
}

std::vector<NamedValues> GraphFfTrainer::exportState()
{
    std::vector<NamedValues> all;
    for (Unit &u : m_units)
        for (NamedValues &v : u.graph->exportState())
            all.push_back(std::move(v));
    if (m_head)
        for (NamedValues &v : m_head->exportState())
            all.push_back(std::move(v));
    return all;
}

void GraphFfTrainer::importState(const std::vector<NamedValues> &state)
{
    // Each tensor goes to the graph (unit or head) that has its layer; a graph then checks its own
    // (missing ones too).
    std::vector<ModelGraph *> graphs;
    for (Unit &u : m_units)
        graphs.push_back(u.graph.get());
    if (m_head)
        graphs.push_back(m_head.get());
    std::vector<std::vector<NamedValues>> perGraph(graphs.size());
    for (const NamedValues &v : state) {
        const size_t dot = v.name.rfind('.');
        const std::string layerName = dot == std::string::npos ? std::string() : v.name.substr(0, dot);
        size_t owner = graphs.size();
        for (size_t i = 0; i < graphs.size() && owner == graphs.size(); ++i)
            for (size_t l = 0; l < graphs[i]->layerCount(); ++l)
                if (graphs[i]->layer(l).name() == layerName)
                    owner = i;
        if (owner == graphs.size())
            throw EngineError("the state holds a tensor \"" + v.name + "\" that no layer of this model has");
        perGraph[owner].push_back(v);
    }
    for (size_t i = 0; i < graphs.size(); ++i)
        graphs[i]->importState(perGraph[i]);
}

} // namespace ffint8
