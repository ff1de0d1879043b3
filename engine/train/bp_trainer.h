// Backpropagation baselines on the same layers and backends as FF: BP-FP32, BP-INT8 (all three
// GEMMs in INT8, per-tensor, round to nearest) and BP-UI8 (INT8 with stochastic rounding,
// direction-sensitive gradient clipping and deviation-counteractive learning rates).
#pragma once

#include "engine/nn/linear_layer.h"
#include "engine/train/trainer.h"

#include <vector>

namespace ffint8 {

// The options of a layer a BP trainer with this configuration builds (`head`: the classifier).
LayerOptions bpLayerOptions(const TrainConfig &config, bool head);

class BpTrainer final : public Trainer
{
public:
    // The network is config.layers (input, hidden ReLU layers) plus a linear head of 10 classes.
    BpTrainer(const TrainConfig &config, Backend &backend);

    const TrainConfig &config() const override { return m_config; }
    Backend &backend() override { return m_backend; }
    void beginEpoch(int epoch) override { (void)epoch; }
    StepStats trainStep(const Dataset &data, const int *indices, int count) override;
    // The blocks of the mlp preset's graph with its head: "fc1", "fc2", ..., "head", as
    // GraphBpTrainer names the same network trained as a graph.
    std::vector<std::string> unitNames() const override;
    bool predict(const Dataset &data, const int *indices, int count, uint8_t *predictions,
                 const std::atomic<bool> *cancel) override;
    std::vector<QuantiserInfo> quantisers() const override;
    std::vector<LayerParameters> parameters() override;
    void setParameters(const std::vector<LayerParameters> &parameters) override;

    // The weight gradients of one batch without applying them (tests compare them across
    // precisions and against finite differences). Each is FP32, out x in, then the bias.
    std::vector<std::vector<float>> gradients(const Dataset &data, const int *indices, int count);

    // BP-UI8's clipping search: the candidate clipping value with the least direction deviation of
    // x's quantisation, and that deviation.
    struct Clip
    {
        float value = 0.0f;
        float deviation = 0.0f;
    };
    static Clip searchClip(Backend &backend, const float *x, size_t count, int candidates);

private:
    struct LayerState
    {
        Tensor input;      // F32 rows x in (layer 0's input; later layers read the previous output)
        Tensor quantised;  // S8 rows x in (INT8 only)
        Tensor inputScale; // F32 1 (INT8 only)
        Tensor output;     // F32 rows x out
        LayerGradient gradient;
    };

    // Forward and backward of one batch, leaving every layer's gradient in its LayerGradient;
    // returns the batch loss and the per-layer statistics.
    StepStats computeGradients(const Dataset &data, const int *indices, int count, std::vector<float> &lrScales);
    void forward(const Dataset &data, const int *indices, int count);
    const float *layerInput(size_t layer) const;
    int layerCount() const { return int(m_layers.size()); }

    TrainConfig m_config;
    Backend &m_backend;
    std::vector<LinearLayer> m_layers;
    std::vector<LayerState> m_states;
    LayerWorkspace m_workspace;
    Tensor m_labels;       // S32 rows
    Tensor m_loss;         // F32 rows
    Tensor m_gradients[2]; // F32 rows x max width: output gradients, ping-pong down the layers
    std::vector<float> m_hostInput;
    std::vector<int32_t> m_hostLabels;
    uint64_t m_quantSeed;
    uint64_t m_counter = 0;
    int m_step = 0;
    int m_maxWidth = 0;
};

} // namespace ffint8
