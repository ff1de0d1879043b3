// `ffint8 compare`: several algorithms on one model and dataset in one process, reported as the
// paper's Table V columns (accuracy, time, energy, memory) with ratios to a baseline method.
#include "app/cli/command_line.h"
#include "app/cli/commands.h"
#include "app/session/epoch_turns.h"
#include "app/session/prepared_run.h"
#include "app/session/run_events.h"
#include "app/spec/settings_table.h"
#include "app/spec/spec_error.h"
#include "app/system/process_memory.h"
#include "app/telemetry/telemetry_recorder.h"
#include "engine/train/training_run.h"

#include <QFile>
#include <QTextStream>

namespace ffint8 {

namespace {

struct CompareOptions
{
    QList<Algorithm> algorithms{Algorithm::BpFp32, Algorithm::BpInt8, Algorithm::BpUi8, Algorithm::FfFp32,
                                Algorithm::FfInt8};
    float bpLearningRate = kBpDefaultLearningRate;
    Algorithm baseline = Algorithm::BpFp32;
    bool interleave = false; // the methods take turns epoch by epoch instead of one after another
};

struct Row
{
    Algorithm algorithm;
    RunSummary summary;
    uint64_t peakRss = 0;       // 0: not measured apart (interleaved methods share the process)
    double energyJoules = -1.0; // over the epochs' training spans, like the time column; -1: not measured
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
            if (!ok || o.bpLearningRate <= 0)
                throw SpecError(QStringLiteral("--bp-lr: '%1' is not a positive number").arg(value));
        }
        args.remove(i, used);
    }
    return o;
}

// The kernel's peak-RSS mark, reset so that each method's own peak is measured (Linux >= 4.0).
void resetPeakRss()
{
    QFile f(QStringLiteral("/proc/self/clear_refs"));
    if (f.open(QIODevice::WriteOnly))
        f.write("5");
}

QString ratio(double value, double base) { return base > 0 ? QString::number(value / base, 'f', 2) : QStringLiteral("-"); }

} // namespace

int compareCommand(const QStringList &arguments)
{
    QTextStream err(stderr), out(stdout);
    QStringList args = arguments;
    CompareOptions options;
    TrainInvocation inv;
    try {
        options = takeCompareFlags(args);
        inv = parseTrainArguments(args, ExtraFlags{false, false, true});
    } catch (const SpecError &e) {
        err << "ffint8 compare: " << e.what() << "\n";
        return ExitUsage;
    }
    try {
        const TrainConfig &base = inv.spec.config;
        const TelemetryChoice telemetryChoice = chooseTelemetry(inv.telemetry.isEmpty() ? inv.spec.telemetrySource : inv.telemetry, inv.tegrastatsProgram,
                                                                inv.telemetryIntervalMs > 0 ? inv.telemetryIntervalMs : inv.spec.telemetryIntervalMs,
                                                                QStringLiteral("/sys"), inv.replaySpeed);
        DatasetSplits data = loadRunData(base);
        TelemetryRecorder telemetry(telemetryChoice);
        // One trainer per method, each with its own backend and memory account.
        struct Method
        {
            TrainConfig config;
            PreparedRun prepared;
            double energy = -1.0;
            std::unique_ptr<TrainingRun> run;
        };
        std::vector<std::unique_ptr<Method>> methods;
        for (Algorithm algo : options.algorithms) {
            auto m = std::make_unique<Method>();
            m->config = base;
            m->config.algorithm = algo;
            // FF methods keep a learning rate that was given, else FF's own; BP takes --bp-lr's.
            if (!isForwardForward(algo))
                m->config.lr = options.bpLearningRate;
            else if (!inv.spec.learningRateGiven)
                m->config.lr = defaultLearningRate(algo);
            m->energy = telemetry.active() ? 0.0 : -1.0;
            methods.push_back(std::move(m));
        }
        // Each epoch's event, and its energy added to the method's.
        auto callbacksOf = [&](size_t i) {
            RunCallbacks callbacks;
            callbacks.onEpoch = [&, i](const EpochMetrics &e) {
                Method &m = *methods[i];
                QJsonObject event = epochEvent(e);
                addEnergy(event, telemetry, e.monotonicStart, e.monotonicEnd);
                if (event.contains("energy_j") && m.energy >= 0.0)
                    m.energy += event["energy_j"].toDouble();
                event["algo"] = algorithmName(m.config.algorithm);
                if (inv.json)
                    printEvent(event);
            };
            return callbacks;
        };

        QList<Row> rows;
        if (options.interleave) {
            // All trainers live at once, so the process's peak RSS is theirs together: not reported apart.
            std::vector<TrainingRun *> runs;
            for (size_t i = 0; i < methods.size(); ++i) {
                Method &m = *methods[i];
                m.prepared = prepareRun(m.config, data);
                m.run = std::make_unique<TrainingRun>(*m.prepared.trainer, data, callbacksOf(i));
                runs.push_back(m.run.get());
            }
            if (!inv.json)
                out << "training " << methods.size() << " methods in turn, one epoch each (" << base.epochs << " epochs)...\n"
                    << Qt::flush;
            const std::vector<RunSummary> summaries = trainInTurn(runs);
            for (size_t i = 0; i < methods.size(); ++i) {
                rows.append({methods[i]->config.algorithm, summaries[i], 0, methods[i]->energy});
                if (inv.json)
                    printEvent(summaryEvent(methods[i]->config, summaries[i]));
            }
        } else {
            for (size_t i = 0; i < methods.size(); ++i) {
                Method &m = *methods[i];
                if (!inv.json)
                    out << "training " << algorithmName(m.config.algorithm) << " (" << m.config.epochs << " epochs, lr "
                        << m.config.lr << ")...\n" << Qt::flush;
                resetPeakRss();
                m.prepared = prepareRun(m.config, data);
                RunSummary summary = TrainingRun(*m.prepared.trainer, data, callbacksOf(i)).run();
                rows.append({m.config.algorithm, summary, readProcessMemory().peakRssBytes, m.energy});
                if (inv.json)
                    printEvent(summaryEvent(m.config, summary));
                // Freed before the next method, whose peak RSS is its own: the trainer first, as it
                // gives its tensors back to its backend.
                m.prepared.trainer.reset();
                m.prepared.backend.reset();
            }
        }
        const Row *baseline = nullptr;
        for (const Row &r : rows)
            if (r.algorithm == options.baseline)
                baseline = &r;
        if (inv.json) {
            for (const Row &r : rows) {
                QJsonObject o{{"event", "compare_row"},
                              {"algo", algorithmName(r.algorithm)},
                              {"status", runStatusName(r.summary.status)},
                              {"test_acc", r.summary.testAccuracy},
                              {"seconds_train", r.summary.trainSeconds},
                              {"energy_j", r.energyJoules >= 0 ? QJsonValue(r.energyJoules) : QJsonValue(QJsonValue::Null)},
                              {"peak_engine_bytes", qint64(r.summary.memory.peakTotal)},
                              {"peak_rss_bytes", r.peakRss > 0 ? QJsonValue(qint64(r.peakRss)) : QJsonValue(QJsonValue::Null)},
                              {"interleaved", options.interleave}};
                if (baseline) {
                    o["time_ratio"] = r.summary.trainSeconds / baseline->summary.trainSeconds;
                    o["engine_memory_ratio"] = double(r.summary.memory.peakTotal) / double(baseline->summary.memory.peakTotal);
                    if (r.peakRss > 0 && baseline->peakRss > 0)
                        o["rss_ratio"] = double(r.peakRss) / double(baseline->peakRss);
                }
                printEvent(o);
            }
            return ExitOk;
        }
        out << "\n" << QString::fromStdString(data.train.name) << ", layers ";
        for (size_t i = 0; i < base.layers.size(); ++i)
            out << (i ? "-" : "") << base.layers[i];
        out << ", batch " << base.batch << ", " << base.epochs << " epochs; power: " << telemetryChoice.reason << "\n";
        out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9\n")
                   .arg("method", -9).arg("status", -10).arg("acc %", 7).arg("time s", 9).arg("energy J", 9)
                   .arg("engine MiB", 11).arg("RSS MiB", 9).arg("time x", 7).arg("engine mem x", 13);
        for (const Row &r : rows) {
            const RunSummary &s = r.summary;
            out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9\n")
                       .arg(algorithmName(r.algorithm), -9)
                       .arg(runStatusName(s.status), -10)
                       .arg(s.testAccuracy * 100.0, 7, 'f', 2)
                       .arg(s.trainSeconds, 9, 'f', 2)
                       .arg(r.energyJoules >= 0 ? QString::number(r.energyJoules, 'f', 1) : QStringLiteral("-"), 9)
                       .arg(s.memory.peakTotal / 1048576.0, 11, 'f', 2)
                       .arg(r.peakRss > 0 ? QString::number(r.peakRss / 1048576.0, 'f', 1) : QStringLiteral("-"), 9)
                       .arg(baseline ? ratio(s.trainSeconds, baseline->summary.trainSeconds) : "-", 7)
                       .arg(baseline ? ratio(double(s.memory.peakTotal), double(baseline->summary.memory.peakTotal)) : "-", 13);
        }
        if (baseline)
            out << "ratios are to " << algorithmName(options.baseline) << "\n";
        if (options.interleave)
            out << "the methods trained in turn, one epoch each; their peak RSS is not measured apart (they share the process)\n";
        return ExitOk;
    } catch (const SpecError &e) {
        err << "ffint8 compare: " << e.what() << "\n";
        return ExitUsage;
    } catch (const std::exception &e) {
        err << "ffint8 compare: " << e.what() << "\n";
        return ExitError;
    }
}

} // namespace ffint8
