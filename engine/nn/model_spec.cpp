// Model descriptions: node kinds by name, default layer names, and the presets.
#include "engine/nn/model_spec.h"

#include "engine/core/error.h"

#include <algorithm>
#include <map>

namespace ffint8 {

namespace {

struct KindNames
{
    NodeKind kind;
    const char *name; // as Layer::kind()
    const char *shortName; // the default layer name's stem
};

constexpr KindNames kKinds[] = {
    {NodeKind::Linear, "linear", "fc"},
    {NodeKind::Conv2d, "conv2d", "conv"},
    {NodeKind::BatchNorm, "batch_norm", "bn"},
    {NodeKind::Relu, "relu", "relu"},
    {NodeKind::MaxPool, "max_pool", "maxpool"},
    {NodeKind::AvgPool, "avg_pool", "avgpool"},
    {NodeKind::GlobalAvgPool, "global_avg_pool", "gap"},
    {NodeKind::Flatten, "flatten", "flatten"},
    {NodeKind::Relu6, "relu6", "relu6_"},
    {NodeKind::Silu, "silu", "silu"},
    {NodeKind::Dropout, "dropout", "dropout"},
};

const KindNames &namesOf(NodeKind kind)
{
    for (const KindNames &k : kKinds)
        if (k.kind == kind)
            return k;
    throw EngineError("unknown layer kind " + std::to_string(int(kind)));
}

NodeSpec node(NodeKind kind)
{
    NodeSpec n;
    n.kind = kind;
    return n;
}

NodeSpec pool(NodeKind kind, int kernel, int stride, int padding)
{
    NodeSpec n = node(kind);
    n.kernel = kernel;
    n.stride = stride;
    n.padding = padding;
    return n;
}

// conv + BN + ReLU, the unit cnn-small stacks.
std::vector<NodeSpec> convBnRelu(int out, int stride)
{
    return {NodeSpec::conv(out, 3, stride, 1), NodeSpec::batchNorm(), NodeSpec::relu()};
}

} // namespace

const char *nodeKindName(NodeKind kind)
{
    return namesOf(kind).name;
}

bool nodeKindFromName(const std::string &name, NodeKind &out)
{
    for (const KindNames &k : kKinds) {
        if (name == k.name) {
            out = k.kind;
            return true;
        }
    }
    return false;
}

NodeSpec NodeSpec::linear(int out)
{
    NodeSpec n = node(NodeKind::Linear);
    n.out = out;
    return n;
}

NodeSpec NodeSpec::conv(int out, int kernel, int stride, int padding, bool bias, int groups)
{
    NodeSpec n = node(NodeKind::Conv2d);
    n.out = out;
    n.kernel = kernel;
    n.stride = stride;
    n.padding = padding;
    n.bias = bias;
    n.groups = groups;
    return n;
}

NodeSpec NodeSpec::batchNorm()
{
    return node(NodeKind::BatchNorm);
}
NodeSpec NodeSpec::relu()
{
    return node(NodeKind::Relu);
}
NodeSpec NodeSpec::maxPool(int kernel, int stride, int padding)
{
    return pool(NodeKind::MaxPool, kernel, stride, padding);
}
NodeSpec NodeSpec::avgPool(int kernel, int stride, int padding)
{
    return pool(NodeKind::AvgPool, kernel, stride, padding);
}
NodeSpec NodeSpec::globalAvgPool()
{
    return node(NodeKind::GlobalAvgPool);
}
NodeSpec NodeSpec::flatten()
{
    return node(NodeKind::Flatten);
}
NodeSpec NodeSpec::relu6()
{
    return node(NodeKind::Relu6);
}
NodeSpec NodeSpec::silu()
{
    return node(NodeKind::Silu);
}
NodeSpec NodeSpec::dropout(float rate)
{
    NodeSpec n = node(NodeKind::Dropout);
    n.rate = rate;
    return n;
}

bool ModelSpec::accepts(const Shape &data) const
{
    if (input.channels == 0)
        return true;
    return data == input || (input.isFlat() && data.features() == input.features());
}

std::string ModelSpec::nodeName(const BlockSpec &block, size_t index)
{
    const size_t count = block.body.size() + block.afterAdd.size();
    if (index >= count)
        throw EngineError("block \"" + block.name + "\" has " + std::to_string(count) + " layers, not "
                          + std::to_string(index + 1));
    auto at = [&](size_t i) -> const NodeSpec & {
        return i < block.body.size() ? block.body[i] : block.afterAdd[i - block.body.size()];
    };
    const NodeSpec &n = at(index);
    if (!n.name.empty())
        return block.name + "." + n.name;
    // Numbered among the block's layers of the same kind, so "conv2" stays "conv2" when a ReLU is
    // added elsewhere in the block.
    int number = 0;
    for (size_t i = 0; i <= index; ++i)
        number += at(i).kind == n.kind ? 1 : 0;
    return block.name + "." + namesOf(n.kind).shortName + std::to_string(number);
}

ModelSpec mlpModel(const std::vector<int> &widths)
{
    if (widths.size() < 2)
        throw EngineError("model \"mlp\": needs the input width and at least one layer width, e.g. 784,1000,1000");
    ModelSpec m;
    m.name = "mlp";
    m.input = Shape::flat(widths[0]);
    for (size_t i = 1; i < widths.size(); ++i) {
        BlockSpec b;
        b.name = "fc" + std::to_string(i);
        if (i == 1)
            b.body.push_back(NodeSpec::flatten());
        b.body.push_back(NodeSpec::linear(widths[i]));
        b.body.push_back(NodeSpec::relu());
        m.blocks.push_back(std::move(b));
    }
    return m;
}

ModelSpec cnnSmallModel()
{
    ModelSpec m;
    m.name = "cnn-small";
    m.blocks.push_back({"stem", convBnRelu(16, 1), false, true, {}});
    m.blocks.push_back({"down", convBnRelu(32, 2), false, true, {}});
    BlockSpec res{"res", convBnRelu(32, 1), true, true, {NodeSpec::relu()}};
    res.body.push_back(NodeSpec::conv(32, 3, 1, 1));
    res.body.push_back(NodeSpec::batchNorm());
    m.blocks.push_back(std::move(res));
    m.blocks.push_back({"pool", {NodeSpec::maxPool(2, 2), NodeSpec::flatten()}, false, true, {}});
    return m;
}

std::vector<std::string> modelPresetNames()
{
    return {"mlp", "cnn-small", "resnet-18", "mobilenet-v2", "efficientnet-b0"};
}

bool isModelPreset(const std::string &name)
{
    const std::vector<std::string> presets = modelPresetNames();
    return std::find(presets.begin(), presets.end(), name) != presets.end();
}

ModelSpec modelPreset(const std::string &name, const std::vector<int> &mlpWidths)
{
    if (name == "mlp")
        return mlpModel(mlpWidths);
    if (name == "cnn-small")
        return cnnSmallModel();
    if (name == "resnet-18")
        return resnet18Model();
    if (name == "mobilenet-v2")
        return mobilenetV2Model();
    if (name == "efficientnet-b0")
        return efficientnetB0Model();
    std::string valid;
    for (const std::string &n : modelPresetNames())
        valid += (valid.empty() ? "" : ", ") + n;
    throw EngineError("unknown model \"" + name + "\"; valid: " + valid);
}

std::vector<BlockSpec> blocksOfLayers(const std::vector<NodeSpec> &layers)
{
    std::vector<BlockSpec> blocks;
    std::map<NodeKind, int> counts;
    for (const NodeSpec &n : layers) {
        BlockSpec b;
        const int number = ++counts[n.kind];
        b.name = n.name.empty() ? namesOf(n.kind).shortName + std::to_string(number) : n.name;
        b.body.push_back(n);
        b.body.back().name.clear(); // the block carries the name; the layer is "NAME.conv1"
        blocks.push_back(std::move(b));
    }
    return blocks;
}

} // namespace ffint8
