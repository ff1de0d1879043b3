// Backpropagation on model graphs (TrainConfig::model): the graph with a linear head to the class
// count and softmax cross-entropy, in FP32 (bp-fp32) or INT8 (bp-int8: the graph layers' Fig. 4
// scheme with per-tensor weights and round to nearest; bp-ui8: the same with stochastic rounding,
// each quantised gradient's clip searched for the least direction deviation and its layer's
// learning rate scaled down by that deviation, as BpTrainer does for the MLP). FF is GraphFfTrainer's.
#pragma once

#include "engine/nn/layer_scratch.h"
#include "engine/nn/model_graph.h"
#include "engine/train/graph_trainer.h"

#include <memory>
#include <vector>

namespace ffint8 {

class GraphBpTrainer final : public GraphTrainer
{
public:
    // The graph of config.model for config.inputShape and config.classes, with buffers for
    // batches of config.batch (prediction runs in batches of the same size).
    GraphBpTrainer(const TrainConfig &config, Backend &backend);

    const TrainConfig &config() const override { return m_config; }
    Backend &backend() override { return m_backend; }
    void beginEpoch(int epoch) override { (void)epoch; }
    // Per-block statistics: the norm of dL/d(block output); the loss on the head's block; for INT8,
    // the mean direction deviation of the block's quantised output gradients.
    StepStats trainStep(const Dataset &data, const int *indices, int count) override;
    std::vector<std::string> unitNames() const override { return m_graph->blockNames(); }
    bool predict(const Dataset &data, const int *indices, int count, uint8_t *predictions,
                 const std::atomic<bool> *cancel) override;
    std::vector<QuantiserInfo> quantisers() const override;

    ModelSpec modelSpec() const override { return modelSpecOf(m_config); }
    std::vector<NamedValues> exportState() override { return m_graph->exportState(); }
    void importState(const std::vector<NamedValues> &state) override { m_graph->importState(state); }

    ModelGraph &graph() { return *m_graph; }
    // Forward and backward of one batch, the gradients left in the layers and no update (tests
    // read them with ModelGraph::gradientsToHost). Returns the mean loss.
    StepStats computeGradients(const Dataset &data, const int *indices, int count);

private:
    // The examples into the graph's input; EngineError when the data's shape is not the model's.
    void upload(const Dataset &data, const int *indices, int count);
    LayerContext context(bool training) { return {m_scratch, m_quantSeed, m_counter, training}; }
    struct GradientDeviations
    {
        explicit GradientDeviations(size_t blocks) : sum(blocks, 0.0), layers(blocks, 0) {}
        std::vector<double> sum; // per block
        std::vector<int> layers;
    };
    // Before layer `layer`'s backward pass (INT8 only): its output gradient's direction deviation,
    // and for bp-ui8 its clip and learning-rate scale (m_lrScales).
    void quantiseGradientOf(size_t layer, const float *gradOutput, size_t values, GradientDeviations &deviations);

    TrainConfig m_config;
    Backend &m_backend;
    LayerScratch m_scratch;
    std::unique_ptr<ModelGraph> m_graph;
    Tensor m_labels; // S32 rows
    Tensor m_loss; // F32 rows
    std::vector<float> m_hostInput;
    std::vector<int32_t> m_hostLabels;
    uint64_t m_quantSeed;
    uint64_t m_counter = 0;
    int m_step = 0;
    std::vector<float> m_lrScales; // per layer: bp-ui8's deviation-counteractive scales of the last step
};

} // namespace ffint8
