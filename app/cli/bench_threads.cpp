// The thread-count benchmark: the spec's run for one epoch at threads 0 (automatic) and at each
// fixed count, taking turns so that a change in the machine's speed reaches every setting alike.
#include "app/cli/bench_threads.h"

#include "app/cli/bench_epochs.h"
#include "app/session/run_events.h"
#include "app/system/busy_processes.h"
#include "engine/backend/core_availability.h"

#include <QJsonArray>
#include <QJsonObject>
#include <algorithm>
#include <map>

namespace ffint8 {

namespace {

QString settingName(int threads)
{
    return threads == 0 ? QStringLiteral("auto") : QString::number(threads);
}

} // namespace

void benchThreads(const ExperimentSpec &spec, int busy, bool json, QTextStream &out)
{
    ExperimentSpec baseSpec = spec;
    baseSpec.config.epochs = 1;
    baseSpec.config.testLimit = 0;
    const TrainConfig &base = baseSpec.config;
    const std::shared_ptr<const DatasetSplits> data = benchData(base);

    const int cores = CoreAvailability().cores();
    std::vector<int> settings{0};
    for (int t = 1; t <= cores; ++t)
        settings.push_back(t);
    QList<ExperimentSpec> specs;
    for (int r = 0; r < kBenchEpochRepeats; ++r) {
        for (int threads : settings) {
            specs << baseSpec;
            specs.last().config.threads = threads;
        }
    }
    std::map<int, std::vector<double>> seconds;
    {
        BusyProcesses load(busy);
        const std::vector<RunSummary> summaries = trainBenchRuns(specs, data, [&](int i) {
            return "epoch at threads " + settingName(specs[i].config.threads).toStdString();
        });
        for (size_t i = 0; i < summaries.size(); ++i)
            seconds[specs[qsizetype(i)].config.threads].push_back(summaries[i].trainSeconds);
    }

    int best = 1;
    for (int t = 1; t <= cores; ++t)
        if (medianOf(seconds[t]) < medianOf(seconds[best]))
            best = t;
    const double ratio = medianOf(seconds[0]) / medianOf(seconds[best]);
    if (!json)
        out << QStringLiteral(
                   "one %1 epoch (%2 examples, batch %3) on %4 cores, %5 of them kept busy by other processes\n")
                   .arg(algorithmName(base.algorithm))
                   .arg(data->train.count)
                   .arg(base.batch)
                   .arg(cores)
                   .arg(busy)
            << QStringLiteral("%1 %2 %3\n").arg("threads", -8).arg("median s", 9).arg("runs (s)", 40);
    for (int threads : settings) {
        QStringList runs;
        for (double v : seconds[threads])
            runs << QString::number(v, 'f', 3);
        if (json)
            printEvent(QJsonObject{{"event", "threads_bench"},
                                   {"threads", settingName(threads)},
                                   {"busy", busy},
                                   {"seconds", medianOf(seconds[threads])},
                                   {"runs", QJsonArray::fromStringList(runs)}});
        else
            out << QStringLiteral("%1 %2 %3\n")
                       .arg(settingName(threads), -8)
                       .arg(medianOf(seconds[threads]), 9, 'f', 3)
                       .arg(runs.join(" "), 40);
    }
    if (json)
        printEvent(
            QJsonObject{{"event", "threads_ratio"}, {"busy", busy}, {"best_fixed", best}, {"auto_over_best", ratio}});
    else
        out << QStringLiteral("auto / best fixed (%1 threads): %2\n").arg(best).arg(ratio, 0, 'f', 3) << Qt::flush;
}

} // namespace ffint8
