// ffint8-store-bench: what recording costs. (1) Ingestion: metric rows per second through the
// writer's batched transactions, against one transaction per report (each report a progress row
// and a row per unit and figure). (2) Overhead: the quick demo
// trained with and without the store, interleaved, in this one process: the training thread's own
// time in store calls, and the end-to-end difference in training time.
#include "app/session/run_session.h"
#include "app/spec/suite.h"
#include "app/store/run_writer.h"

#include <QCoreApplication>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <chrono>

using namespace ffint8;

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Each unit has three figures (FF's goodness of positive and negative data and its loss): three rows.
constexpr int kFiguresPerUnit = 3;

StoredProgress report(qint64 step, int layers)
{
    StoredProgress p;
    p.step = step;
    p.metrics.batch = int(step);
    p.metrics.batchesPerEpoch = 1 << 30;
    p.metrics.trainLoss = 1.0 / double(step);
    p.metrics.samplesPerSecond = 1000.0;
    p.metrics.elapsedSeconds = double(step) * 1e-3;
    for (int l = 0; l < layers; ++l)
        p.metrics.layers.push_back(LayerMetrics{1.0 + l, 2.0 + l, 0.5, NAN, NAN});
    return p;
}

// The fastest of the rounds: the run least disturbed by the rest of the machine.
double fastest(const std::vector<double> &v) { return *std::min_element(v.begin(), v.end()); }

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    QTemporaryDir dir;
    const int reports = argc > 1 ? QString(argv[1]).toInt() : 100000;
    const int layers = argc > 3 ? QString(argv[3]).toInt() : 2; // units per report
    const int rowsPerReport = 1 + layers * kFiguresPerUnit;

    // (1) Ingestion.
    {
        RunWriter writer(dir.filePath("ingest.sqlite"));
        const qint64 id = writer.createRun(RunRecord{}, {}, {});
        const auto start = Clock::now();
        for (int i = 1; i <= reports; ++i)
            writer.addProgress(id, report(i, layers));
        const bool written = writer.flush(600000);
        const double seconds = since(start);
        const double rows = double(reports) * rowsPerReport;
        out << QStringLiteral("ingestion, batched writer: %1 rows (%2 reports x %3 rows) in %4 s = %5 rows/s%6\n")
                   .arg(rows, 0, 'f', 0).arg(reports).arg(rowsPerReport).arg(seconds, 0, 'f', 3).arg(rows / seconds, 0, 'f', 0)
                   .arg(written ? "" : " (NOT all written)");
    }
    {
        RunStore store(dir.filePath("single.sqlite"));
        RunRecord r;
        const qint64 id = store.createRun(r);
        const int n = std::min(reports, 2000);
        const auto start = Clock::now();
        for (int i = 1; i <= n; ++i)
            store.addProgress(id, {report(i, layers)});
        const double seconds = since(start);
        out << QStringLiteral("ingestion, one transaction per report: %1 rows in %2 s = %3 rows/s\n")
                   .arg(n * rowsPerReport).arg(seconds, 0, 'f', 3).arg(n * rowsPerReport / seconds, 0, 'f', 0);
    }
    out.flush();

    // (2) Overhead in the quick demo, stored and not, interleaved.
    ExperimentSpec spec = parseSuiteFile(builtInExperiment("quick")).runs.first();
    const int rounds = argc > 2 ? QString(argv[2]).toInt() : 3;
    {
        // One run first, not counted: the first pays for loading pages and warming caches.
        SessionOptions warmUp;
        warmUp.spec = spec;
        warmUp.telemetry = "none";
        RunSession(warmUp).runHere();
    }
    for (int metricsEvery : {spec.config.metricsEvery, 1}) {
        spec.config.metricsEvery = metricsEvery;
        std::vector<double> stored, plain, direct;
        for (int round = 0; round < rounds; ++round) {
            for (bool withStore : {true, false}) {
                SessionOptions options;
                options.spec = spec;
                options.telemetry = "none";
                options.databasePath = withStore ? dir.filePath("quick.sqlite") : QString();
                RunSession session(options);
                const RunSummary summary = session.runHere();
                if (summary.status != RunStatus::Completed) {
                    out << "the quick demo did not complete: " << QString::fromStdString(summary.message) << "\n";
                    return 1;
                }
                (withStore ? stored : plain).push_back(summary.trainSeconds);
                if (withStore)
                    direct.push_back(session.storeSeconds() / summary.trainSeconds);
            }
        }
        const double s = fastest(stored), p = fastest(plain);
        out << QStringLiteral("quick demo, metrics every %1 batches (fastest of %2 interleaved rounds): training %3 s stored, %4 s not "
                              "(%5 %); the run thread's own store calls: at most %6 % of training time\n")
                   .arg(metricsEvery).arg(rounds).arg(s, 0, 'f', 2).arg(p, 0, 'f', 2).arg((s / p - 1.0) * 100.0, 0, 'f', 2)
                   .arg(*std::max_element(direct.begin(), direct.end()) * 100.0, 0, 'f', 3);
        out.flush();
    }
    return 0;
}
