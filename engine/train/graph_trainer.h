// What the trainers of model graphs (BP and FF) share beyond Trainer: the model they were built
// from and its state by name, which model files version 2 store and evaluation loads.
#pragma once

#include "engine/nn/layer.h"
#include "engine/nn/model_spec.h"
#include "engine/train/trainer.h"

#include <vector>

namespace ffint8 {

// The model a graph configuration trains: the one described, or its preset, with `layers` as
// the mlp preset's widths.
inline ModelSpec modelSpecOf(const TrainConfig &config)
{
    return config.customModel ? *config.customModel : modelPreset(config.model, config.layers);
}

class GraphTrainer : public Trainer
{
public:
    // The model of config.model as given (an FF trainer's units and a BP trainer's head are
    // derived from it and the configuration again).
    virtual ModelSpec modelSpec() const = 0;
    // Every layer's tensors as "block.layer.tensor".
    virtual std::vector<NamedValues> exportState() = 0;
    // EngineError naming the tensor when one is missing, unknown or of another size.
    virtual void importState(const std::vector<NamedValues> &state) = 0;

    // LayerParameters describe MLP layers (model files version 1): EngineError naming the model
    // and what a graph uses instead (exportState/importState, model files version 2).
    std::vector<LayerParameters> parameters() final;
    void setParameters(const std::vector<LayerParameters> &parameters) final;

protected:
    // EngineError naming the model and the dataset when the data's examples are not of
    // config().inputShape or it has more classes than the model.
    void checkData(const Dataset &data) const;
};

} // namespace ffint8
