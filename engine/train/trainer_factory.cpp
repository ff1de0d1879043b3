// Which trainer implements which algorithm, and what all trainers share.
#include "engine/core/error.h"
#include "engine/nn/linear_layer.h"
#include "engine/train/bp_trainer.h"
#include "engine/train/ff_trainer.h"
#include "engine/train/graph_bp_trainer.h"
#include "engine/train/graph_ff_trainer.h"
#include "engine/train/trainer.h"

namespace ffint8 {

std::vector<LayerParameters> parametersOf(std::vector<LinearLayer> &layers)
{
    std::vector<LayerParameters> result;
    for (auto &layer : layers)
        result.push_back({layer.in(), layer.out(), layer.weightsToHost(), layer.biasToHost()});
    return result;
}

void assignParameters(std::vector<LinearLayer> &layers, const std::vector<LayerParameters> &parameters)
{
    if (parameters.size() != layers.size())
        throw EngineError("model has " + std::to_string(parameters.size()) + " layers, the trainer " +
                          std::to_string(layers.size()));
    for (size_t i = 0; i < layers.size(); ++i) {
        if (parameters[i].in != layers[i].in() || parameters[i].out != layers[i].out())
            throw EngineError("layer " + std::to_string(i) + " is " + std::to_string(parameters[i].in) + " -> " +
                              std::to_string(parameters[i].out) + " in the model but " +
                              std::to_string(layers[i].in()) + " -> " + std::to_string(layers[i].out()) +
                              " in the trainer");
        layers[i].setParameters(parameters[i].weights, parameters[i].bias);
    }
}

std::unique_ptr<Trainer> createTrainer(const TrainConfig &config, Backend &backend)
{
    // A model graph goes to the graph trainers, which refuse what they cannot train by name.
    if (config.graphModel() && isForwardForward(config.algorithm))
        return std::make_unique<GraphFfTrainer>(config, backend);
    if (config.graphModel())
        return std::make_unique<GraphBpTrainer>(config, backend);
    switch (config.algorithm) {
    case Algorithm::FfFp32:
    case Algorithm::FfInt8: return std::make_unique<FfTrainer>(config, backend);
    case Algorithm::BpFp32:
    case Algorithm::BpInt8:
    case Algorithm::BpUi8: return std::make_unique<BpTrainer>(config, backend);
    }
    return nullptr;
}

} // namespace ffint8
