// ffint8-store-bench: what recording costs. (1) Ingestion: metric rows per second through the
// writer's batched transactions, against one transaction per report (each report a progress row
// and a row per unit and figure). (2) Overhead: the quick demo
// trained with and without the store, interleaved, in this one process: the training thread's own
// time in store calls, and the end-to-end difference in training time. Both for an SQLite file and,
// where FFINT8_PG_ADDRESS names one (scripts/with_postgres.sh sets it), a PostgreSQL store.
#include "app/session/run_session.h"
#include "app/spec/suite.h"
#include "app/store/run_writer.h"
#include "app/store/store_error.h"

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


void measureIngestion(QTextStream &out, const QString &label, const QString &batched, const QString &single, int reports, int layers)
{
    const int rowsPerReport = 1 + layers * kFiguresPerUnit;
    {
        RunWriter writer(batched);
        const qint64 id = writer.createRun(RunRecord{}, {}, {});
        const auto start = Clock::now();
        for (int i = 1; i <= reports; ++i)
            writer.addProgress(id, report(i, layers));
        const bool written = writer.flush(600000);
        const double seconds = since(start);
        const double rows = double(reports) * rowsPerReport;
        out << QStringLiteral("%1 ingestion, batched writer: %2 rows (%3 reports x %4 rows) in %5 s = %6 rows/s%7\n")
                   .arg(label).arg(rows, 0, 'f', 0).arg(reports).arg(rowsPerReport).arg(seconds, 0, 'f', 3)
                   .arg(rows / seconds, 0, 'f', 0).arg(written ? "" : " (NOT all written)");
    }
    {
        RunStore store(single);
        RunRecord r;
        const qint64 id = store.createRun(r);
        const int n = std::min(reports, 2000);
        const auto start = Clock::now();
        for (int i = 1; i <= n; ++i)
            store.addProgress(id, {report(i, layers)});
        const double seconds = since(start);
        out << QStringLiteral("%1 ingestion, one transaction per report: %2 rows in %3 s = %4 rows/s\n")
                   .arg(label).arg(n * rowsPerReport).arg(seconds, 0, 'f', 3).arg(n * rowsPerReport / seconds, 0, 'f', 0);
    }
    out.flush();
}

// The quick demo stored (in `database`) and not, interleaved; false where a run did not complete.
bool measureOverhead(QTextStream &out, const QString &label, const QString &database, int rounds)
{
    ExperimentSpec spec = parseSuiteFile(builtInExperiment("quick")).runs.first();
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
                options.databasePath = withStore ? database : QString();
                RunSession session(options);
                const RunSummary summary = session.runHere();
                if (summary.status != RunStatus::Completed) {
                    out << "the quick demo did not complete: " << QString::fromStdString(summary.message) << "\n";
                    return false;
                }
                (withStore ? stored : plain).push_back(summary.trainSeconds);
                if (withStore)
                    direct.push_back(session.storeSeconds() / summary.trainSeconds);
            }
        }
        const double s = fastest(stored), p = fastest(plain);
        out << QStringLiteral("%1 quick demo, metrics every %2 batches (fastest of %3 interleaved rounds): training %4 s stored, "
                              "%5 s not (%6 %); the run thread's own store calls: at most %7 % of training time\n")
                   .arg(label).arg(metricsEvery).arg(rounds).arg(s, 0, 'f', 2).arg(p, 0, 'f', 2).arg((s / p - 1.0) * 100.0, 0, 'f', 2)
                   .arg(*std::max_element(direct.begin(), direct.end()) * 100.0, 0, 'f', 3);
        out.flush();
    }
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    QTemporaryDir dir;
    const int reports = argc > 1 ? QString(argv[1]).toInt() : 100000;
    const int rounds = argc > 2 ? QString(argv[2]).toInt() : 3;
    const int layers = argc > 3 ? QString(argv[3]).toInt() : 2; // units per report
    const QString postgres = qEnvironmentVariable("FFINT8_PG_ADDRESS");
    try {
        measureIngestion(out, "sqlite", dir.filePath("ingest.sqlite"), dir.filePath("single.sqlite"), reports, layers);
        if (!postgres.isEmpty())
            measureIngestion(out, "postgresql", postgres, postgres, reports, layers);
        if (!measureOverhead(out, "sqlite", dir.filePath("quick.sqlite"), rounds))
            return 1;
        if (!postgres.isEmpty() && !measureOverhead(out, "postgresql", postgres, rounds))
            return 1;
    } catch (const StoreError &e) {
        out << "ffint8-store-bench: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
