// One experiment trained by several methods (compare, bench): the spec each method trains, with the
// per-method defaults (defaultLearningRate) applied as they are to any spec.
#pragma once

#include "app/spec/experiment_spec.h"

namespace ffint8 {

// `spec` trained by `algorithm`. A learning rate given for the spec's own method carries over to a
// method with the same default (FF to FF, BP to BP); a method with another default takes its own,
// since a rate chosen for one family is far from right for the other (defaultLearningRate says
// how far).
ExperimentSpec specForMethod(const ExperimentSpec &spec, Algorithm algorithm);

} // namespace ffint8
