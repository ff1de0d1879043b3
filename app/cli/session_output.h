// What `ffint8 train`, `run` and `compare` print while a session trains: JSON events (--json) or one
// line per epoch, and the exit code a session's outcome maps to.
#pragma once

#include "app/cli/command_line.h"
#include "app/session/run_group.h"
#include "app/session/run_session.h"

namespace ffint8 {

// Prints the session's progress to stdout (problems to stderr) for as long as it lives. `label`
// (a comparison's method) starts its text lines, so that runs in turn can be told apart.
void printSessionOutput(RunSession &session, bool json, const QString &command, const QString &label = {});
// The session settings of a train-like invocation (spec, store, telemetry, save path, tags).
SessionOptions sessionOptionsOf(const TrainInvocation &invocation);
int exitCodeOf(const RunSession &session, const RunSummary &summary);

// The session, or the group of them, that Ctrl-C, SIGTERM and SIGHUP stop while it runs (nullptr:
// none); a signal handler only sets flags.
void stopOnInterrupt(RunSession *session);
void stopGroupOnInterrupt(RunGroup *group);

} // namespace ffint8
