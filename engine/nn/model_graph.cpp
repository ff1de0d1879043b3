// The model graph: planning shapes, building layers, buffers, and the passes over all layers.
#include "engine/nn/model_graph.h"

#include "engine/core/counter_rng.h"
#include "engine/core/error.h"
#include "engine/nn/activation_layers.h"
#include "engine/nn/batch_norm.h"
#include "engine/nn/conv2d.h"
#include "engine/nn/elementwise_layers.h"
#include "engine/nn/linear.h"
#include "engine/nn/pooling.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace ffint8 {

namespace {

const char *kJoinKind = "residual_add";

ConvOptions convOptionsOf(const NodeSpec &n)
{
    ConvOptions c;
    c.outChannels = n.out;
    c.kernel = n.kernel;
    c.stride = n.stride;
    c.padding = n.padding;
    c.groups = n.groups;
    c.bias = n.bias;
    return c;
}

PoolOptions poolOptionsOf(const NodeSpec &n)
{
    return {n.kernel, n.stride, n.padding};
}

// The shape a node makes of `in`, from the layer classes' own checks (so the plan and the layers
// cannot disagree); EngineError naming the layer and both shapes.
Shape nodeOutput(const std::string &name, const NodeSpec &n, const Shape &in)
{
    switch (n.kind) {
    case NodeKind::Linear:
        return Linear::outputShape(name, in, n.out);
    case NodeKind::Conv2d:
        // A convolution over a flattened vector is a mistake in the spec, even where a padded
        // kernel would technically fit a 1x1 image.
        if (in.isFlat() && n.kernel > 1)
            throwShapeMismatch("conv2d", name, in,
                               "an image (CxHxW larger than 1x1) for a " + std::to_string(n.kernel) + "x"
                                   + std::to_string(n.kernel) + " kernel; a flat input takes a linear layer");
        return Conv2d::outputShape(name, in, convOptionsOf(n));
    case NodeKind::BatchNorm:
        return BatchNorm::outputShape(name, in);
    case NodeKind::Relu:
    case NodeKind::Relu6:
    case NodeKind::Silu:
    case NodeKind::Dropout:
    case NodeKind::Flatten:
        if (in.features() <= 0)
            throwShapeMismatch(nodeKindName(n.kind), name, in, "at least one value");
        if (n.kind == NodeKind::Dropout)
            Dropout::checkRate(name, n.rate);
        return n.kind == NodeKind::Flatten ? Shape::flat(in.features()) : in;
    case NodeKind::MaxPool:
        return MaxPool2d::outputShape(name, in, poolOptionsOf(n));
    case NodeKind::AvgPool:
        return AvgPool2d::outputShape(name, in, poolOptionsOf(n));
    case NodeKind::GlobalAvgPool:
        return GlobalAvgPool::outputShape(name, in);
    }
    throw EngineError(name + ": unknown layer kind");
}

// The stride of a 1x1 convolution that turns `in`'s image size into `out`'s.
int projectionStride(const std::string &block, const Shape &in, const Shape &out)
{
    for (int s = 1; s <= std::max(in.height, in.width); ++s)
        if ((in.height - 1) / s + 1 == out.height && (in.width - 1) / s + 1 == out.width)
            return s;
    throw EngineError("block \"" + block + "\": the shortcut cannot be projected from input " + in.text()
                      + " to the body's output " + out.text() + " (no stride of a 1x1 convolution gives that size)");
}

std::unique_ptr<Layer> buildLayer(Backend &backend, const PlannedLayer &p, const std::vector<Shape> &in,
                                  const LayerOptions &options, SplitMix64 &initRng)
{
    if (p.kind == kJoinKind)
        return std::make_unique<ResidualAdd>(backend, p.name, in[0], in[1]);
    const NodeSpec &n = p.node;
    switch (n.kind) {
    case NodeKind::Linear:
        return std::make_unique<Linear>(backend, p.name, in[0], n.out, options, initRng);
    case NodeKind::Conv2d:
        return std::make_unique<Conv2d>(backend, p.name, in[0], convOptionsOf(n), options, initRng);
    case NodeKind::BatchNorm:
        return std::make_unique<BatchNorm>(backend, p.name, in[0], options);
    case NodeKind::Relu:
        return std::make_unique<Relu>(backend, p.name, in[0]);
    case NodeKind::MaxPool:
        return std::make_unique<MaxPool2d>(backend, p.name, in[0], poolOptionsOf(n));
    case NodeKind::AvgPool:
        return std::make_unique<AvgPool2d>(backend, p.name, in[0], poolOptionsOf(n));
    case NodeKind::GlobalAvgPool:
        return std::make_unique<GlobalAvgPool>(backend, p.name, in[0]);
    case NodeKind::Flatten:
        return std::make_unique<Flatten>(backend, p.name, in[0]);
    case NodeKind::Relu6:
        return std::make_unique<PointwiseActivation>(backend, p.name, in[0], PointwiseFunction::Relu6);
    case NodeKind::Silu:
        return std::make_unique<PointwiseActivation>(backend, p.name, in[0], PointwiseFunction::Silu);
    case NodeKind::Dropout:
        return std::make_unique<Dropout>(backend, p.name, in[0], n.rate);
    }
    throw EngineError(p.name + ": unknown layer kind");
}

// Planning state: the shapes of the values made so far and the names taken.
class Planner
{
public:
    explicit Planner(GraphPlan &plan) : m_plan(plan), m_shapes{plan.input} { }

    Shape shape(int value) const { return m_shapes[size_t(value)]; }

    int node(const std::string &name, const NodeSpec &n, int block, int from)
    {
        return add({name, nodeKindName(n.kind), n, block, {from}, nodeOutput(name, n, shape(from))});
    }

    int join(const std::string &name, int block, int shortcut, int body)
    {
        return add({name,
                    kJoinKind,
                    {},
                    block,
                    {shortcut, body},
                    ResidualAdd::outputShape(name, shape(shortcut), shape(body))});
    }

    int block(const BlockSpec &b, int blockIndex, int from)
    {
        if (b.name.empty() || b.name.find('.') != std::string::npos)
            throw EngineError("block " + std::to_string(blockIndex + 1) + ": \"" + b.name
                              + "\" is not a block name (a non-empty name without '.')");
        if (!m_blockNames.insert(b.name).second)
            throw EngineError("block \"" + b.name + "\": the model has two blocks of that name");
        if (b.body.empty())
            throw EngineError("block \"" + b.name + "\": has no layers");
        if (!b.residual && !b.afterAdd.empty())
            throw EngineError("block \"" + b.name + "\": layers after an add, but the block is not residual");
        int v = from;
        for (size_t i = 0; i < b.body.size(); ++i)
            v = node(ModelSpec::nodeName(b, i), b.body[i], blockIndex, v);
        if (!b.residual)
            return v;
        int shortcut = from;
        if (b.projection && !(shape(from) == shape(v))) {
            const int stride = projectionStride(b.name, shape(from), shape(v));
            shortcut
                = node(b.name + ".shortcut_conv", NodeSpec::conv(shape(v).channels, 1, stride), blockIndex, shortcut);
            shortcut = node(b.name + ".shortcut_bn", NodeSpec::batchNorm(), blockIndex, shortcut);
        }
        v = join(b.name + ".add", blockIndex, shortcut, v);
        for (size_t i = 0; i < b.afterAdd.size(); ++i)
            v = node(ModelSpec::nodeName(b, b.body.size() + i), b.afterAdd[i], blockIndex, v);
        return v;
    }

private:
    int add(PlannedLayer layer)
    {
        if (!m_layerNames.insert(layer.name).second)
            throw EngineError("layer \"" + layer.name + "\": the model has two layers of that name");
        // Shapes hold ints: a description (a spec's, a file's) whose values would pass 2^30 per
        // example is refused here, before Shape::features() of a later layer could overflow. Each
        // product is bounded before the next factor, so the check itself cannot overflow.
        const Shape &out = layer.output;
        const int64_t limit = int64_t(1) << 30;
        const int64_t area = int64_t(out.height) * int64_t(out.width);
        if (out.channels <= 0 || out.height <= 0 || out.width <= 0 || area > limit
            || area * int64_t(out.channels) > limit)
            throw EngineError(layer.kind + " \"" + layer.name + "\": output " + out.text()
                              + " is not a shape of 1 to 2^30 values per example");
        m_shapes.push_back(layer.output);
        m_plan.layers.push_back(std::move(layer));
        return int(m_shapes.size()) - 1;
    }

    GraphPlan &m_plan;
    std::vector<Shape> m_shapes; // per value: 0 the input, i the output of layer i - 1
    std::set<std::string> m_blockNames, m_layerNames;
};

} // namespace

GraphPlan ModelGraph::plan(const ModelSpec &spec, Shape input, int classes)
{
    const std::string model = "model \"" + spec.name + "\"";
    if (input.features() <= 0)
        throw EngineError(model + ": input " + input.text() + " holds no values");
    if (!spec.accepts(input))
        throw EngineError(model + ": the data's examples are " + input.text() + " (" + std::to_string(input.features())
                          + " values), the model's input is " + spec.input.text() + " ("
                          + std::to_string(spec.input.features()) + " values)");
    if (spec.blocks.empty() && classes <= 0)
        throw EngineError(model + ": has no blocks");
    GraphPlan plan;
    plan.input = input;
    Planner planner(plan);
    int v = 0;
    for (size_t b = 0; b < spec.blocks.size(); ++b) {
        plan.blocks.push_back(spec.blocks[b].name);
        v = planner.block(spec.blocks[b], int(b), v);
    }
    if (classes > 0) {
        BlockSpec head{"head", {}, false, true, {}};
        if (!planner.shape(v).isFlat())
            head.body.push_back(NodeSpec::flatten());
        head.body.push_back(NodeSpec::linear(classes));
        plan.blocks.push_back(head.name);
        v = planner.block(head, int(plan.blocks.size()) - 1, v);
    }
    return plan;
}

ModelGraph::ModelGraph(Backend &backend, const ModelSpec &spec, Shape input, int classes, const LayerOptions &options,
                       uint64_t initSeed)
    // The temporary stream lives until the delegated constructor returns.
    : ModelGraph(backend, spec, input, classes, options, *std::make_unique<SplitMix64>(initSeed))
{
}

ModelGraph::ModelGraph(Backend &backend, const ModelSpec &spec, Shape input, int classes, const LayerOptions &options,
                       SplitMix64 &initRng)
    : m_backend(backend), m_plan(plan(spec, input, classes))
{
    LayerOptions layerOptions = options;
    layerOptions.relu = false; // ReLUs are layers; a fused one would make in-place ReLUs wrong
    std::vector<Shape> shapes{m_plan.input};
    std::vector<int> consumers(m_plan.layers.size() + 1, 0);
    for (const PlannedLayer &p : m_plan.layers) {
        shapes.push_back(p.output);
        for (int v : p.inputs)
            ++consumers[size_t(v)];
    }
    m_storage.push_back(0);
    int storages = 1;
    for (const PlannedLayer &p : m_plan.layers) {
        std::vector<Shape> in;
        for (int v : p.inputs)
            in.push_back(shapes[size_t(v)]);
        m_layers.push_back(buildLayer(backend, p, in, layerOptions, initRng));
        // An in-place layer writes over its input when nothing else reads it: the graph's input
        // is kept (it has no gradient buffer to share).
        const int from = p.inputs.front();
        const bool shares = m_layers.back()->inPlace() && from != 0 && consumers[size_t(from)] == 1;
        m_storage.push_back(shares ? storageOf(from) : storages++);
    }
}

ModelGraph::~ModelGraph() = default;

Shape ModelGraph::outputShape() const
{
    return m_plan.layers.empty() ? m_plan.input : m_plan.layers.back().output;
}

std::vector<int> ModelGraph::storageFeatures() const
{
    const int storages = *std::max_element(m_storage.begin(), m_storage.end()) + 1;
    std::vector<int> features(size_t(storages), 0);
    features[0] = m_plan.input.features();
    for (size_t i = 0; i < m_plan.layers.size(); ++i)
        features[size_t(storageOf(int(i) + 1))] = m_plan.layers[i].output.features();
    return features;
}

std::vector<ptrdiff_t> ModelGraph::gradientLayout(int rows) const
{
    const std::vector<int> featuresOf = storageFeatures();
    std::vector<int> consumers(m_plan.layers.size() + 1, 0);
    for (const PlannedLayer &p : m_plan.layers)
        for (int v : p.inputs)
            ++consumers[size_t(v)];
    std::vector<ptrdiff_t> layout;
    ptrdiff_t next = 0;
    for (size_t s = 0; s < featuresOf.size(); ++s) {
        const bool none = s == 0 && !m_inputGradient;
        layout.push_back(none ? -1 : next);
        if (!none)
            next += ptrdiff_t(rows) * featuresOf[s];
    }
    int sumFeatures = 0;
    for (size_t v = m_inputGradient ? 0 : 1; v < consumers.size(); ++v)
        if (consumers[v] > 1)
            sumFeatures = std::max(sumFeatures, featuresOf[size_t(storageOf(int(v)))]);
    layout.push_back(sumFeatures > 0 ? next : -1);
    next += ptrdiff_t(rows) * sumFeatures;
    layout.push_back(next);
    return layout;
}

size_t ModelGraph::valueFloats(int rows) const
{
    const std::vector<int> featuresOf = storageFeatures();
    size_t n = 0;
    for (size_t s = 1; s < featuresOf.size(); ++s)
        n += size_t(rows) * size_t(featuresOf[s]);
    return n;
}

size_t ModelGraph::codeBytes(int trainingRows) const
{
    size_t n = 0;
    for (const auto &layer : m_layers)
        if (layer->needsInputCodes())
            n += size_t(trainingRows) * size_t(layer->inputShape().features());
    return n;
}

size_t ModelGraph::gradientFloats(int trainingRows) const
{
    return size_t(gradientLayout(trainingRows).back());
}

namespace {

// The buffer a graph's part goes in: the shared one (checked to be large enough) or its own.
// `count` is rows x perRow.
Tensor *bufferFor(Tensor *shared, Tensor &own, Backend &backend, int rows, size_t count, DType type,
                  MemoryCategory category, const char *what)
{
    if (shared) {
        if (shared->count() < count)
            throw EngineError(std::string("model graph: the shared ") + what + " buffer holds "
                              + std::to_string(shared->count()) + " values, the graph needs " + std::to_string(count));
        return shared;
    }
    own = backend.allocate(rows, int(count / size_t(std::max(rows, 1))), type, category);
    return &own;
}

} // namespace

void ModelGraph::reserve(int rows, int trainingRows, const SharedGraphBuffers &shared)
{
    if (rows <= 0 || trainingRows < 0 || trainingRows > rows)
        throw EngineError("model graph: buffers for " + std::to_string(rows) + " examples, training "
                          + std::to_string(trainingRows));
    const bool anyShared = shared.values || shared.codes || shared.gradients;
    if (rows <= m_rows && trainingRows <= m_trainingRows && !anyShared)
        return;
    rows = std::max(rows, m_rows);
    trainingRows = std::max(trainingRows, m_trainingRows);
    const std::vector<int> featuresOf = storageFeatures();
    m_input = Tensor();
    m_ownValues = Tensor();
    m_ownCodes = Tensor();
    m_ownGradients = Tensor();
    m_values.clear();
    m_valueOffsets.clear();
    m_gradients.clear();
    m_codes.clear();
    m_scales.clear();
    m_sum = nullptr;
    m_input = m_backend.allocate(rows, featuresOf[0], DType::F32, MemoryCategory::Activations);
    Tensor *values = bufferFor(shared.values, m_ownValues, m_backend, rows, valueFloats(rows), DType::F32,
                               MemoryCategory::Activations, "values");
    m_valueBuffer = values;
    m_values.push_back(m_input.f32());
    m_valueOffsets.push_back(0);
    size_t offset = 0;
    for (size_t s = 1; s < featuresOf.size(); ++s) {
        m_values.push_back(values->f32() + offset);
        m_valueOffsets.push_back(offset);
        offset += size_t(rows) * size_t(featuresOf[s]);
    }
    if (trainingRows > 0) {
        const std::vector<ptrdiff_t> layout = gradientLayout(trainingRows);
        float *base = bufferFor(shared.gradients, m_ownGradients, m_backend, trainingRows, size_t(layout.back()),
                                DType::F32, MemoryCategory::Gradients, "gradients")
                          ->f32();
        for (size_t s = 0; s < featuresOf.size(); ++s)
            m_gradients.push_back(layout[s] < 0 ? nullptr : base + layout[s]);
        m_sum = layout[featuresOf.size()] < 0 ? nullptr : base + layout[featuresOf.size()];
        int8_t *codes = bufferFor(shared.codes, m_ownCodes, m_backend, trainingRows, codeBytes(trainingRows),
                                  DType::S8, MemoryCategory::Activations, "codes")
                            ->s8();
        size_t codeOffset = 0;
        for (const auto &layer : m_layers) {
            const bool needs = layer->needsInputCodes();
            m_codes.push_back(needs ? codes + codeOffset : nullptr);
            if (needs)
                codeOffset += size_t(trainingRows) * size_t(layer->inputShape().features());
            m_scales.push_back(needs ? m_backend.allocate(1, 1, DType::F32, MemoryCategory::Activations) : Tensor());
        }
    }
    m_rows = rows;
    m_trainingRows = trainingRows;
}

const float *ModelGraph::output() const
{
    return m_values[size_t(storageOf(int(m_plan.layers.size())))];
}

void ModelGraph::downloadOutput(float *host, int rows)
{
    const size_t storage = size_t(storageOf(int(m_plan.layers.size())));
    const size_t bytes = size_t(rows) * size_t(outputShape().features()) * sizeof(float);
    if (storage == 0)
        m_backend.download(m_input, host, bytes);
    else
        m_backend.download(*m_valueBuffer, host, bytes, m_valueOffsets[storage] * sizeof(float));
}

const float *ModelGraph::inputGradient() const
{
    if (m_trainingRows == 0 || !m_inputGradient)
        throw EngineError("model graph: no input gradient without keepInputGradient() before reserve(rows, true)");
    return m_gradients[0];
}

float *ModelGraph::outputGradient()
{
    if (m_trainingRows == 0)
        throw EngineError("model graph: no gradients before reserve(rows, training = true)");
    return m_gradients[size_t(storageOf(int(m_plan.layers.size())))];
}

std::vector<Activation> ModelGraph::activationsOf(size_t layer, bool training)
{
    std::vector<Activation> acts;
    for (int v : m_plan.layers[layer].inputs) {
        Activation a;
        a.values = m_values[size_t(storageOf(v))];
        // Evaluation leaves the codes to the layer's scratch: they are not needed afterwards.
        if (training && m_codes[layer]) {
            a.codes = m_codes[layer];
            a.scale = m_scales[layer].f32();
        }
        acts.push_back(a);
    }
    return acts;
}

void ModelGraph::forward(int rows, LayerContext &ctx)
{
    if (rows <= 0 || rows > m_rows)
        throw EngineError("model graph: forward over " + std::to_string(rows) + " examples, buffers for "
                          + std::to_string(m_rows));
    if (ctx.training && rows > m_trainingRows)
        throw EngineError("model graph: a training pass over " + std::to_string(rows)
                          + " examples needs training buffers for as many (reserve)");
    for (size_t i = 0; i < m_layers.size(); ++i) {
        const std::vector<Activation> acts = activationsOf(i, ctx.training);
        m_layers[i]->forward(acts, rows, m_values[size_t(storageOf(int(i) + 1))], ctx);
    }
}

void ModelGraph::backward(int rows, LayerContext &ctx, const BackwardPass &pass)
{
    std::vector<double> *blockGradNorms = pass.blockGradNorms;
    const bool toInput = pass.toInput;
    if (rows <= 0 || rows > m_trainingRows)
        throw EngineError("model graph: backward over " + std::to_string(rows)
                          + " examples needs training buffers for as many");
    if (toInput && !m_inputGradient)
        throw EngineError("model graph: backward to the input needs keepInputGradient() before reserve()");
    const size_t layers = m_layers.size();
    // A value read by several layers (a residual fork) gets its first gradient written in place
    // and every later one added to it.
    std::vector<bool> written(layers + 1, false);
    written[layers] = true;
    // Whether anything behind a value learns from its gradient: a layer with parameters on the way
    // to it, or the input when its gradient is asked for. A flatten or pooling straight after the
    // input then costs no gradient, and draws no random values for one.
    std::vector<bool> needed(layers + 1, false);
    needed[0] = toInput;
    for (size_t i = 0; i < layers; ++i) {
        bool behind = m_layers[i]->parameterCount() > 0;
        for (int v : m_plan.layers[i].inputs)
            behind = behind || needed[size_t(v)];
        needed[i + 1] = behind;
    }
    if (blockGradNorms)
        blockGradNorms->assign(m_plan.blocks.size(), NAN);
    for (size_t i = layers; i-- > 0;) {
        const PlannedLayer &p = m_plan.layers[i];
        if (!needed[i + 1])
            continue;
        float *gradOutput = m_gradients[size_t(storageOf(int(i) + 1))];
        const size_t outValues = size_t(rows) * size_t(p.output.features());
        // Every reader of a block's last output comes later in the graph, so its gradient is whole here.
        if (blockGradNorms && (i + 1 == layers || m_plan.layers[i + 1].block != p.block))
            (*blockGradNorms)[size_t(p.block)] = std::sqrt(m_backend.squaredNorm(gradOutput, outValues));
        std::vector<float *> gradInputs;
        int summed = -1;
        for (int v : p.inputs) {
            if (!needed[size_t(v)]) {
                gradInputs.push_back(nullptr); // nothing behind it learns
            } else if (!written[size_t(v)]) {
                gradInputs.push_back(m_gradients[size_t(storageOf(v))]);
                written[size_t(v)] = true;
            } else {
                if (summed >= 0)
                    throw EngineError(m_layers[i]->name() + ": two inputs that other layers read too");
                gradInputs.push_back(m_sum);
                summed = v;
            }
        }
        const std::vector<Activation> acts = activationsOf(i, true);
        LayerBackward args{acts, m_values[size_t(storageOf(int(i) + 1))], gradOutput, gradInputs, rows,
                           pass.weightGradients};
        if (pass.beforeLayer && m_layers[i]->parameterCount() > 0)
            pass.beforeLayer(i, gradOutput, outValues);
        m_layers[i]->backward(args, ctx);
        if (summed >= 0) {
            float *g = m_gradients[size_t(storageOf(summed))];
            m_backend.addTensors(g, m_sum, rows, shapeOfValue(summed).features(), false, g);
        }
    }
}

void ModelGraph::update(const OptimizerStep &step, LayerContext &ctx)
{
    for (const auto &layer : m_layers)
        layer->update(step, ctx);
}

void ModelGraph::update(const OptimizerStep &step, LayerContext &ctx, const std::vector<float> &lrScales)
{
    if (lrScales.size() != m_layers.size())
        throw EngineError("model graph: " + std::to_string(lrScales.size()) + " learning-rate scales for "
                          + std::to_string(m_layers.size()) + " layers");
    for (size_t i = 0; i < m_layers.size(); ++i) {
        OptimizerStep scaled = step;
        scaled.lr *= lrScales[i];
        m_layers[i]->update(scaled, ctx);
    }
}

size_t ModelGraph::parameterCount() const
{
    size_t n = 0;
    for (const auto &layer : m_layers)
        n += layer->parameterCount();
    return n;
}

size_t ModelGraph::macsPerImage() const
{
    size_t n = 0;
    for (const auto &layer : m_layers)
        n += layer->macsPerImage();
    return n;
}

namespace {

// Every layer's tensors from `get`, named "block.layer.tensor".
template <typename Get>
std::vector<NamedValues> namedOverLayers(const std::vector<std::unique_ptr<Layer>> &layers, Get get)
{
    std::vector<NamedValues> all;
    for (const auto &layer : layers)
        for (NamedValues &v : get(*layer))
            all.push_back({layer->name() + "." + v.name, std::move(v.values)});
    return all;
}

} // namespace

std::vector<NamedValues> ModelGraph::exportState()
{
    return namedOverLayers(m_layers, [](Layer &l) { return l.exportState(); });
}

void ModelGraph::importState(const std::vector<NamedValues> &state)
{
    std::vector<std::vector<NamedValues>> perLayer(m_layers.size());
    for (const NamedValues &v : state) {
        const size_t dot = v.name.rfind('.');
        const std::string layerName = dot == std::string::npos ? std::string() : v.name.substr(0, dot);
        auto it = std::find_if(m_layers.begin(), m_layers.end(),
                               [&](const auto &layer) { return layer->name() == layerName; });
        if (it == m_layers.end())
            throw EngineError("the state holds a tensor \"" + v.name + "\" that no layer of this model has");
        perLayer[size_t(it - m_layers.begin())].push_back({v.name.substr(dot + 1), v.values});
    }
    // Every layer checks its own tensors, so a missing one is named with its layer.
    for (size_t i = 0; i < m_layers.size(); ++i)
        m_layers[i]->importState(perLayer[i]);
}

std::vector<NamedValues> ModelGraph::gradientsToHost()
{
    return namedOverLayers(m_layers, [](Layer &l) { return l.gradientsToHost(); });
}

} // namespace ffint8
