// `ffint8 runs list|show|tag|note|delete`: the run store from the command line.
#include "app/cli/argument_reader.h"
#include "app/cli/commands.h"
#include "app/session/run_events.h"
#include "app/spec/spec_error.h"
#include "app/store/run_store.h"
#include "app/store/store_error.h"

#include <QJsonArray>
#include <QTextStream>

namespace ffint8 {

namespace {

const char *kRunsUsage = "usage: ffint8 runs list [--status S] [--algo A] [--dataset D] [--tag T] [--json] [--db PATH]\n"
                         "       ffint8 runs show ID [--json] [--db PATH]\n"
                         "       ffint8 runs tag ID TAG | note ID TEXT | delete ID [--db PATH]\n";

struct RunsOptions
{
    QString action;
    QStringList positional;
    QString database = RunStore::defaultPath();
    bool json = false;
    QString status, algorithm, dataset, tag;
};

RunsOptions parseRunsOptions(const QStringList &args)
{
    RunsOptions o;
    ArgumentReader reader(args);
    while (reader.next()) {
        const QString &arg = reader.current();
        if (!reader.isFlag()) {
            if (o.action.isEmpty())
                o.action = arg;
            else
                o.positional << arg;
        } else if (arg == "--db") {
            o.database = reader.value();
        } else if (arg == "--json") {
            o.json = true;
        } else if (arg == "--status") {
            o.status = reader.value();
        } else if (arg == "--algo") {
            o.algorithm = reader.value();
        } else if (arg == "--dataset") {
            o.dataset = reader.value();
        } else if (arg == "--tag") {
            o.tag = reader.value();
        } else {
            throw SpecError(QStringLiteral("unknown flag %1; valid flags: --db, --json, --status, --algo, --dataset, --tag").arg(arg));
        }
    }
    const QStringList actions{"list", "show", "tag", "note", "delete"};
    if (!actions.contains(o.action))
        throw SpecError(QStringLiteral("'%1' is not one of %2").arg(o.action, actions.join(", ")));
    const int needed = o.action == "list" ? 0 : (o.action == "show" || o.action == "delete") ? 1 : 2;
    if (o.positional.size() != needed)
        throw SpecError(QStringLiteral("runs %1 takes %2 argument(s), got %3").arg(o.action).arg(needed).arg(o.positional.size()));
    return o;
}

qint64 runIdOf(const QString &text)
{
    bool ok = false;
    const qint64 id = text.toLongLong(&ok);
    if (!ok || id <= 0)
        throw SpecError(QStringLiteral("'%1' is not a run id (a positive integer, see ffint8 runs list)").arg(text));
    return id;
}

QJsonObject runObject(RunStore &store, const RunRecord &r)
{
    return QJsonObject{{"id", r.id},          {"name", r.name},           {"status", r.status},
                       {"algo", r.algorithm}, {"dataset", r.dataset},     {"backend", r.backend},
                       {"started_at", r.startedAt}, {"ended_at", r.endedAt}, {"message", r.message},
                       {"epochs", store.epochCount(r.id)}, {"tags", QJsonArray::fromStringList(store.tags(r.id))}};
}

} // namespace

int runsCommand(const QStringList &args)
{
    QTextStream out(stdout), err(stderr);
    RunsOptions o;
    try {
        o = parseRunsOptions(args);
    } catch (const SpecError &e) {
        err << "ffint8 runs: " << e.what() << "\n" << kRunsUsage;
        return ExitUsage;
    }
    try {
        RunStore store(o.database);
        if (o.action == "list") {
            for (const RunRecord &r : store.runs()) {
                if ((!o.status.isEmpty() && r.status != o.status) || (!o.algorithm.isEmpty() && r.algorithm != o.algorithm) ||
                    (!o.dataset.isEmpty() && r.dataset != o.dataset) || (!o.tag.isEmpty() && !store.tags(r.id).contains(o.tag)))
                    continue;
                if (o.json)
                    printEvent(runObject(store, r));
                else
                    out << QStringLiteral("%1  %2  %3  %4  %5  %6\n").arg(r.id, 5).arg(r.status, -11).arg(r.algorithm, -8)
                               .arg(r.dataset, -14).arg(r.startedAt, -24).arg(r.name);
            }
            return ExitOk;
        }
        const qint64 id = runIdOf(o.positional[0]);
        const std::optional<RunRecord> run = store.run(id);
        if (!run) {
            err << "ffint8 runs: there is no run " << id << " in " << o.database << "\n";
            return ExitError;
        }
        if (o.action == "show") {
            QJsonObject object = runObject(store, *run);
            object["notes"] = QJsonArray::fromStringList(store.notes(id));
            object["spec"] = run->specJson;
            if (o.json) {
                printEvent(object);
            } else {
                for (auto it = object.begin(); it != object.end(); ++it)
                    out << it.key() << ": " << (it->isArray() ? it->toVariant().toStringList().join(", ") : it->toVariant().toString()) << "\n";
            }
        } else if (o.action == "tag") {
            store.addTag(id, o.positional[1]);
        } else if (o.action == "note") {
            store.addNote(id, o.positional[1]);
        } else {
            store.deleteRun(id);
            out << "deleted run " << id << "\n";
        }
        return ExitOk;
    } catch (const std::exception &e) {
        err << "ffint8 runs: " << e.what() << "\n";
        return ExitError;
    }
}

} // namespace ffint8
