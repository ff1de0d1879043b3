// `ffint8 bench --busy N`: epochs at the automatic thread count against every fixed count, with N
// cores kept busy by processes the benchmark starts and stops itself.
#pragma once

#include "app/spec/experiment_spec.h"

#include <QTextStream>

namespace ffint8 {

// Prints a table (or JSON events with `json`); throws EngineError when a run fails and
// std::runtime_error when the busy processes cannot be started.
void benchThreads(const ExperimentSpec &spec, int busy, bool json, QTextStream &out);

} // namespace ffint8
