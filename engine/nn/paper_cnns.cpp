// The paper's convolutional networks (Table V) as model descriptions.
#include "engine/nn/model_spec.h"

#include <string>

namespace ffint8 {

namespace {

// ResNet's BasicBlock: two 3x3 convolutions with batch norm, the first with the block's stride;
// the shortcut is projected (1x1 convolution and batch norm) where the shape changes.
BlockSpec basicBlock(const std::string &name, int channels, int stride)
{
    return {name,
            {NodeSpec::conv(channels, 3, stride, 1), NodeSpec::batchNorm(), NodeSpec::relu(),
             NodeSpec::conv(channels, 3, 1, 1), NodeSpec::batchNorm()},
            true,
            true,
            {NodeSpec::relu()}};
}

NodeSpec activation(NodeKind kind)
{
    return kind == NodeKind::Silu ? NodeSpec::silu() : NodeSpec::relu6();
}

// An inverted residual (MobileNet-V2) or MBConv without squeeze-excitation (EfficientNet): a 1x1
// expansion to in x expand channels (left out when expand is 1), a depthwise k x k convolution
// with the stride, both with batch norm and the activation, then a linear 1x1 projection with batch
// norm. The input is added back only where the shape stays (stride 1, in == out): no projected
// shortcut, as both papers build it.
BlockSpec invertedResidual(const std::string &name, int in, int out, int expand, int kernel, int stride,
                           NodeKind act)
{
    BlockSpec b;
    b.name = name;
    const int hidden = in * expand;
    if (expand != 1) {
        b.body.push_back(NodeSpec::conv(hidden, 1));
        b.body.back().name = "expand_conv";
        b.body.push_back(NodeSpec::batchNorm());
        b.body.back().name = "expand_bn";
        b.body.push_back(activation(act));
        b.body.back().name = "expand_act";
    }
    b.body.push_back(NodeSpec::conv(hidden, kernel, stride, kernel / 2, false, hidden));
    b.body.back().name = "dw_conv";
    b.body.push_back(NodeSpec::batchNorm());
    b.body.back().name = "dw_bn";
    b.body.push_back(activation(act));
    b.body.back().name = "dw_act";
    b.body.push_back(NodeSpec::conv(out, 1));
    b.body.back().name = "project_conv";
    b.body.push_back(NodeSpec::batchNorm());
    b.body.back().name = "project_bn";
    b.residual = stride == 1 && in == out;
    b.projection = false;
    return b;
}

BlockSpec convBnAct(const std::string &name, int out, int kernel, int stride, NodeKind act)
{
    return {name, {NodeSpec::conv(out, kernel, stride, kernel / 2), NodeSpec::batchNorm(), activation(act)}, false, true,
            {}};
}

// One stage of MBConv / inverted-residual blocks: the first with the stage's stride and input width.
struct Stage
{
    int expand, kernel, stride, out, repeats;
};

ModelSpec mobileStyleModel(const std::string &name, NodeKind act, int stemChannels, const std::vector<Stage> &stages,
                           int topChannels, float dropout)
{
    ModelSpec m;
    m.name = name;
    m.blocks.push_back(convBnAct("stem", stemChannels, 3, 1, act));
    int in = stemChannels;
    for (size_t s = 0; s < stages.size(); ++s)
        for (int r = 0; r < stages[s].repeats; ++r) {
            const Stage &st = stages[s];
            m.blocks.push_back(invertedResidual("stage" + std::to_string(s + 1) + "_" + std::to_string(r + 1), in,
                                                st.out, st.expand, st.kernel, r == 0 ? st.stride : 1, act));
            in = st.out;
        }
    m.blocks.push_back(convBnAct("top", topChannels, 1, 1, act));
    m.blocks.push_back({"pool", {NodeSpec::globalAvgPool(), NodeSpec::dropout(dropout)}, false, true, {}});
    return m;
}

} // namespace

ModelSpec resnet18Model()
{
    ModelSpec m;
    m.name = "resnet-18";
    m.blocks.push_back(
        {"stem", {NodeSpec::conv(64, 3, 1, 1), NodeSpec::batchNorm(), NodeSpec::relu()}, false, true, {}});
    const int widths[] = {64, 128, 256, 512};
    for (int stage = 0; stage < 4; ++stage)
        for (int b = 0; b < 2; ++b)
            m.blocks.push_back(basicBlock("stage" + std::to_string(stage + 1) + "_" + std::to_string(b + 1),
                                          widths[stage], stage > 0 && b == 0 ? 2 : 1));
    m.blocks.push_back({"pool", {NodeSpec::globalAvgPool()}, false, true, {}});
    return m;
}

ModelSpec mobilenetV2Model()
{
    // torchvision's plan (t, k, s, c, n), with the strides of the stem and of stage 2 set to 1.
    return mobileStyleModel("mobilenet-v2", NodeKind::Relu6, 32,
                            {{1, 3, 1, 16, 1},
                             {6, 3, 1, 24, 2},
                             {6, 3, 2, 32, 3},
                             {6, 3, 2, 64, 4},
                             {6, 3, 1, 96, 3},
                             {6, 3, 2, 160, 3},
                             {6, 3, 1, 320, 1}},
                            1280, 0.2f);
}

ModelSpec efficientnetB0Model()
{
    return mobileStyleModel("efficientnet-b0", NodeKind::Silu, 32,
                            {{1, 3, 1, 16, 1},
                             {6, 3, 1, 24, 2},
                             {6, 5, 2, 40, 2},
                             {6, 3, 2, 80, 3},
                             {6, 5, 1, 112, 3},
                             {6, 5, 2, 192, 4},
                             {6, 3, 1, 320, 1}},
                            1280, 0.2f);
}

} // namespace ffint8
