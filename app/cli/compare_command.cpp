// `ffint8 compare`: several algorithms on one model and dataset in one process, each a run like
// `ffint8 train`'s (RunGroup: prepared, measured and recorded alike, under one suite), reported as
// the paper's Table V columns (accuracy, time, energy, memory) with ratios to a baseline method.
#include "app/cli/command_line.h"
#include "app/cli/commands.h"
#include "app/cli/session_output.h"
#include "app/session/run_events.h"
#include "app/session/run_group.h"
#include "app/spec/method_spec.h"
#include "app/spec/spec_error.h"

#include <QDateTime>
#include <QTextStream>

#include <cmath>
#include <optional>

namespace ffint8 {

namespace {

struct CompareOptions
{
    QList<Algorithm> algorithms{Algorithm::BpFp32, Algorithm::BpInt8, Algorithm::BpUi8, Algorithm::FfFp32,
                                Algorithm::FfInt8};
    std::optional<float> bpLearningRate; // --bp-lr; unset: as specForMethod gives it
    Algorithm baseline = Algorithm::BpFp32;
    bool interleave = false; // the methods take turns epoch by epoch instead of one after another
};

// One method's line of the table: what its run recorded.
struct Row
{
    Algorithm algorithm;
    qint64 runId = 0; // 0: not stored
    RunSummary summary;
    RunResult result; // energy NaN and peak RSS 0 where not measured (no power source; runs in turn)
};

// Takes the compare-only flags out of args, leaving the train flags.
CompareOptions takeCompareFlags(QStringList &args)
{
    CompareOptions o;
    for (int i = 0; i < args.size();) {
        const QString flag = args[i].section('=', 0, 0);
        if (args[i] == "--interleave") {
            o.interleave = true;
            args.removeAt(i);
            continue;
        }
        if (flag != "--algos" && flag != "--bp-lr" && flag != "--baseline") {
            ++i;
            continue;
        }
        QString value = args[i].contains('=') ? args[i].section('=', 1) : args.value(i + 1);
        const int used = args[i].contains('=') ? 1 : 2;
        if (used == 2 && i + 1 >= args.size())
            throw SpecError(QStringLiteral("flag %1 needs a value").arg(flag));
        auto algorithmOf = [&](const QString &name) {
            Algorithm a;
            if (!algorithmFromName(name.trimmed().toStdString(), a))
                throw SpecError(QStringLiteral("%1: '%2' is not one of ff-fp32, ff-int8, bp-fp32, bp-int8, bp-ui8").arg(flag, name));
            return a;
        };
        if (flag == "--algos") {
            o.algorithms.clear();
            for (const QString &name : value.split(',', Qt::SkipEmptyParts))
                o.algorithms << algorithmOf(name);
        } else if (flag == "--baseline") {
            o.baseline = algorithmOf(value);
        } else {
            bool ok = false;
            o.bpLearningRate = value.toFloat(&ok);
            if (!ok || !(*o.bpLearningRate > 0) || !std::isfinite(*o.bpLearningRate))
                throw SpecError(QStringLiteral("--bp-lr: '%1' is not a positive number").arg(value));
        }
        args.remove(i, used);
    }
    return o;
}

// Every method's run: the spec as that method trains it, recorded under one suite.
QList<SessionOptions> runsOf(const TrainInvocation &inv, const CompareOptions &options, const QString &suite)
{
    QList<SessionOptions> runs;
    for (Algorithm algorithm : options.algorithms) {
        TrainInvocation method = inv;
        method.spec = specForMethod(inv.spec, algorithm);
        if (options.bpLearningRate && !isForwardForward(algorithm)) {
            method.spec.config.lr = *options.bpLearningRate;
            method.spec.learningRateGiven = true;
        }
        const QString name = QString::fromLatin1(algorithmName(algorithm));
        method.spec.name = inv.spec.name.isEmpty() || inv.spec.name == "default" ? name : inv.spec.name + ' ' + name;
        try {
            method.spec.config.validate();
        } catch (const std::exception &e) {
            throw SpecError(QStringLiteral("--algos: %1: %2").arg(name, QString::fromUtf8(e.what())));
        }
        SessionOptions session = sessionOptionsOf(method);
        session.suite = suite;
        runs << session;
    }
    return runs;
}

QString ratio(double value, double base) { return base > 0 ? QString::number(value / base, 'f', 2) : QStringLiteral("-"); }

QJsonValue orNull(double value) { return std::isnan(value) ? QJsonValue(QJsonValue::Null) : QJsonValue(value); }

void printRows(const QList<Row> &rows, const Row *baseline, bool interleaved)
{
    for (const Row &r : rows) {
        QJsonObject o{{"event", "compare_row"},
                      {"algo", algorithmName(r.algorithm)},
                      {"status", runStatusName(r.summary.status)},
                      {"test_acc", r.summary.testAccuracy},
                      {"seconds_train", r.summary.trainSeconds},
                      {"energy_j", orNull(r.result.energyJoules)},
                      {"peak_engine_bytes", r.result.peakEngineBytes},
                      {"peak_rss_bytes", r.result.peakRssBytes > 0 ? QJsonValue(r.result.peakRssBytes) : QJsonValue(QJsonValue::Null)},
                      {"interleaved", interleaved}};
        if (r.runId)
            o["run_id"] = r.runId;
        if (baseline) {
            o["time_ratio"] = r.summary.trainSeconds / baseline->summary.trainSeconds;
            o["engine_memory_ratio"] = double(r.result.peakEngineBytes) / double(baseline->result.peakEngineBytes);
            if (r.result.peakRssBytes > 0 && baseline->result.peakRssBytes > 0)
                o["rss_ratio"] = double(r.result.peakRssBytes) / double(baseline->result.peakRssBytes);
        }
        printEvent(o);
    }
}

void printTable(QTextStream &out, const QList<Row> &rows, const Row *baseline, const TrainInvocation &inv,
                const CompareOptions &options)
{
    const TrainConfig &base = inv.spec.config;
    out << "\n" << QString::fromStdString(base.dataset) << ", ";
    if (base.graphModel()) {
        out << "model " << QString::fromStdString(base.model);
    } else {
        out << "layers ";
        for (size_t i = 0; i < base.layers.size(); ++i)
            out << (i ? "-" : "") << base.layers[i];
    }
    out << ", batch " << base.batch << ", " << base.epochs << " epochs\n";
    out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9\n")
               .arg("method", -9).arg("status", -10).arg("acc %", 7).arg("time s", 9).arg("energy J", 9)
               .arg("engine MiB", 11).arg("RSS MiB", 9).arg("time x", 7).arg("engine mem x", 13);
    for (const Row &r : rows) {
        const RunSummary &s = r.summary;
        const RunResult &result = r.result;
        out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9\n")
                   .arg(algorithmName(r.algorithm), -9)
                   .arg(runStatusName(s.status), -10)
                   .arg(s.testAccuracy * 100.0, 7, 'f', 2)
                   .arg(s.trainSeconds, 9, 'f', 2)
                   .arg(!std::isnan(result.energyJoules) ? QString::number(result.energyJoules, 'f', 1) : QStringLiteral("-"), 9)
                   .arg(result.peakEngineBytes / 1048576.0, 11, 'f', 2)
                   .arg(result.peakRssBytes > 0 ? QString::number(result.peakRssBytes / 1048576.0, 'f', 1) : QStringLiteral("-"), 9)
                   .arg(baseline ? ratio(s.trainSeconds, baseline->summary.trainSeconds) : "-", 7)
                   .arg(baseline ? ratio(double(result.peakEngineBytes), double(baseline->result.peakEngineBytes)) : "-", 13);
    }
    if (baseline)
        out << "ratios are to " << algorithmName(options.baseline) << "\n";
    if (options.interleave)
        out << "the methods trained in turn, one epoch each; their peak RSS is not measured apart (they share the process)\n";
}

} // namespace

int compareCommand(const QStringList &arguments)
{
    QTextStream err(stderr), out(stdout);
    QStringList args = arguments;
    CompareOptions options;
    TrainInvocation inv;
    QList<SessionOptions> runs;
    // One suite per comparison, so that the browser, `ffint8 runs list --suite` and `ffint8 export
    // --suite` show its runs together; to the millisecond, so that comparisons started together
    // (a script's) stay apart.
    const QString suite = QStringLiteral("compare %1").arg(QDateTime::currentDateTime().toString("yyyy-MM-dd HH:mm:ss.zzz"));
    try {
        options = takeCompareFlags(args);
        inv = parseTrainArguments(args, ExtraFlags{false, false, true, true});
        runs = runsOf(inv, options, suite);
    } catch (const SpecError &e) {
        err << "ffint8 compare: " << e.what() << "\n";
        return ExitUsage;
    }
    RunGroup group(runs, options.interleave ? RunGroup::Order::InTurn : RunGroup::Order::OneAfterAnother);
    for (int i = 0; i < group.size(); ++i)
        printSessionOutput(group.session(i), inv.json, QStringLiteral("compare"), algorithmName(options.algorithms[i]));
    if (!inv.json && options.interleave)
        out << "training " << group.size() << " methods in turn, one epoch each (" << inv.spec.config.epochs << " epochs)...\n"
            << Qt::flush;
    stopGroupOnInterrupt(&group);
    const std::vector<RunSummary> summaries = group.run();
    stopGroupOnInterrupt(nullptr);

    QList<Row> rows;
    QStringList runIds;
    int exitCode = ExitOk;
    for (size_t i = 0; i < summaries.size(); ++i) {
        const RunSession &session = group.session(int(i));
        rows.append({options.algorithms[qsizetype(i)], session.runId(), summaries[i], session.result()});
        if (session.runId())
            runIds << QString::number(session.runId());
        // A method that diverged is a result of the comparison; one that could not run is not.
        const int code = session.failedOnUsage() ? int(ExitUsage)
                       : summaries[i].status == RunStatus::Failed ? int(ExitError)
                       : summaries[i].status == RunStatus::Cancelled ? int(ExitCancelled)
                                                                     : int(ExitOk);
        exitCode = exitCode == ExitOk ? code : exitCode;
    }
    const Row *baseline = nullptr;
    for (const Row &r : rows)
        if (r.algorithm == options.baseline)
            baseline = &r;
    if (inv.json) {
        printRows(rows, baseline, options.interleave);
        return exitCode;
    }
    printTable(out, rows, baseline, inv, options);
    if (!runIds.isEmpty())
        out << "recorded as runs " << runIds.join(", ") << " of suite \"" << suite << "\" (ffint8 runs list --suite \""
            << suite << "\")\n";
    return exitCode;
}

} // namespace ffint8
