// Max, average and global average pooling on the backend's pooling ops.
#include "engine/nn/pooling.h"

#include "engine/core/error.h"

#include <algorithm>

namespace ffint8 {

namespace {

int strideOf(const PoolOptions &p)
{
    return p.stride > 0 ? p.stride : p.kernel;
}

} // namespace

PoolingLayer::PoolingLayer(Backend &backend, std::string name, Shape input, Shape output, int kernelH, int kernelW,
                           int stride, int padding)
    : Layer(backend, std::move(name), {input}, output),
      m_kernelH(kernelH),
      m_kernelW(kernelW),
      m_stride(stride),
      m_padding(padding)
{
}

Shape PoolingLayer::windowOutput(const char *kind, const std::string &name, const Shape &input, int kernelH,
                                 int kernelW, int stride, int padding)
{
    if (kernelH <= 0 || kernelW <= 0 || stride <= 0 || padding < 0 || 2 * padding > std::min(kernelH, kernelW))
        throw EngineError(std::string(kind) + " \"" + name + "\": kernel " + std::to_string(kernelH) + "x"
                          + std::to_string(kernelW) + ", stride " + std::to_string(stride) + ", padding "
                          + std::to_string(padding) + " is not a pooling (padding is at most half the kernel)");
    const int needH = std::max(kernelH - 2 * padding, 1), needW = std::max(kernelW - 2 * padding, 1);
    if (input.channels <= 0 || input.height < needH || input.width < needW)
        throwShapeMismatch(kind, name, input,
                           "an image of at least Cx" + std::to_string(needH) + "x" + std::to_string(needW) + " for its "
                               + std::to_string(kernelH) + "x" + std::to_string(kernelW) + " window");
    return Shape::image(input.channels, (input.height + 2 * padding - kernelH) / stride + 1,
                        (input.width + 2 * padding - kernelW) / stride + 1);
}

WindowGeometry PoolingLayer::geometry(int rows) const
{
    return windowOver(inputShape(), rows, m_kernelH, m_kernelW, m_stride, m_padding);
}

void PoolingLayer::checkBackward(const LayerBackward &args) const
{
    singleInput(args.inputs);
    if (args.gradInputs.size() != 1)
        throw EngineError(label() + ": backward takes 1 input gradient, given "
                          + std::to_string(args.gradInputs.size()));
}

Shape MaxPool2d::outputShape(const std::string &name, const Shape &input, const PoolOptions &pool)
{
    return windowOutput("max_pool", name, input, pool.kernel, pool.kernel, strideOf(pool), pool.padding);
}

MaxPool2d::MaxPool2d(Backend &backend, std::string name, Shape input, const PoolOptions &pool)
    : PoolingLayer(backend, name, input, outputShape(name, input, pool), pool.kernel, pool.kernel, strideOf(pool),
                   pool.padding)
{
}

void MaxPool2d::forward(std::span<const Activation> inputs, int rows, float *output, LayerContext &ctx)
{
    int32_t *argmax = nullptr;
    if (ctx.training) {
        const int values = outputShape().features();
        if (m_argmax.empty() || m_argmax.rows() < rows) {
            m_argmax = Tensor();
            m_argmax = m_backend.allocate(rows, values, DType::S32, MemoryCategory::Activations);
        }
        argmax = m_argmax.s32();
        m_argmaxRows = rows;
    }
    m_backend.maxPoolForward(singleInput(inputs).values, geometry(rows), output, argmax);
}

void MaxPool2d::backward(const LayerBackward &args, LayerContext &ctx)
{
    (void)ctx;
    checkBackward(args);
    if (m_argmaxRows != args.rows)
        throw EngineError(label() + ": backward over " + std::to_string(args.rows)
                          + " rows needs a training-mode forward pass over them first");
    if (args.gradInputs[0])
        m_backend.maxPoolBackward(args.gradOutput, m_argmax.s32(), geometry(args.rows), args.gradInputs[0]);
}

Shape AvgPool2d::outputShape(const std::string &name, const Shape &input, const PoolOptions &pool)
{
    return windowOutput("avg_pool", name, input, pool.kernel, pool.kernel, strideOf(pool), pool.padding);
}

AvgPool2d::AvgPool2d(Backend &backend, std::string name, Shape input, const PoolOptions &pool)
    : PoolingLayer(backend, name, input, outputShape(name, input, pool), pool.kernel, pool.kernel, strideOf(pool),
                   pool.padding)
{
}

AvgPool2d::AvgPool2d(Backend &backend, std::string name, Shape input, Shape output)
    : PoolingLayer(backend, std::move(name), input, output, input.height, input.width, 1, 0)
{
}

void AvgPool2d::forward(std::span<const Activation> inputs, int rows, float *output, LayerContext &ctx)
{
    (void)ctx;
    m_backend.avgPoolForward(singleInput(inputs).values, geometry(rows), output);
}

void AvgPool2d::backward(const LayerBackward &args, LayerContext &ctx)
{
    (void)ctx;
    checkBackward(args);
    if (args.gradInputs[0])
        m_backend.avgPoolBackward(args.gradOutput, geometry(args.rows), args.gradInputs[0]);
}

Shape GlobalAvgPool::outputShape(const std::string &name, const Shape &input)
{
    if (input.features() <= 0)
        throwShapeMismatch("global_avg_pool", name, input, "an image (CxHxW)");
    return Shape::flat(input.channels);
}

GlobalAvgPool::GlobalAvgPool(Backend &backend, std::string name, Shape input)
    : AvgPool2d(backend, name, input, outputShape(name, input))
{
}

} // namespace ffint8
