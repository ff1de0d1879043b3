// Several training runs in one process taking turns epoch by epoch (A1 B1 A2 B2 ...), so that a
// machine whose speed drifts (other tenants, thermal throttling, a Jetson's DVFS) slows each method
// alike and their time ratios stay meaningful over long runs.
#pragma once

#include "engine/train/training_run.h"

#include <vector>

namespace ffint8 {

// Runs every run on the calling thread, one epoch at a time in turn, until all have ended
// (completed, diverged, cancelled or failed); returns their summaries in order. One thread, not
// one per run: with more OpenMP thread pools than cores, libgomp stops spinning between parallel
// regions and every region then waits for its threads to wake (measured 3.5x slower here).
std::vector<RunSummary> trainInTurn(const std::vector<TrainingRun *> &runs);

} // namespace ffint8
