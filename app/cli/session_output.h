// What `ffint8 train` and `ffint8 run` print while a session trains: JSON events (--json) or one
// line per epoch, and the exit code a session's outcome maps to.
#pragma once

#include "app/cli/command_line.h"
#include "app/session/run_session.h"

namespace ffint8 {

// Prints the session's progress to stdout (problems to stderr) for as long as it lives.
void printSessionOutput(RunSession &session, bool json, const QString &command);
// The session settings of a train-like invocation (spec, store, telemetry, save path, tags).
SessionOptions sessionOptionsOf(const TrainInvocation &invocation);
int exitCodeOf(const RunSession &session, const RunSummary &summary);

// The session that Ctrl-C, SIGTERM and SIGHUP stop while it runs (nullptr: none); a signal handler
// only sets flags.
void stopOnInterrupt(RunSession *session);

} // namespace ffint8
