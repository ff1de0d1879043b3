// A trainer: one algorithm (FF or BP, FP32 or INT8) over a network, independent of the backend.
#pragma once

#include "engine/backend/backend.h"
#include "engine/data/dataset.h"
#include "engine/train/metrics.h"
#include "engine/train/train_config.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ffint8 {

struct LayerParameters
{
    int in = 0;
    int out = 0;
    std::vector<float> weights; // out x in, row-major
    std::vector<float> bias;    // out
};

class Trainer
{
public:
    virtual ~Trainer() = default;

    virtual const TrainConfig &config() const = 0;
    virtual Backend &backend() = 0;
    // Called before the first batch of every epoch (0-based).
    virtual void beginEpoch(int epoch) = 0;
    // One optimisation step on the examples `indices[0..count)` of `data`.
    virtual StepStats trainStep(const Dataset &data, const int *indices, int count) = 0;
    // One name per entry of StepStats::layers, in that order: the units whose figures the store and
    // the live view keep by name (an MLP's "fc1", "fc2", ..., plus "head" where the trainer reports
    // one; a graph's block names). Known before the first step; the training loop refuses a step
    // whose figures do not match them in number.
    virtual std::vector<std::string> unitNames() const = 0;
    // Predicted class of each of the examples `indices[0..count)`. `cancel`, when given, is polled
    // between chunks (of the batch or the evaluation batch): false when it stopped the prediction
    // early, with the predictions after that chunk left as they were.
    virtual bool predict(const Dataset &data, const int *indices, int count, uint8_t *predictions,
                         const std::atomic<bool> *cancel) = 0;
    virtual std::vector<QuantiserInfo> quantisers() const = 0;
    virtual std::vector<LayerParameters> parameters() = 0;
    virtual void setParameters(const std::vector<LayerParameters> &parameters) = 0;

    // The learning rate of the coming steps as a factor of config().lr: the training loop sets it
    // before every step from TrainConfig::lrSchedule; it stays 1 for a driver that never sets it.
    virtual void setLearningRateFactor(float factor) { m_learningRateFactor = factor; }
    float learningRateFactor() const { return m_learningRateFactor; }

private:
    float m_learningRateFactor = 1.0f;
};

class LinearLayer;

// What an INT8 trainer records when its optimizer state is BF16 (TrainConfig::optimizerState).
inline QuantiserInfo bf16StateInfo() { return {"optimizer_state", "bf16", "per-element", "stochastic", ""}; }

// The parameters of a stack of layers, and setting them back with every shape checked.
std::vector<LayerParameters> parametersOf(std::vector<LinearLayer> &layers);
void assignParameters(std::vector<LinearLayer> &layers, const std::vector<LayerParameters> &parameters);

// Builds the trainer for config.algorithm on `backend` (which must outlive it).
std::unique_ptr<Trainer> createTrainer(const TrainConfig &config, Backend &backend);

} // namespace ffint8
