// What graph trainers refuse alike: the MLP trainers' parameter lists.
#include "engine/train/graph_trainer.h"

#include "engine/core/error.h"

namespace ffint8 {

std::vector<LayerParameters> GraphTrainer::parameters()
{
    throw EngineError("model \"" + config().model
                      + "\": LayerParameters describe MLP layers (model files version 1); a graph is saved as "
                        "version 2 from exportState() (saveGraphModel)");
}

void GraphTrainer::setParameters(const std::vector<LayerParameters> &parameters)
{
    (void)parameters;
    throw EngineError("model \"" + config().model
                      + "\": LayerParameters describe MLP layers (model files version 1); a graph's state goes in "
                        "with importState() (loadGraphModel)");
}

} // namespace ffint8
