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

void GraphTrainer::checkData(const Dataset &data) const
{
    const TrainConfig &c = config();
    const Shape shape = Shape::image(data.channels, data.height, data.width);
    if (!(shape == c.inputShape))
        throw EngineError("model \"" + c.model + "\" was built for " + c.inputShape.text() + " examples, but dataset "
                          + data.name + " holds " + shape.text());
    if (data.numClasses > c.classes)
        throw EngineError("model \"" + c.model + "\" has " + std::to_string(c.classes) + " classes, but dataset "
                          + data.name + " has " + std::to_string(data.numClasses));
}

void GraphTrainer::setParameters(const std::vector<LayerParameters> &parameters)
{
    (void)parameters;
    throw EngineError("model \"" + config().model
                      + "\": LayerParameters describe MLP layers (model files version 1); a graph's state goes in "
                        "with importState() (loadGraphModel)");
}

} // namespace ffint8
