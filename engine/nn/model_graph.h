// A model as a graph of layers built from a ModelSpec: every shape planned (and a spec that does
// not chain refused, naming the layer and both shapes) before anything is allocated; the
// activation buffers of a batch; forward and backward through the whole graph, a residual fork's
// gradients summed; every layer's update; totals; and state by "block.layer.tensor" names.
#pragma once

#include "engine/core/counter_rng.h"
#include "engine/nn/layer.h"
#include "engine/nn/model_spec.h"

#include <functional>
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

// Buffers a caller shares between graphs that run one at a time, none of them needing what these
// hold once another one has run (FF's units: gradients always; values and codes when each unit's
// activations are rebuilt from its input for its backward pass). Null: the graph allocates its own.
struct SharedGraphBuffers
{
    Tensor *values = nullptr; // F32: every value but the input (ModelGraph::valueFloats)
    Tensor *codes = nullptr; // S8: the INT8 input codes of a training pass (ModelGraph::codeBytes)
    Tensor *gradients = nullptr; // F32 (ModelGraph::gradientFloats)
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
    void reserve(int rows, bool training) { reserve(rows, training ? rows : 0); }
    // Activations for passes of up to `rows` examples, and the training buffers for up to
    // `trainingRows` (0: evaluation only), in `shared` buffers where given (at least the sizes
    // below). A graph never shrinks its buffers; one given shared buffers sizes them once.
    void reserve(int rows, int trainingRows, const SharedGraphBuffers &shared = {});
    // What the buffers of reserve() hold: the floats of every value but the input over `rows`
    // examples, and over `trainingRows` the bytes of the INT8 input codes and the floats of the
    // gradients.
    size_t valueFloats(int rows) const;
    size_t codeBytes(int trainingRows) const;
    size_t gradientFloats(int trainingRows) const;
    // Training also keeps dL/d(input) (backward(..., toInput = true) writes it): call before reserve().
    void keepInputGradient() { m_inputGradient = true; }
    // dL/d(input) of the last backward(..., toInput = true), [rows x input features].
    const float *inputGradient() const;
    int capacity() const { return m_rows; }
    int trainingCapacity() const { return m_trainingRows; }
    // The graph's input, [capacity x input features]: the caller uploads a batch here.
    Tensor &input() { return m_input; }
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
    struct BackwardPass
    {
        // An input-gradient pass only (FF's pass to a unit's input).
        static BackwardPass toInputOnly()
        {
            BackwardPass pass;
            pass.toInput = true;
            pass.weightGradients = false;
            return pass;
        }
        std::vector<double> *blockGradNorms = nullptr;
        bool toInput = false; // also dL/d(input) (keepInputGradient() first)
        bool weightGradients = true; // false: input gradients only (LayerBackward::weightGradients)
        // Called before the backward pass of each layer with parameters, with its index and
        // dL/d(its output), `values` floats: BP-UI8 chooses the layer's gradient clip here.
        std::function<void(size_t layer, const float *gradOutput, size_t values)> beforeLayer;
    };
    void backward(int rows, LayerContext &ctx, const BackwardPass &pass);
    void backward(int rows, LayerContext &ctx, std::vector<double> *blockGradNorms = nullptr)
    {
        BackwardPass pass;
        pass.blockGradNorms = blockGradNorms;
        backward(rows, ctx, pass);
    }
    void update(const OptimizerStep &step, LayerContext &ctx);
    // The same with layer i's learning rate multiplied by lrScales[i] (one per layer).
    void update(const OptimizerStep &step, LayerContext &ctx, const std::vector<float> &lrScales);

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
    // Where each storage's gradient starts in the gradient buffers for `rows` examples (-1: none),
    // then where the residual sum starts, then the total: all in floats.
    std::vector<ptrdiff_t> gradientLayout(int rows) const;

    Backend &m_backend;
    GraphPlan m_plan;
    std::vector<std::unique_ptr<Layer>> m_layers;
    std::vector<int> m_storage; // per value: the index of its buffer in m_values / m_gradients
    // Features of each storage.
    std::vector<int> storageFeatures() const;

    Tensor m_input; // F32 [rows x input features]: storage 0
    Tensor m_ownValues, m_ownCodes, m_ownGradients; // where no shared buffers were given
    const Tensor *m_valueBuffer = nullptr; // the buffer holding storages 1.. (downloads read it)
    std::vector<float *> m_values; // F32 [rows x features] per storage
    std::vector<size_t> m_valueOffsets; // per storage: its first float in *m_valueBuffer (storage 0: none)
    std::vector<float *> m_gradients; // F32 [training rows x features] per storage (null for the input)
    std::vector<int8_t *> m_codes; // per layer that needs its input's INT8 codes (training), else null
    std::vector<Tensor> m_scales;
    float *m_sum = nullptr; // a second gradient of a value read twice (a residual fork), before it is added
    int m_rows = 0;
    int m_trainingRows = 0;
    bool m_inputGradient = false;
};

} // namespace ffint8
