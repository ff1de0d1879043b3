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

void ModelGraph::reserve(int rows, bool training)
{
    if (rows <= 0)
        throw EngineError("model graph: a batch of " + std::to_string(rows) + " examples");
    if (rows <= m_rows && (m_training || !training))
        return;
    rows = std::max(rows, m_rows);
    training = training || m_training;
    std::vector<int> featuresOf(m_plan.layers.size() + 1, 0);
    std::vector<int> consumers(m_plan.layers.size() + 1, 0);
    featuresOf[0] = m_plan.input.features();
    for (size_t i = 0; i < m_plan.layers.size(); ++i) {
        featuresOf[size_t(storageOf(int(i) + 1))] = m_plan.layers[i].output.features();
        for (int v : m_plan.layers[i].inputs)
            ++consumers[size_t(v)];
    }
    const int storages = *std::max_element(m_storage.begin(), m_storage.end()) + 1;
    m_values.clear();
    m_gradients.clear();
    m_codes.clear();
    m_scales.clear();
    m_sum = Tensor();
    for (int s = 0; s < storages; ++s)
        m_values.push_back(m_backend.allocate(rows, featuresOf[size_t(s)], DType::F32, MemoryCategory::Activations));
    if (training) {
        int sumFeatures = 0;
        for (int s = 0; s < storages; ++s)
            m_gradients.push_back(
                s == 0 && !m_inputGradient
                    ? Tensor()
                    : m_backend.allocate(rows, featuresOf[size_t(s)], DType::F32, MemoryCategory::Gradients));
        for (size_t v = m_inputGradient ? 0 : 1; v < consumers.size(); ++v)
            if (consumers[v] > 1)
                sumFeatures = std::max(sumFeatures, featuresOf[size_t(storageOf(int(v)))]);
        if (sumFeatures > 0)
            m_sum = m_backend.allocate(rows, sumFeatures, DType::F32, MemoryCategory::Gradients);
        for (const auto &layer : m_layers) {
            const bool codes = layer->needsInputCodes();
            m_codes.push_back(
                codes ? m_backend.allocate(rows, layer->inputShape().features(), DType::S8, MemoryCategory::Activations)
                      : Tensor());
            m_scales.push_back(codes ? m_backend.allocate(1, 1, DType::F32, MemoryCategory::Activations) : Tensor());
        }
    }
    m_rows = rows;
    m_training = training;
}

const float *ModelGraph::output() const
{
    return m_values[size_t(storageOf(int(m_plan.layers.size())))].f32();
}

void ModelGraph::downloadOutput(float *host, int rows)
{
    const Tensor &out = m_values[size_t(storageOf(int(m_plan.layers.size())))];
    m_backend.download(out, host, size_t(rows) * size_t(outputShape().features()) * sizeof(float));
}

const float *ModelGraph::inputGradient() const
{
    if (!m_training || !m_inputGradient)
        throw EngineError("model graph: no input gradient without keepInputGradient() before reserve(rows, true)");
    return m_gradients[0].f32();
}

float *ModelGraph::outputGradient()
{
    if (!m_training)
        throw EngineError("model graph: no gradients before reserve(rows, training = true)");
    return m_gradients[size_t(storageOf(int(m_plan.layers.size())))].f32();
}

std::vector<Activation> ModelGraph::activationsOf(size_t layer, bool training)
{
    std::vector<Activation> acts;
    for (int v : m_plan.layers[layer].inputs) {
        Activation a;
        a.values = m_values[size_t(storageOf(v))].f32();
        // Evaluation leaves the codes to the layer's scratch: they are not needed afterwards.
        if (training && !m_codes[layer].empty()) {
            a.codes = m_codes[layer].s8();
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
    if (ctx.training && !m_training)
        throw EngineError("model graph: a training pass needs reserve(rows, training = true) first");
    for (size_t i = 0; i < m_layers.size(); ++i) {
        const std::vector<Activation> acts = activationsOf(i, ctx.training);
        m_layers[i]->forward(acts, rows, m_values[size_t(storageOf(int(i) + 1))].f32(), ctx);
    }
}

void ModelGraph::backward(int rows, LayerContext &ctx, const BackwardPass &pass)
{
    std::vector<double> *blockGradNorms = pass.blockGradNorms;
    const bool toInput = pass.toInput;
    if (!m_training || rows <= 0 || rows > m_rows)
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
        float *gradOutput = m_gradients[size_t(storageOf(int(i) + 1))].f32();
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
                gradInputs.push_back(m_gradients[size_t(storageOf(v))].f32());
                written[size_t(v)] = true;
            } else {
                if (summed >= 0)
                    throw EngineError(m_layers[i]->name() + ": two inputs that other layers read too");
                gradInputs.push_back(m_sum.f32());
                summed = v;
            }
        }
        const std::vector<Activation> acts = activationsOf(i, true);
        LayerBackward args{acts, m_values[size_t(storageOf(int(i) + 1))].f32(), gradOutput, gradInputs, rows,
                           pass.weightGradients};
        m_layers[i]->backward(args, ctx);
        if (summed >= 0) {
            float *g = m_gradients[size_t(storageOf(summed))].f32();
            m_backend.addTensors(g, m_sum.f32(), rows, shapeOfValue(summed).features(), false, g);
        }
    }
}

void ModelGraph::update(const OptimizerStep &step, LayerContext &ctx)
{
    for (const auto &layer : m_layers)
        layer->update(step, ctx);
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
