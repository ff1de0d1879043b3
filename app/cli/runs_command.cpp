// `ffint8 runs list|show|tag|note|delete|push`: the run store from the command line.
#include "app/cli/argument_reader.h"
#include "app/cli/commands.h"
#include "app/cli/store_command_arguments.h"
#include "app/session/run_events.h"
#include "app/spec/json_integer.h"
#include "app/spec/spec_error.h"
#include "app/store/run_copy.h"
#include "app/store/run_store.h"
#include "app/store/store_error.h"
#include "app/store/unit_metrics.h"

#include <QDateTime>
#include <QJsonArray>
#include <QTextStream>

#include <cmath>

namespace ffint8 {

namespace {

const char *kRunsUsage = "usage: ffint8 runs list [--status S] [--algo A] [--dataset D] [--tag T] [--suite S] [--board B]\n"
                         "                        [--since DATE] [--until DATE] [--text WORDS] [--json] [--db PATH]\n"
                         "       ffint8 runs show ID [--json] [--db PATH]\n"
                         "       ffint8 runs tag ID TAG | untag ID TAG | note ID TEXT | rename ID NAME | delete ID [--db PATH]\n"
                         "       ffint8 runs push [ID...] [filters] --to postgresql://USER@HOST:PORT/DBNAME [--db PATH]\n";

struct RunsOptions : StoreCommandArguments
{
    QString target; // push: the store the runs go to
    RunFilter filter;
};

RunsOptions parseRunsOptions(const QStringList &args)
{
    RunsOptions o;
    ArgumentReader reader(args);
    while (reader.next()) {
        const QString &arg = reader.current();
        if (o.read(reader)) {
            continue;
        } else if (arg == "--to") {
            o.target = reader.value();
        } else if (arg == "--status") {
            o.filter.status = reader.value();
        } else if (arg == "--algo") {
            o.filter.algorithm = reader.value();
        } else if (arg == "--dataset") {
            o.filter.dataset = reader.value();
        } else if (arg == "--tag") {
            o.filter.tag = reader.value();
        } else if (arg == "--suite") {
            o.filter.suite = reader.value();
        } else if (arg == "--board") {
            o.filter.board = reader.value();
        } else if (arg == "--text") {
            o.filter.text = reader.value();
        } else if (arg == "--since" || arg == "--until") {
            const QString value = reader.value();
            if (!QDateTime::fromString(value, Qt::ISODate).isValid() && !QDate::fromString(value, Qt::ISODate).isValid())
                throw SpecError(QStringLiteral("%1: '%2' is not a date (2026-11-28) or a date and time (2026-11-28T14:00:00Z)").arg(arg, value));
            (arg == "--since" ? o.filter.since : o.filter.until) = value;
        } else {
            throw SpecError(QStringLiteral("unknown flag %1; valid flags: --db, --to, --json, --status, --algo, --dataset, --tag, "
                                           "--suite, --board, --since, --until, --text").arg(arg));
        }
    }
    const QStringList actions{"list", "show", "tag", "untag", "note", "rename", "delete", "push"};
    if (!actions.contains(o.action))
        throw SpecError(QStringLiteral("'%1' is not one of %2").arg(o.action, actions.join(", ")));
    if (o.action == "push") {
        if (o.target.isEmpty())
            throw SpecError(QStringLiteral("runs push needs --to, the store the runs go to"));
        return o;
    }
    if (!o.target.isEmpty())
        throw SpecError(QStringLiteral("--to is for runs push only"));
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

// `runs push`: the runs named (or, with none named, every run the filters match) into o.target.
int pushRuns(RunStore &store, const RunsOptions &o)
{
    QTextStream out(stdout);
    QList<qint64> ids;
    for (const QString &text : o.positional)
        ids << runIdOf(text);
    if (ids.isEmpty())
        for (const RunRecord &r : store.runs(o.filter))
            ids << r.id;
    RunStore target(o.target);
    int counts[3] = {0, 0, 0};
    for (qint64 id : ids) {
        qint64 targetId = 0;
        const CopyOutcome outcome = copyRun(store, id, target, &targetId);
        ++counts[int(outcome)];
        const char *done = outcome == CopyOutcome::Copied ? "copied" : outcome == CopyOutcome::Updated ? "updated" : "already there";
        out << QStringLiteral("run %1 -> %2 run %3: %4\n").arg(id).arg(target.displayName()).arg(targetId).arg(done);
    }
    out << QStringLiteral("%1 run(s): %2 copied, %3 updated, %4 already there\n")
               .arg(ids.size()).arg(counts[0]).arg(counts[1]).arg(counts[2]);
    return ExitOk;
}

QJsonValue jsonNumber(double v) { return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null); }

QJsonObject runObject(RunStore &store, const RunRecord &r)
{
    return QJsonObject{{"id", r.id},          {"name", r.name},           {"status", r.status},
                       {"algo", r.algorithm}, {"dataset", r.dataset},     {"backend", r.backend},
                       {"started_at", r.startedAt}, {"ended_at", r.endedAt}, {"message", r.message},
                       {"epochs", store.epochCount(r.id)}, {"tags", QJsonArray::fromStringList(store.tags(r.id))},
                       {"suite", r.suite}, {"board", r.board}, {"uuid", r.uuid}, {"seed", jsonOfUnsigned(r.seed)}, {"device", r.device},
                       {"test_acc", jsonNumber(r.testAccuracy)}, {"train_s", jsonNumber(r.trainSeconds)},
                       {"energy_j", jsonNumber(r.energyJoules)}, {"peak_engine_bytes", r.peakEngineBytes},
                       {"peak_rss_bytes", r.peakRssBytes},
                       // null without a target; target_epoch and target_seconds null where it was not reached
                       {"target_acc", jsonNumber(r.targetAccuracy)},
                       {"target_epoch", r.targetEpoch > 0 ? QJsonValue(r.targetEpoch) : QJsonValue(QJsonValue::Null)},
                       {"target_seconds", r.targetEpoch > 0 ? jsonNumber(r.targetSeconds) : QJsonValue(QJsonValue::Null)}};
}

// "85.00 % reached in epoch 3 after 12.34 s training", "85.00 % not reached" or "none".
QString targetLine(const RunRecord &r)
{
    if (!std::isfinite(r.targetAccuracy))
        return QStringLiteral("none");
    const QString target = QString::number(r.targetAccuracy * 100.0, 'f', 2) + " %";
    if (r.targetEpoch <= 0)
        return target + " not reached";
    return QStringLiteral("%1 reached in epoch %2 after %3 s training").arg(target).arg(r.targetEpoch).arg(r.targetSeconds, 0, 'f', 2);
}

// The last stored epoch's figures of every unit, in unit order: [{"unit": name, metric: value...}],
// each unit with the figures it has (separation where it has both goodness figures).
QJsonArray lastEpochUnits(RunStore &store, qint64 runId)
{
    const QStringList units = store.units(runId);
    const std::vector<StoredEpoch> epochs = store.epochs(runId);
    QJsonArray list;
    if (epochs.empty())
        return list;
    const std::vector<LayerMetrics> &last = epochs.back().metrics.layers;
    for (size_t i = 0; i < last.size() && i < size_t(units.size()); ++i) {
        QJsonObject unit{{"unit", units[qsizetype(i)]}};
        for (const QString &metric : unitMetricNames()) {
            const double value = unitMetric(last[i], metric);
            if (!std::isnan(value))
                unit[metric] = value;
        }
        list.append(unit);
    }
    return list;
}

// "fc1: goodness_pos 1.2, goodness_neg 0.3, separation 0.9": one line of `runs show`.
QString unitLine(const QJsonObject &unit)
{
    QStringList figures;
    for (const QString &metric : unitMetricNames())
        if (unit.contains(metric))
            figures << metric + " " + QString::number(unit[metric].toDouble(), 'g', 6);
    return unit["unit"].toString() + ": " + (figures.isEmpty() ? QStringLiteral("no figures") : figures.join(", "));
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
        if (o.action == "push")
            return pushRuns(store, o);
        if (o.action == "list") {
            for (const RunRecord &r : store.runs(o.filter)) {
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
            object["units"] = QJsonArray::fromStringList(store.units(id));
            object["last_epoch_units"] = lastEpochUnits(store, id);
            if (o.json) {
                printEvent(object);
            } else {
                for (auto it = object.begin(); it != object.end(); ++it) {
                    if (it.key() == QLatin1String("last_epoch_units"))
                        continue; // after the rest, one unit a line
                    if (it.key() == QLatin1String("target_acc"))
                        out << "target: " << targetLine(*run) << "\n"; // the three fields in one line
                    if (it.key().startsWith(QLatin1String("target_")))
                        continue;
                    out << it.key() << ": " << (it->isArray() ? it->toVariant().toStringList().join(", ") : it->toVariant().toString()) << "\n";
                }
                const QJsonArray units = object["last_epoch_units"].toArray();
                if (!units.isEmpty())
                    out << "last epoch, per unit:\n";
                for (const QJsonValue &unit : units)
                    out << "  " << unitLine(unit.toObject()) << "\n";
            }
        } else if (o.action == "tag") {
            store.addTag(id, o.positional[1]);
        } else if (o.action == "untag") {
            if (!store.removeTag(id, o.positional[1])) {
                err << "ffint8 runs: run " << id << " has no tag '" << o.positional[1] << "'\n";
                return ExitError;
            }
        } else if (o.action == "rename") {
            store.renameRun(id, o.positional[1]);
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
