// `ffint8 queue list|remove`: a shared store's work queue from the command line (what is queued, who
// trains what, what ended how), and taking back a run no board has claimed yet.
#include "app/cli/argument_reader.h"
#include "app/cli/commands.h"
#include "app/cli/store_command_arguments.h"
#include "app/session/run_events.h"
#include "app/store/run_store.h"
#include "app/store/work_queue.h"

#include <QJsonObject>
#include <QTextStream>

namespace ffint8 {

namespace {

const char *kQueueUsage = "usage: ffint8 queue list [--suite NAME] [--json] [--db PATH]\n"
                          "       ffint8 queue remove ID [--db PATH]\n";

struct QueueOptions : StoreCommandArguments
{
    QString suite;
};

QueueOptions parseQueueOptions(const QStringList &args)
{
    QueueOptions o;
    ArgumentReader reader(args);
    while (reader.next()) {
        const QString &arg = reader.current();
        if (o.read(reader))
            continue;
        if (arg == "--suite") {
            o.suite = reader.value();
        } else {
            throw SpecError(QStringLiteral("unknown flag %1; valid flags: --db, --suite, --json").arg(arg));
        }
    }
    if (o.action != "list" && o.action != "remove")
        throw SpecError(QStringLiteral("'%1' is not one of list, remove").arg(o.action));
    const int needed = o.action == "list" ? 0 : 1;
    if (o.positional.size() != needed)
        throw SpecError(QStringLiteral("queue %1 takes %2 argument(s), got %3").arg(o.action).arg(needed).arg(o.positional.size()));
    return o;
}

} // namespace

int queueCommand(const QStringList &args)
{
    QTextStream out(stdout), err(stderr);
    QueueOptions o;
    try {
        o = parseQueueOptions(args);
    } catch (const SpecError &e) {
        err << "ffint8 queue: " << e.what() << "\n" << kQueueUsage;
        return ExitUsage;
    }
    try {
        RunStore store(o.database);
        WorkQueue queue(store);
        if (o.action == "remove") {
            bool ok = false;
            const qint64 id = o.positional[0].toLongLong(&ok);
            if (!ok || !queue.removeQueued(id)) {
                err << "ffint8 queue: " << o.positional[0] << " is not a queued run of " << store.displayName()
                    << " that no board has claimed (see ffint8 queue list)\n";
                return ExitError;
            }
            out << "removed queued run " << id << "\n";
            return ExitOk;
        }
        const QList<QueuedRun> items = queue.items(o.suite);
        for (const QueuedRun &r : items) {
            if (o.json) {
                printEvent(QJsonObject{{"id", r.id}, {"suite", r.suite}, {"name", r.name}, {"state", r.state},
                                       {"requires_backend", r.requiredBackend}, {"worker", r.worker}, {"run_id", r.runId},
                                       {"attempts", r.attempts}, {"message", r.message}});
            } else {
                out << QStringLiteral("%1  %2  %3  %4  %5  %6\n")
                           .arg(r.id, 5)
                           .arg(r.state, -8)
                           .arg(r.worker.isEmpty() ? QStringLiteral("-") : r.worker, -20)
                           .arg(r.runId > 0 ? QStringLiteral("run %1").arg(r.runId) : QStringLiteral("-"), -10)
                           .arg(r.suite.isEmpty() ? QStringLiteral("-") : r.suite, r.name);
            }
        }
        if (!o.json) {
            const QueueCounts c = queue.counts(o.suite);
            out << QStringLiteral("%1 queued, %2 claimed, %3 done, %4 failed\n").arg(c.queued).arg(c.claimed).arg(c.done).arg(c.failed);
        }
        return ExitOk;
    } catch (const std::exception &e) {
        err << "ffint8 queue: " << e.what() << "\n";
        return ExitError;
    }
}

} // namespace ffint8
