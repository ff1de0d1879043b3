// Forward-Forward with look-ahead on model graphs (TrainConfig::model): the model cut into units
// (ff_units.h), each with its own FF loss over the goodness of its output (the mean of squares over
// channels x height x width, so theta keeps its meaning) and its input length-normalised per
// example; the label embedded in the image (label_embedding.h); look-ahead over all later units as
// FfTrainer does for layers; prediction by goodness over all labels, or by a linear head on the
// last unit's detached output for a neutral label (TrainConfig::ffPrediction). With the
// class-groups loss (TrainConfig::ffLoss) a step has no negative rows and no label in the example:
// each unit's channels compete as one group per class, and prediction reads them from one pass. FP32 (ff-fp32) or INT8
// (ff-int8: every layer with weights as Fig. 4 of the paper, with FfTrainer's quantisers). The units
// share one set of gradient buffers; with TrainConfig::ffRecompute they share their activations too,
// each unit's rebuilt from its kept input for its backward pass.
#pragma once

#include "engine/core/counter_rng.h"
#include "engine/nn/layer_scratch.h"
#include "engine/nn/model_graph.h"
#include "engine/train/ff_units.h"
#include "engine/train/graph_trainer.h"

#include <memory>
#include <vector>

namespace ffint8 {

// The units GraphFfTrainer cuts config.model into for examples of config.inputShape with the label
// embedded (config.labelEmbedding; a described model's image input then reads the label's channels
// too). Builds nothing, so a summary plans them as the trainer will. EngineError naming the model
// and both shapes when the data does not fit it, or as ffUnits.
std::vector<FfUnitSpec> plannedFfUnits(const TrainConfig &config);

class GraphFfTrainer final : public GraphTrainer
{
public:
    // The units of config.model for config.inputShape with the label embedded, with buffers for a
    // training step's 2 x config.batch rows and an evaluation chunk's config.evalBatch x classes.
    GraphFfTrainer(const TrainConfig &config, Backend &backend);
    ~GraphFfTrainer() override;

    const TrainConfig &config() const override { return m_config; }
    Backend &backend() override { return m_backend; }
    void beginEpoch(int epoch) override;
    // Per-unit statistics: goodness of positive and negative rows and the unit's own loss; with a
    // head, one more entry ("head") with its loss.
    StepStats trainStep(const Dataset &data, const int *indices, int count) override;
    // The same step with the wrong labels of the negative examples given (tests, replays).
    StepStats trainStep(const Dataset &data, const int *indices, int count, const uint8_t *negativeLabels);
    bool predict(const Dataset &data, const int *indices, int count, uint8_t *predictions,
                 const std::atomic<bool> *cancel) override;
    std::vector<QuantiserInfo> quantisers() const override;

    ModelSpec modelSpec() const override;
    std::vector<NamedValues> exportState() override;
    void importState(const std::vector<NamedValues> &state) override;

    std::vector<std::string> unitNames() const override;
    size_t unitCount() const { return m_units.size(); }
    ModelGraph &unitGraph(size_t i) { return *m_units[i].graph; }
    LabelEmbedding labelEmbedding() const { return m_embedding; }
    float lambda() const { return m_lambda; }

private:
    struct Unit
    {
        std::string name;
        std::unique_ptr<ModelGraph> graph; // its input() holds the length-normalised input
        Tensor norms; // F32 rows: the input's lengths
        Tensor goodness, loss; // F32 rows (goodness: the threshold loss's only)
        Tensor classGoodness; // F32 rows x classes: the class-groups loss's goodness of every class
        int groupChannels = 0; // the channels its output's class groups split (before a flatten)
        int in = 0, out = 0; // features
        uint64_t forwardCounter = 0; // the random stream where its last forward pass began
    };

    // The label-embedded copies of images into m_input: row r gets image rowImage[r] with label
    // rowLabel[r] (negative: the neutral label).
    void embed(const Dataset &data, const std::vector<int> &rowImage, const std::vector<int> &rowLabel);
    // The labels of `count` images into m_labels (the head's and the class-groups loss's targets).
    void uploadLabels(const Dataset &data, const int *indices, int count);
    // The class-groups loss of unit u's output over `rows` rows, against m_labels when `withLabels`.
    FfClassGroupsArgs classGroupsOf(const Unit &u, int rows, bool withLabels) const;
    bool predictByClassGroups(const Dataset &data, const int *indices, int count, uint8_t *predictions,
                              const std::atomic<bool> *cancel);
    // The head's input for `count` images with the neutral label (the units in evaluation mode).
    void headInput(const Dataset &data, const int *indices, int count, LayerContext &unitCtx);
    // One BP step of the head on the batch; returns its mean loss.
    double headStep(const Dataset &data, const int *indices, int count);
    bool predictByHead(const Dataset &data, const int *indices, int count, uint8_t *predictions,
                       const std::atomic<bool> *cancel);
    // Forward through every unit over the `rows` rows of m_input, each unit's goodness (and, when
    // training, its loss and dL/d(output) for the first `positiveRows` rows as positive) computed.
    void forward(int rows, int positiveRows, LayerContext &ctx);
    // The FF loss of unit u's output over `rows` rows, the first `positiveRows` positive (no outputs set).
    FfLossArgs lossOf(const Unit &u, int rows, int positiveRows) const;
    // dL_unit/d(output) of the last training forward() (m_own).
    const float *ownGradient(const Unit &u, int rows, int positiveRows);
    // The units' updates from the last down, with look-ahead when lambda > 0.
    void backwardAndUpdate(int rows, int positiveRows, LayerContext &ctx);
    // Goodness summed over the prediction units for every (image, label) pair: `classes` rows per
    // image. False when `cancel` stopped it between two chunks.
    bool goodnessForAllLabels(const Dataset &data, const int *indices, int count, std::vector<float> &goodness,
                              const std::atomic<bool> *cancel = nullptr);
    void chooseNegativeLabels(const Dataset &data, const int *indices, int count, std::vector<uint8_t> &labels);

    TrainConfig m_config;
    Backend &m_backend;
    LayerScratch m_scratch;
    LabelEmbedding m_embedding = LabelEmbedding::Pixels;
    bool m_classGroups = false; // TrainConfig::ffLoss: no label in the example, no negative rows
    Shape m_embeddedShape;
    std::vector<Unit> m_units;
    std::unique_ptr<ModelGraph> m_head; // FfPrediction::Head: flatten (for an image) and linear
    Tensor m_labels; // S32 rows: the head's and the class-groups loss's targets
    Tensor m_headLoss; // F32 rows
    int m_headStep = 0;
    uint64_t m_headCounter = 0;
    int m_rows = 0; // rows every buffer holds
    Tensor m_input; // F32 rows x embedded features
    Tensor m_unitGradients; // every unit graph's gradient buffers (ModelGraph::reserve)
    Tensor m_unitValues, m_unitCodes; // and with ffRecompute their values but the input, and codes
    Tensor m_own, m_ownGoodness; // F32 training rows x max unit output, and training rows (x classes): ownGradient()
    Tensor m_later; // F32 rows x max unit input: d(later units' losses)/d(a unit's output)
    Tensor m_gradUpdate; // F32 rows x max unit output
    std::vector<float> m_hostInput, m_hostGoodness, m_hostLoss;
    std::vector<int32_t> m_hostLabels; // m_labels' values
    SplitMix64 m_labelRng;
    uint64_t m_quantSeed;
    uint64_t m_counter = 0;
    int m_step = 0;
    int m_predictFrom = 0; // the first unit whose goodness counts in prediction (predictFromLayer resolved)
    float m_lambda = 0.0f;
};

} // namespace ffint8
