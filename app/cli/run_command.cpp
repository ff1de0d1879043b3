// `ffint8 run SPEC|SUITE`: every run of an experiment or a suite, one after the other, each recorded
// in the run store under the suite's name, then the suite's table; with --queue, the runs are put
// in the store's work queue for the boards' workers instead (`ffint8 worker`).
#include "app/cli/argument_reader.h"
#include "app/cli/commands.h"
#include "app/cli/session_output.h"
#include "app/export/result_table.h"
#include "app/spec/settings_table.h"
#include "app/spec/spec_error.h"
#include "app/spec/suite.h"
#include "app/store/run_store.h"
#include "app/store/work_queue.h"

#include <QJsonDocument>

#include <QTextStream>

namespace ffint8 {

namespace {

const char *kRunUsage = "usage: ffint8 run SPEC.json|SUITE.json|--preset NAME [--db PATH] [--json] [--tag TAG]...\n"
                        "                  [--telemetry SOURCE] [--telemetry-interval MS] [--tegrastats PATH] [--replay-speed X]\n"
                        "                  [--dry-run] [--queue] [run setting flags, applied to every run]\n";

struct RunOptions
{
    QString path;
    TrainInvocation invocation; // store, telemetry and output settings shared by every run
    QList<QPair<const Setting *, QString>> overrides;
    bool dryRun = false;
    bool queue = false;
};

RunOptions parseRunOptions(const QStringList &args)
{
    RunOptions o;
    TrainInvocation &inv = o.invocation;
    ArgumentReader reader(args);
    while (reader.next()) {
        const QString &arg = reader.current();
        if (!reader.isFlag()) {
            if (!o.path.isEmpty())
                throw SpecError(QStringLiteral("unexpected argument '%1' (%2 was already given)").arg(arg, o.path));
            o.path = arg;
        } else if (arg == "--preset") {
            const QString name = reader.value();
            o.path = builtInExperiment(name);
            if (o.path.isEmpty())
                throw SpecError(QStringLiteral("unknown preset '%1'").arg(name));
        } else if (arg == "--db") {
            inv.databasePath = reader.value();
        } else if (arg == "--json") {
            inv.json = true;
        } else if (arg == "--tag") {
            inv.tags << reader.value();
        } else if (arg == "--dry-run") {
            o.dryRun = true;
        } else if (arg == "--queue") {
            o.queue = true;
        } else if (readTelemetryFlag(reader, inv)) {
            continue;
        } else if (const Setting *s = settingByFlag(arg)) {
            o.overrides.append({s, reader.value()});
        } else {
            throw SpecError(QStringLiteral("unknown flag %1").arg(arg));
        }
    }
    if (o.path.isEmpty())
        throw SpecError("name an experiment spec or a suite");
    return o;
}

// Where the suite's runs are recorded: --db, else the runs' "store" (a suite's or its base spec's),
// else the default store.
QString storeOfSuite(const RunOptions &o, const Suite &suite)
{
    TrainInvocation first = o.invocation;
    if (!suite.runs.isEmpty())
        first.spec = suite.runs.first();
    return sessionOptionsOf(first).databasePath;
}

} // namespace

int runCommand(const QStringList &args)
{
    QTextStream out(stdout), err(stderr);
    RunOptions o;
    Suite suite;
    try {
        o = parseRunOptions(args);
        suite = parseSuiteFile(o.path);
        for (ExperimentSpec &spec : suite.runs) {
            for (const auto &[setting, text] : o.overrides) {
                try {
                    applySetting(spec, *setting, text);
                } catch (const SpecError &e) {
                    throw SpecError(QStringLiteral("%1: %2").arg(setting->flag, QString::fromUtf8(e.what())));
                }
            }
            try {
                spec.config.validate();
            } catch (const std::exception &e) {
                throw SpecError(QStringLiteral("run '%1': %2").arg(spec.name, QString::fromUtf8(e.what())));
            }
        }
    } catch (const SpecError &e) {
        err << "ffint8 run: " << e.what() << "\n" << kRunUsage;
        return ExitUsage;
    }
    if (o.dryRun) {
        out << "suite " << suite.name << ": " << suite.runs.size() << " runs\n";
        for (const ExperimentSpec &spec : suite.runs)
            out << "  " << spec.name << "  (" << algorithmName(spec.config.algorithm) << ", " << spec.config.epochs
                << " epochs, seed " << spec.config.seed << ")\n";
        return ExitOk;
    }

    if (o.queue) {
        // Each run needs the backend its spec names; any board that has it may take it.
        const QString database = storeOfSuite(o, suite);
        try {
            RunStore store(database);
            WorkQueue queue(store);
            QList<qint64> ids;
            store.transaction(QStringLiteral("cannot queue the runs of %1").arg(suite.name), [&] {
                ids.clear();
                for (const ExperimentSpec &spec : suite.runs)
                    ids << queue.enqueue(suite.name, spec.name,
                                         QString::fromUtf8(QJsonDocument(specToJson(spec)).toJson(QJsonDocument::Compact)),
                                         QString::fromStdString(spec.config.backend));
            });
            out << QStringLiteral("queued %1 run(s) of %2 in %3 (queue ids %4-%5); start `ffint8 worker --db %3` on each board\n")
                       .arg(ids.size()).arg(suite.name, store.displayName()).arg(ids.first()).arg(ids.last());
            return ExitOk;
        } catch (const std::exception &e) {
            err << "ffint8 run: " << e.what() << "\n";
            return ExitError;
        }
    }

    QList<qint64> runIds;
    int worst = ExitOk;
    for (qsizetype i = 0; i < suite.runs.size(); ++i) {
        TrainInvocation inv = o.invocation;
        inv.spec = suite.runs[i];
        SessionOptions options = sessionOptionsOf(inv);
        options.suite = suite.runs.size() > 1 ? suite.name : QString();
        if (!inv.json) {
            out << QStringLiteral("== run %1/%2: %3\n").arg(i + 1).arg(suite.runs.size()).arg(inv.spec.name);
            out.flush();
        }
        RunSession session(options);
        printSessionOutput(session, inv.json, QStringLiteral("run"));
        stopOnInterrupt(&session);
        const RunSummary summary = session.runHere();
        stopOnInterrupt(nullptr);
        if (session.runId())
            runIds << session.runId();
        const int code = exitCodeOf(session, summary);
        worst = worst == ExitOk ? code : worst;
        if (code == ExitCancelled) // Ctrl-C stops the suite, not only its current run
            break;
    }
    if (!o.invocation.json && runIds.size() > 1) {
        try {
            RunStore store(storeOfSuite(o, suite));
            out << "\n" << exportTable(store, runIds, TableOptions{TableLayout::Long, TableFormat::Markdown, QStringLiteral("bp-fp32")});
        } catch (const std::exception &e) {
            err << "ffint8 run: the suite's table: " << e.what() << "\n";
        }
    }
    return worst;
}

} // namespace ffint8
