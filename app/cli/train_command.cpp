// `ffint8 train`: one run on this machine, recorded in the run store, reported as text or JSON events.
#include "app/cli/command_line.h"
#include "app/cli/commands.h"
#include "app/cli/session_output.h"
#include "app/spec/spec_error.h"
#include "app/store/run_store.h"

#include <QTextStream>

namespace ffint8 {

SessionOptions sessionOptionsOf(const TrainInvocation &inv)
{
    SessionOptions options;
    options.spec = inv.spec;
    // --db, else the spec's "store", else the default store.
    const QString chosen = !inv.databasePath.isEmpty() ? inv.databasePath : inv.spec.store;
    options.databasePath = inv.storeRun ? (chosen.isEmpty() ? RunStore::defaultPath() : chosen) : QString();
    options.tags = inv.tags;
    options.telemetry = inv.telemetry.isEmpty() ? inv.spec.telemetrySource : inv.telemetry;
    options.tegrastatsProgram = inv.tegrastatsProgram;
    options.telemetryIntervalMs = inv.telemetryIntervalMs > 0 ? inv.telemetryIntervalMs : inv.spec.telemetryIntervalMs;
    options.replaySpeed = inv.replaySpeed;
    options.savePath = inv.savePath;
    return options;
}

int trainCommand(const QStringList &args)
{
    TrainInvocation inv;
    try {
        inv = parseTrainArguments(args, ExtraFlags{true, false, true, true});
    } catch (const SpecError &e) {
        QTextStream(stderr) << "ffint8 train: " << e.what() << "\n";
        return ExitUsage;
    }
    RunSession session(sessionOptionsOf(inv));
    printSessionOutput(session, inv.json, QStringLiteral("train"));
    stopOnInterrupt(&session);
    const RunSummary summary = session.runHere();
    stopOnInterrupt(nullptr);
    return exitCodeOf(session, summary);
}

} // namespace ffint8
