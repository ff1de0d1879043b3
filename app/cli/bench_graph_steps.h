// The step part of `ffint8 bench` for model graphs: training steps of every method that trains a
// graph, taking turns, each split by the ops it ran (GEMMs, convolution ops, batch norm,
// quantisation, optimizer, other ops) and the host work between them, with the engine's peak memory.
#pragma once

#include "app/spec/experiment_spec.h"

#include <QTextStream>

namespace ffint8 {

// Prints a table (or JSON events with `json`) to `out`; throws EngineError when a step fails.
void benchGraphSteps(const ExperimentSpec &spec, bool json, QTextStream &out);

} // namespace ffint8
