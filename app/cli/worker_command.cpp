// `ffint8 worker`: trains the runs of a shared store's work queue on this board (QueueWorker).
#include "app/cli/argument_reader.h"
#include "app/cli/commands.h"
#include "app/cli/session_output.h"
#include "app/session/queue_worker.h"
#include "app/store/run_store.h"

#include <QTextStream>

#include <cmath>

namespace ffint8 {

namespace {

const char *kWorkerUsage =
    "usage: ffint8 worker --db postgresql://USER@HOST:PORT/DBNAME [--board NAME] [--max-runs N] [--exit-when-empty]\n"
    "                     [--backends cpu,cuda] [--heartbeat S] [--stale-after S] [--poll S]\n"
    "                     [--telemetry SOURCE] [--telemetry-interval MS] [--tegrastats PATH] [--replay-speed X] [--json]\n";

double positiveSeconds(const QString &flag, const QString &text)
{
    return positiveNumber(flag, text, QStringLiteral("number of seconds"));
}

WorkerOptions parseWorkerOptions(const QStringList &args, bool *json)
{
    WorkerOptions o;
    TrainInvocation inv;
    ArgumentReader reader(args);
    while (reader.next()) {
        const QString &arg = reader.current();
        if (!reader.isFlag())
            throw SpecError(QStringLiteral("unexpected argument '%1'").arg(arg));
        if (arg == "--db") {
            o.database = reader.value();
        } else if (arg == "--board") {
            o.board = reader.value();
            if (o.board.trimmed().isEmpty())
                throw SpecError(QStringLiteral("--board: the board's name is empty"));
        } else if (arg == "--max-runs") {
            o.maxRuns = positiveInteger(arg, reader.value(), QStringLiteral("number"));
        } else if (arg == "--exit-when-empty") {
            o.exitWhenEmpty = true;
        } else if (arg == "--backends") {
            o.backends = reader.value().split(',', Qt::SkipEmptyParts);
        } else if (arg == "--heartbeat") {
            o.heartbeatSeconds = positiveSeconds(arg, reader.value());
        } else if (arg == "--stale-after") {
            o.staleAfterSeconds = positiveSeconds(arg, reader.value());
        } else if (arg == "--poll") {
            o.pollSeconds = positiveSeconds(arg, reader.value());
        } else if (readTelemetryFlag(reader, inv)) {
            continue;
        } else if (arg == "--json") {
            *json = true;
        } else {
            throw SpecError(QStringLiteral("unknown flag %1; valid flags: --db, --board, --max-runs, --exit-when-empty, --backends, "
                                           "--heartbeat, --stale-after, --poll, --telemetry, --telemetry-interval, --tegrastats, --replay-speed, --json")
                                .arg(arg));
        }
    }
    if (o.database.isEmpty())
        throw SpecError(QStringLiteral("--db names the store whose queue this worker takes runs from"));
    if (o.staleAfterSeconds <= 2 * o.heartbeatSeconds)
        throw SpecError(QStringLiteral("--stale-after (%1 s) must be more than twice --heartbeat (%2 s), or live workers are taken for dead")
                            .arg(o.staleAfterSeconds).arg(o.heartbeatSeconds));
    o.session = sessionOptionsOf(inv);
    return o;
}

} // namespace

int workerCommand(const QStringList &args)
{
    QTextStream out(stdout), err(stderr);
    WorkerOptions options;
    bool json = false;
    try {
        options = parseWorkerOptions(args, &json);
    } catch (const SpecError &e) {
        err << "ffint8 worker: " << e.what() << "\n" << kWorkerUsage;
        return ExitUsage;
    }
    QueueWorker worker(
        options,
        [&](const QString &line) {
            // Lines come from the heartbeat's thread too: each written whole.
            QTextStream(stderr) << "ffint8 worker: " << line << "\n";
        },
        [&](RunSession *session) {
            if (session)
                printSessionOutput(*session, json, QStringLiteral("worker"));
            stopOnInterrupt(session);
        });
    try {
        const int trained = worker.run();
        out << "worker " << worker.workerId() << ": " << trained << " run(s) trained\n";
        return ExitOk;
    } catch (const std::exception &e) {
        err << "ffint8 worker: " << e.what() << "\n";
        return ExitError;
    }
}

} // namespace ffint8
