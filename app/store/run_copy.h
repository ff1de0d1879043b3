// Copying runs from one store into another (`ffint8 runs push`: a board that trained offline into
// the lab's shared store). A run is known by its UUID, so copying twice copies once.
#pragma once

#include "app/store/run_store.h"

namespace ffint8 {

enum class CopyOutcome {
    Copied,      // the target did not have it
    Updated,     // the target had an older state of it (it was copied while still running): replaced
    AlreadyThere // the target has it as it is here
};

// Copies run `runId` of `from` with everything recorded with it (settings, units, tags, notes,
// epochs, progress, power samples, results) into `to`, in one transaction of `to`: the target gets
// all of it or none. Returns what it did and, in `targetId`, the run's id in `to`.
CopyOutcome copyRun(RunStore &from, qint64 runId, RunStore &to, qint64 *targetId = nullptr);

} // namespace ffint8
