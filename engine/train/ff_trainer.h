// Forward-Forward training (Hinton) with the look-ahead loss of FF-INT8, in FP32 or INT8.
#pragma once

#include "engine/core/counter_rng.h"
#include "engine/nn/linear_layer.h"
#include "engine/train/trainer.h"

#include <vector>

namespace ffint8 {

// The options of every layer an FF trainer with this configuration builds.
LayerOptions ffLayerOptions(const TrainConfig &config);
// Values in the one weight-gradient buffer an FF trainer shares between its layers: the largest
// block of `gradientBlockRows` output rows (or whole layer) of any layer (LinearLayer::update).
size_t ffGradientBufferValues(const TrainConfig &config);

class FfTrainer final : public Trainer
{
public:
    FfTrainer(const TrainConfig &config, Backend &backend);

    const TrainConfig &config() const override { return m_config; }
    Backend &backend() override { return m_backend; }
    void beginEpoch(int epoch) override;
    StepStats trainStep(const Dataset &data, const int *indices, int count) override;
    // The same step with the wrong labels of the negative examples given (tests, replays).
    StepStats trainStep(const Dataset &data, const int *indices, int count, const uint8_t *negativeLabels);
    // The mlp preset's blocks of config.layers: "fc1", "fc2", ... (FF has no head).
    std::vector<std::string> unitNames() const override;
    bool predict(const Dataset &data, const int *indices, int count, uint8_t *predictions,
                 const std::atomic<bool> *cancel) override;
    std::vector<QuantiserInfo> quantisers() const override;
    std::vector<LayerParameters> parameters() override;
    void setParameters(const std::vector<LayerParameters> &parameters) override;

    float lambda() const { return m_lambda; }

private:
    // Per-layer buffers kept from the forward pass to the update.
    struct LayerState
    {
        Tensor normalised; // F32 rows x in: the layer's length-normalised input
        Tensor norms;      // F32 rows
        Tensor quantised;  // S8 rows x in (INT8 only)
        Tensor inputScale; // F32 1 (INT8 only)
        Tensor output;     // F32 rows x out: ReLU output
        Tensor goodness;   // F32 rows
        Tensor loss;       // F32 rows
        Tensor gradOwn;    // F32 rows x out: dL_i/dy_i
    };

    int layerCount() const { return int(m_layers.size()); }
    // Writes the label-embedded copies of images into m_hostInput: row r gets image rowImage[r]
    // with label rowLabel[r].
    void embed(const Dataset &data, const std::vector<int> &rowImage, const std::vector<int> &rowLabel);
    // Goodness summed over the prediction layers for every (image, label) pair: 10 rows per image.
    // False when `cancel` (when given) stopped it between two chunks.
    bool goodnessForAllLabels(const Dataset &data, const int *indices, int count, std::vector<float> &goodness,
                              const std::atomic<bool> *cancel = nullptr);
    void chooseNegativeLabels(const Dataset &data, const int *indices, int count, std::vector<uint8_t> &labels);

    TrainConfig m_config;
    Backend &m_backend;
    std::vector<LinearLayer> m_layers;
    std::vector<LayerState> m_states;
    LayerWorkspace m_workspace;
    LayerGradient m_gradient; // one for all layers: each is updated as soon as its gradient exists
    Tensor m_input;         // F32 2B x features: embedded positive then negative examples
    Tensor m_later;         // F32 2B x max width: gradient of later layers' losses w.r.t. a layer's output
    Tensor m_gradUpdate;    // F32 2B x max width
    Tensor m_gradPropagate; // F32 2B x max width
    Tensor m_gradInput;     // F32 2B x max width
    std::vector<float> m_hostInput;
    std::vector<float> m_hostGoodness, m_hostLoss;
    SplitMix64 m_labelRng;
    uint64_t m_quantSeed;
    uint64_t m_counter = 0;
    int m_step = 0;
    float m_lambda = 0.0f;
    int m_maxWidth = 0;
};

} // namespace ffint8
