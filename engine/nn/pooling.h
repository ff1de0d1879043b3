// Pooling layers over NHWC images: max and average pooling (kernel, stride, padding) and global
// average pooling (each channel's mean over the image, giving a flat C x 1 x 1).
#pragma once

#include "engine/nn/layer.h"

namespace ffint8 {

struct PoolOptions
{
    int kernel = 2;
    int stride = 0; // 0: the kernel size (non-overlapping windows)
    int padding = 0;
};

// What the three poolings share: a window over the input image and its geometry for a batch.
class PoolingLayer : public Layer
{
public:
    size_t macsPerImage() const override { return 0; }

protected:
    PoolingLayer(Backend &backend, std::string name, Shape input, Shape output, int kernelH, int kernelW, int stride,
                 int padding);
    WindowGeometry geometry(int rows) const;
    // Windows of kernelH x kernelW; EngineError naming the layer and both shapes unless they fit.
    static Shape windowOutput(const char *kind, const std::string &name, const Shape &input, int kernelH, int kernelW,
                              int stride, int padding);
    void checkBackward(const LayerBackward &args) const;

private:
    int m_kernelH, m_kernelW, m_stride, m_padding;
};

class MaxPool2d final : public PoolingLayer
{
public:
    MaxPool2d(Backend &backend, std::string name, Shape input, const PoolOptions &pool);
    static Shape outputShape(const std::string &name, const Shape &input, const PoolOptions &pool);
    using Layer::outputShape;

    const char *kind() const override { return "max_pool"; }
    void forward(std::span<const Activation> inputs, int rows, float *output, LayerContext &ctx) override;
    void backward(const LayerBackward &args, LayerContext &ctx) override;

private:
    Tensor m_argmax; // S32, the last training forward's (grown to its batch; Activations)
    int m_argmaxRows = 0;
};

class AvgPool2d : public PoolingLayer
{
public:
    AvgPool2d(Backend &backend, std::string name, Shape input, const PoolOptions &pool);
    static Shape outputShape(const std::string &name, const Shape &input, const PoolOptions &pool);
    using Layer::outputShape;

    const char *kind() const override { return "avg_pool"; }
    void forward(std::span<const Activation> inputs, int rows, float *output, LayerContext &ctx) override;
    void backward(const LayerBackward &args, LayerContext &ctx) override;

protected:
    // For GlobalAvgPool: one window over the whole image.
    AvgPool2d(Backend &backend, std::string name, Shape input, Shape output);
};

// Average pooling with one window as large as the image: its output C x 1 x 1 is flat.
class GlobalAvgPool final : public AvgPool2d
{
public:
    GlobalAvgPool(Backend &backend, std::string name, Shape input);
    static Shape outputShape(const std::string &name, const Shape &input);
    using Layer::outputShape;

    const char *kind() const override { return "global_avg_pool"; }
};

} // namespace ffint8
