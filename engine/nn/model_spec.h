// What a model is, before any layer exists: an input shape and named blocks of layer settings
// (linear, conv2d, batch norm, ReLU, pooling, flatten), a block being a plain sequence or a
// residual unit. Presets by name (`mlp` from widths, `cnn-small`); ModelGraph builds the layers.
#pragma once

#include "engine/nn/shape.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ffint8 {

// New kinds go at the end: model files store the kind's number.
enum class NodeKind : uint8_t {
    Linear,
    Conv2d,
    BatchNorm,
    Relu,
    MaxPool,
    AvgPool,
    GlobalAvgPool,
    Flatten,
    Relu6,
    Silu,
    Dropout,
};
constexpr NodeKind kLastNodeKind = NodeKind::Dropout;

// "linear", "conv2d", "batch_norm", "relu", "max_pool", "avg_pool", "global_avg_pool", "flatten",
// "relu6", "silu", "dropout": the names Layer::kind() reports, so summaries and specs use one
// vocabulary.
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
    float rate = 0.0f; // dropout: the share of values dropped in training, in [0, 1)

    static NodeSpec linear(int out);
    static NodeSpec conv(int out, int kernel, int stride = 1, int padding = 0, bool bias = false, int groups = 1);
    static NodeSpec batchNorm();
    static NodeSpec relu();
    static NodeSpec maxPool(int kernel, int stride = 0, int padding = 0);
    static NodeSpec avgPool(int kernel, int stride = 0, int padding = 0);
    static NodeSpec globalAvgPool();
    static NodeSpec flatten();
    static NodeSpec relu6();
    static NodeSpec silu();
    static NodeSpec dropout(float rate);
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
// MobileNet-V2 (Sandler et al. 2018) with torchvision's channel plan: a 3x3 stem of 32, inverted
// residual blocks (expansion 6, ReLU6, depthwise 3x3, linear 1x1 bottleneck; the input added
// back where the shape stays) 16, 24 x2, 32 x3, 64 x4, 96 x3, 160 x3, 320, a 1x1 convolution
// "top" of 1280, global average pooling and dropout 0.2 before the classifier. For 32x32 images
// the stem and the first 24-channel block keep stride 1 (as common CIFAR ports do), so the last
// feature map is 4x4 rather than 1x1. With a 10-class head: 2,236,682 parameters, the paper's
// 2.24 M.
ModelSpec mobilenetV2Model();
// EfficientNet-B0 (Tan and Le 2019) with torchvision's plan, SiLU throughout: MBConv blocks
// (expansion 1 then 6; kernels 3, 3, 5, 3, 5, 5, 3) 16, 24 x2, 40 x2, 80 x3, 112 x3, 192 x4, 320
// between a 3x3 stem of 32 and a 1x1 convolution "top" of 1280, global average pooling and
// dropout 0.2. The strides are adapted to 32x32 as for mobilenet-v2. Without squeeze-excitation
// and with a 10-class head: 3,383,818 parameters, within 0.5 % of the paper's 3.39 M (with
// squeeze-excitation torchvision's plan has 4,020,358, far from it), so the paper's network had
// none. Stochastic depth is left out.
ModelSpec efficientnetB0Model();

// "mlp", "cnn-small", "resnet-18", "mobilenet-v2", "efficientnet-b0"
std::vector<std::string> modelPresetNames();
bool isModelPreset(const std::string &name);
// The preset `name` (mlp from `mlpWidths`); EngineError naming the valid presets otherwise.
ModelSpec modelPreset(const std::string &name, const std::vector<int> &mlpWidths);

// A flat list of layers as blocks, one block per layer, so that each layer is a unit of its own
// (FF's losses, the per-unit metrics): a block takes its layer's name, or else the kind's short
// name numbered among the layers of that kind ("conv1", "bn1", "relu1", "conv2", ...).
std::vector<BlockSpec> blocksOfLayers(const std::vector<NodeSpec> &layers);

} // namespace ffint8
