// The spec of one method of a comparison.
#include "app/spec/method_spec.h"

namespace ffint8 {

ExperimentSpec specForMethod(const ExperimentSpec &spec, Algorithm algorithm)
{
    ExperimentSpec method = spec;
    method.config.algorithm = algorithm;
    if (defaultLearningRate(algorithm) != defaultLearningRate(spec.config.algorithm))
        method.learningRateGiven = false;
    settleLearningRate(method);
    return method;
}

} // namespace ffint8
