// Every value a trainer learned, by name, for tests that compare two trainings or two steps.
#pragma once

#include "engine/train/graph_trainer.h"
#include "engine/train/trainer.h"

#include <string>
#include <utility>
#include <vector>

namespace ffint8::testing {

using LearnedValues = std::vector<std::pair<std::string, std::vector<float>>>;

// A graph trainer's named state, or an MLP's layers as "fc1.weight", "fc1.bias", ...; batch norm's
// running statistics left out unless `withRunningStatistics` (they follow the data, not the rate).
inline LearnedValues learnedValues(Trainer &trainer, bool withRunningStatistics = true)
{
    LearnedValues values;
    if (auto *graph = dynamic_cast<GraphTrainer *>(&trainer)) {
        for (const NamedValues &v : graph->exportState())
            if (withRunningStatistics || v.name.find("running_") == std::string::npos)
                values.push_back({v.name, v.values});
        return values;
    }
    int layer = 0;
    for (const LayerParameters &p : trainer.parameters()) {
        ++layer;
        values.push_back({"fc" + std::to_string(layer) + ".weight", p.weights});
        values.push_back({"fc" + std::to_string(layer) + ".bias", p.bias});
    }
    return values;
}

} // namespace ffint8::testing
