// A model as a graph of layers built from a ModelSpec: every shape planned (and a spec that does
// not chain refused, naming the layer and both shapes) before anything is allocated; the
// activation buffers of a batch; forward and backward through the whole graph, a residual fork's
// gradients summed; every layer's update; totals; and state by "block.layer.tensor" names.
#pragma once

#include "engine/core/counter_rng.h"
#include "engine/nn/layer.h"
#include "engine/nn/model_spec.h"

#include <memory>
#include <string>
#include <vector>

namespace ffint8 {

// One layer of a planned graph: its name and kind, the values it reads (0 is the graph's input,
// i the output of planned layer i - 1) and the shape it makes.
struct PlannedLayer
{
    std::string name; // "block.layer"
    std::string kind; // as Layer::kind(), and "residual_add" for a join
    NodeSpec node; // the settings (unused for a join)
    int block = 0; // index into ModelGraph::blockNames()
    std::vector<int> inputs;
    Shape output;
};

struct GraphPlan
{
    Shape input;
    std::vector<std::string> blocks; // the spec's blocks, then "head" when there is one
    std::vector<PlannedLayer> layers;
};

class ModelGraph
{
public:
    // `classes` > 0 appends a block "head": a linear layer to that many logits (after a flatten
    // when the body's output is an image). Convolutions and linear layers take `options` without
    // their fused ReLU (ReLUs are layers of their own); the initial weights come from `initSeed`.
    ModelGraph(Backend &backend, const ModelSpec &spec, Shape input, int classes, const LayerOptions &options,
               uint64_t initSeed);
    // The same with the initial weights drawn from `initRng`, so that several graphs (the units of
    // FF) draw one stream in order, as one graph would.
    ModelGraph(Backend &backend, const ModelSpec &spec, Shape input, int classes, const LayerOptions &options,
               SplitMix64 &initRng);
    ~ModelGraph();
    ModelGraph(const ModelGraph &) = delete;
    ModelGraph &operator=(const ModelGraph &) = delete;

    // Every layer's shape without building any: EngineError naming the layer (or block) and both
    // shapes when the spec does not chain or does not take `input`.
    static GraphPlan plan(const ModelSpec &spec, Shape input, int classes);

    const GraphPlan &graphPlan() const { return m_plan; }
    const std::vector<std::string> &blockNames() const { return m_plan.blocks; }
    size_t layerCount() const { return m_layers.size(); }
    Layer &layer(size_t i) { return *m_layers[i]; }
    const Layer &layer(size_t i) const { return *m_layers[i]; }
    Shape inputShape() const { return m_plan.input; }
    Shape outputShape() const;

    // Buffers for batches of up to `rows` examples: activations, and for training also the
    // gradients and the INT8 input codes the layers keep from forward to backward.
    void reserve(int rows, bool training);
    // Training also keeps dL/d(input) (backward(..., toInput = true) writes it): call before reserve().
    void keepInputGradient() { m_inputGradient = true; }
    // dL/d(input) of the last backward(..., toInput = true), [rows x input features].
    const float *inputGradient() const;
    int capacity() const { return m_rows; }
    // The graph's input, [capacity x input features]: the caller uploads a batch here.
    Tensor &input() { return m_values[0]; }
    // The output (logits with a head) of the last forward(), [rows x output features].
    const float *output() const;
    // The first `rows` examples of the output, copied to the host.
    void downloadOutput(float *host, int rows);
    // dL/d(output): the caller writes it here before backward().
    float *outputGradient();

    void forward(int rows, LayerContext &ctx);
    // Backward from outputGradient() through every layer (training forward() first). When
    // `blockGradNorms` is given it receives, per block, the norm of dL/d(the block's output).
    // outputGradient() may be overwritten (in-place layers write their input gradient over it).
    // Gradients are computed only where a layer with parameters (or, with `toInput`, the input)
    // lies behind them.
    void backward(int rows, LayerContext &ctx, std::vector<double> *blockGradNorms = nullptr)
    {
        backward(rows, ctx, BackwardPass{blockGradNorms});
    }
    struct BackwardPass
    {
        std::vector<double> *blockGradNorms = nullptr;
        bool toInput = false; // also dL/d(input) (keepInputGradient() first)
        bool weightGradients = true; // false: input gradients only (LayerBackward::weightGradients)
    };
    void backward(int rows, LayerContext &ctx, const BackwardPass &pass);
    void update(const OptimizerStep &step, LayerContext &ctx);

    size_t parameterCount() const;
    size_t macsPerImage() const;
    // Every layer's tensors as "block.layer.tensor".
    std::vector<NamedValues> exportState();
    // EngineError naming the tensor when a layer's tensor is missing, unknown or of another size.
    void importState(const std::vector<NamedValues> &state);
    std::vector<NamedValues> gradientsToHost();

private:
    // Which buffer holds a value: in-place layers (ReLU, flatten) share their input's.
    int storageOf(int value) const { return m_storage[size_t(value)]; }
    Shape shapeOfValue(int value) const { return value == 0 ? m_plan.input : m_plan.layers[size_t(value) - 1].output; }
    std::vector<Activation> activationsOf(size_t layer, bool training);

    Backend &m_backend;
    GraphPlan m_plan;
    std::vector<std::unique_ptr<Layer>> m_layers;
    std::vector<int> m_storage; // per value: the index of its buffer in m_values / m_gradients
    std::vector<Tensor> m_values; // F32 [rows x features] per storage
    std::vector<Tensor> m_gradients; // F32 [rows x features] per storage (training; none for the input)
    std::vector<Tensor> m_codes, m_scales; // per layer that needs its input's INT8 codes (training)
    Tensor m_sum; // a second gradient of a value read twice (a residual fork), before it is added
    int m_rows = 0;
    bool m_training = false;
    bool m_inputGradient = false;
};

} // namespace ffint8
