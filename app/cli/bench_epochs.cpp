// Epoch timing for `ffint8 bench`, measured in one process and interleaved so that the ratios
// compare like with like on a noisy machine; the medians of the repeats resist outliers.
#include "app/cli/bench_epochs.h"

#include "app/session/prepared_run.h"
#include "app/session/run_events.h"
#include "app/session/run_group.h"
#include "app/spec/method_spec.h"
#include "engine/backend/backend_factory.h"
#include "engine/core/error.h"
#include "engine/tools/step_breakdown.h"

#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>
#include <map>

namespace ffint8 {

double medianOf(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

std::shared_ptr<const DatasetSplits> benchData(const TrainConfig &config)
{
    auto data = std::make_shared<DatasetSplits>(loadRunData(config));
    data->test = Dataset{};
    data->validation = Dataset{};
    return data;
}

std::vector<RunSummary> trainBenchRuns(const QList<ExperimentSpec> &specs, std::shared_ptr<const DatasetSplits> data,
                                       const std::function<std::string(int)> &what)
{
    QList<SessionOptions> runs;
    for (const ExperimentSpec &spec : specs) {
        SessionOptions run;
        run.spec = spec;
        run.telemetry = QStringLiteral("none");
        runs << run;
    }
    RunGroup group(runs, RunGroup::Order::OneAfterAnother, std::move(data));
    const std::vector<RunSummary> summaries = group.run();
    for (size_t i = 0; i < summaries.size(); ++i)
        if (summaries[i].status != RunStatus::Completed)
            throw EngineError("bench: the " + what(int(i)) + " did not complete: " + summaries[i].message);
    return summaries;
}

namespace {

struct AlgorithmTimes
{
    std::vector<double> epochSeconds;
    size_t peakBytes = 0;
    double gemmSeconds = 0.0;      // per step
    double optimizerSeconds = 0.0; // per step
};

// The spec an algorithm is timed with: the method's own as a comparison has it (specForMethod: BP
// at its learning rate, since Adam at FF's would diverge and end its epoch early). FF runs the step
// of the configured run's last epoch: lambda starts at 0, and an epoch-0 step would leave
// look-ahead's backward chain out.
ExperimentSpec specFor(const ExperimentSpec &base, Algorithm algo, int lastEpoch)
{
    ExperimentSpec spec = specForMethod(base, algo);
    spec.name = QString::fromLatin1(algorithmName(algo));
    if (isForwardForward(algo)) {
        spec.config.lambda.start = base.config.lambda.at(lastEpoch);
        spec.config.lambda.perEpoch = 0.0f;
    }
    return spec;
}

} // namespace

void benchEpochs(const ExperimentSpec &spec, bool json, QTextStream &out)
{
    const TrainConfig &config = spec.config;
    ExperimentSpec base = spec;
    base.config.epochs = 1;
    base.config.testLimit = 0;
    const int lastEpoch = std::max(0, config.epochs - 1);
    const std::shared_ptr<const DatasetSplits> data = benchData(base.config);
    const Algorithm algorithms[] = {Algorithm::BpFp32, Algorithm::FfFp32, Algorithm::FfInt8};
    QList<ExperimentSpec> specs;
    for (int r = 0; r < kBenchEpochRepeats; ++r)
        for (Algorithm algo : algorithms)
            specs << specFor(base, algo, lastEpoch);
    const std::vector<RunSummary> summaries = trainBenchRuns(specs, data, [&](int i) {
        return algorithmName(specs[i].config.algorithm) + std::string(" epoch");
    });
    std::map<Algorithm, AlgorithmTimes> times;
    for (size_t i = 0; i < summaries.size(); ++i) {
        AlgorithmTimes &t = times[specs[qsizetype(i)].config.algorithm];
        t.epochSeconds.push_back(summaries[i].trainSeconds);
        t.peakBytes = summaries[i].memory.peakTotal;
    }
    auto backend = createBackend(config.backend, config.threads);
    for (Algorithm algo : algorithms) {
        const TrainConfig c = specFor(base, algo, lastEpoch).config;
        times[algo].gemmSeconds = timeStepGemms(*backend, c, 0);
        times[algo].optimizerSeconds = timeOptimizerStep(*backend, c);
    }

    const int steps = (data->train.count + config.batch - 1) / config.batch;
    const double bpStep = medianOf(times[Algorithm::BpFp32].epochSeconds) / steps;
    if (!json)
        out << QStringLiteral("one epoch (%1 examples, batch %2; FF at lambda %3, its value in epoch %4)\n")
                   .arg(data->train.count).arg(config.batch).arg(double(config.lambda.at(lastEpoch))).arg(lastEpoch + 1)
            << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9\n").arg("", -9).arg("median s", 9).arg("runs (s)", 21)
                   .arg("engine MiB", 11).arg("step ms", 8).arg("GEMMs ms", 9).arg("optim ms", 9).arg("rest ms", 8)
                   .arg("step x bp-fp32", 15);
    for (Algorithm algo : algorithms) {
        const AlgorithmTimes &t = times[algo];
        const double epoch = medianOf(t.epochSeconds), step = epoch / steps;
        const double rest = step - t.gemmSeconds - t.optimizerSeconds;
        QStringList runs;
        for (double v : t.epochSeconds)
            runs << QString::number(v, 'f', 3);
        if (json) {
            printEvent(QJsonObject{{"event", "epoch_bench"}, {"algo", algorithmName(algo)}, {"seconds", epoch},
                                   {"runs", QJsonArray::fromStringList(runs)}, {"samples_per_s", data->train.count / epoch},
                                   {"peak_engine_bytes", qint64(t.peakBytes)}, {"step_s", step},
                                   {"step_gemm_s", t.gemmSeconds}, {"step_optimizer_s", t.optimizerSeconds},
                                   {"step_rest_s", rest}, {"ratio_to_bp_fp32", step / bpStep}});
            continue;
        }
        out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9\n").arg(algorithmName(algo), -9).arg(epoch, 9, 'f', 3)
                   .arg(runs.join(" "), 21).arg(t.peakBytes / 1048576.0, 11, 'f', 2).arg(step * 1e3, 8, 'f', 3)
                   .arg(t.gemmSeconds * 1e3, 9, 'f', 3).arg(t.optimizerSeconds * 1e3, 9, 'f', 3).arg(rest * 1e3, 8, 'f', 3)
                   .arg(step / bpStep, 15, 'f', 3);
    }
    const double int8OverFp32 = medianOf(times[Algorithm::FfInt8].epochSeconds) / medianOf(times[Algorithm::FfFp32].epochSeconds);
    if (json) {
        printEvent(QJsonObject{{"event", "epoch_ratio"}, {"ff_int8_over_ff_fp32", int8OverFp32}});
        return;
    }
    out << QStringLiteral("ff-int8 epoch / ff-fp32 epoch (medians): %1\n").arg(int8OverFp32, 0, 'f', 3);
    // What the GEMMs alone allow: FF-INT8's step if everything but its GEMMs were free.
    const AlgorithmTimes &ff = times[Algorithm::FfInt8];
    out << QStringLiteral("ff-int8 step x bp-fp32 step if only its GEMMs ran: %1; its GEMMs and optimizer step: %2\n")
               .arg(ff.gemmSeconds / bpStep, 0, 'f', 3).arg((ff.gemmSeconds + ff.optimizerSeconds) / bpStep, 0, 'f', 3)
        << "GEMMs and optimizer are timed apart from the trainers at the step's shapes; rest = step - both\n"
        << Qt::flush;
}

} // namespace ffint8
