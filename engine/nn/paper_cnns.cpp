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

} // namespace ffint8
