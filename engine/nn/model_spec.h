// What a model is, before any layer exists: an input shape and named blocks of layer settings
// (linear, conv2d, batch norm, ReLU, pooling, flatten), a block being a plain sequence or a
// residual unit. Presets by name (`mlp` from widths, `cnn-small`); ModelGraph builds the layers.
#pragma once

#include "engine/nn/shape.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ffint8 {

enum class NodeKind : uint8_t { Linear, Conv2d, BatchNorm, Relu, MaxPool, AvgPool, GlobalAvgPool, Flatten };

// "linear", "conv2d", "batch_norm", "relu", "max_pool", "avg_pool", "global_avg_pool", "flatten":
// the names Layer::kind() reports, so summaries and specs use one vocabulary.
const char *nodeKindName(NodeKind kind);
// The kind of that name; false when there is none.
bool nodeKindFromName(const std::string &name, NodeKind &out);

// One layer's settings; each kind reads only its own fields.
struct NodeSpec
{
    NodeKind kind = NodeKind::Relu;
    std::string name; // empty: the kind's short name numbered within the block ("conv1", "bn2", ...)
    int out = 0; // linear: outputs; conv2d: output channels
    int kernel = 1; // conv2d, max_pool, avg_pool
    int stride = 1; // conv2d; pooling: 0 means the kernel size
    int padding = 0; // conv2d, max_pool, avg_pool
    int groups = 1; // conv2d
    bool bias = true; // conv2d (a convolution before a batch norm needs none); linear layers have one

    static NodeSpec linear(int out);
    static NodeSpec conv(int out, int kernel, int stride = 1, int padding = 0, bool bias = false, int groups = 1);
    static NodeSpec batchNorm();
    static NodeSpec relu();
    static NodeSpec maxPool(int kernel, int stride = 0, int padding = 0);
    static NodeSpec avgPool(int kernel, int stride = 0, int padding = 0);
    static NodeSpec globalAvgPool();
    static NodeSpec flatten();
};

// A named run of layers. A residual block computes after(body(x) + shortcut(x)): the shortcut is x
// itself, or, when `projection` is on and the body changes the shape, a 1x1 convolution (its
// stride taken from the shapes) and a batch norm, as ResNet's downsampling blocks do.
struct BlockSpec
{
    std::string name;
    std::vector<NodeSpec> body;
    bool residual = false;
    bool projection = true; // off: the body must keep the shape, or the add is refused
    std::vector<NodeSpec> afterAdd; // residual only: what follows the add (usually a ReLU)
};

struct ModelSpec
{
    std::string name; // the preset's name, or what a spec calls the model
    // What one example must look like; channels 0 takes any shape (the dataset's). A flat input
    // also takes an image of as many values (the model flattens it first).
    Shape input{0, 1, 1};
    std::vector<BlockSpec> blocks;

    // Whether data of this shape fits `input`.
    bool accepts(const Shape &data) const;
    // The names layers get: "block.node" for body and after-add nodes, and "block.shortcut_conv",
    // "block.shortcut_bn", "block.add" for a residual block's join.
    static std::string nodeName(const BlockSpec &block, size_t index);
};

// A fully connected network: flatten, then for each width after the first a linear layer and a
// ReLU (blocks "fc1", "fc2", ...); widths[0] is the input's value count, as TrainConfig::layers.
ModelSpec mlpModel(const std::vector<int> &widths);
// A small CNN that trains on 2 cores in minutes: conv3x3 16 + BN + ReLU; conv3x3 32 stride 2 + BN
// + ReLU; a residual block of two conv3x3 32 + BN (ReLU between, and after the add); global
// average pooling. Any image with 1+ channels and sides >= 3 fits.
ModelSpec cnnSmallModel();
// ResNet-18's CIFAR variant (He et al. 2016, as the common CIFAR ports build it): a 3x3 stem of
// 64 channels with stride 1 and no max pooling; BasicBlocks 64-64, 128-128 (stride 2), 256-256
// (stride 2), 512-512 (stride 2), projected shortcuts where the shape changes; global average
// pooling. With a 10-class head: 11,173,962 parameters (torchvision's ImageNet stem: 11,181,642;
// the paper's Table V: 11.19 M).
ModelSpec resnet18Model();

std::vector<std::string> modelPresetNames(); // "mlp", "cnn-small", "resnet-18"
bool isModelPreset(const std::string &name);
// The preset `name` (mlp from `mlpWidths`); EngineError naming the valid presets otherwise.
ModelSpec modelPreset(const std::string &name, const std::vector<int> &mlpWidths);

// A flat list of layers as blocks, one block per layer, so that each layer is a unit of its own
// (FF's losses, the per-unit metrics): a block takes its layer's name, or else the kind's short
// name numbered among the layers of that kind ("conv1", "bn1", "relu1", "conv2", ...).
std::vector<BlockSpec> blocksOfLayers(const std::vector<NodeSpec> &layers);

} // namespace ffint8
