// Epoch timing for `ffint8 bench`, measured in one process and interleaved so that the ratios
// compare like with like on a noisy machine; the medians of the repeats resist outliers.
#include "app/cli/bench_epochs.h"

#include "app/session/prepared_run.h"
#include "app/session/run_events.h"
#include "engine/backend/backend_factory.h"
#include "engine/core/error.h"
#include "engine/tools/step_breakdown.h"
#include "engine/train/training_run.h"

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

namespace {

constexpr float kBpLearningRate = 0.001f; // Adam at FF's 0.03 diverges for BP, which would end its epoch early

struct AlgorithmTimes
{
    std::vector<double> epochSeconds;
    size_t peakBytes = 0;
    double gemmSeconds = 0.0;      // per step
    double optimizerSeconds = 0.0; // per step
};

// The configuration an algorithm is timed with. FF runs the step of the configured run's last
// epoch: lambda starts at 0, and an epoch-0 step would leave look-ahead's backward chain out.
TrainConfig configFor(const TrainConfig &base, Algorithm algo, int lastEpoch)
{
    TrainConfig c = base;
    c.algorithm = algo;
    if (isForwardForward(algo)) {
        c.lambda.start = base.lambda.at(lastEpoch);
        c.lambda.perEpoch = 0.0f;
    } else {
        c.lr = kBpLearningRate;
    }
    return c;
}

} // namespace

void benchEpochs(const TrainConfig &config, bool json, QTextStream &out)
{
    TrainConfig base = config;
    base.epochs = 1;
    base.testLimit = 0;
    const int lastEpoch = std::max(0, config.epochs - 1);
    DatasetSplits data = loadRunData(base);
    data.test = Dataset{};
    data.validation = Dataset{};
    const Algorithm algorithms[] = {Algorithm::BpFp32, Algorithm::FfFp32, Algorithm::FfInt8};
    std::map<Algorithm, AlgorithmTimes> times;
    for (int r = 0; r < kBenchEpochRepeats; ++r) {
        for (Algorithm algo : algorithms) {
            PreparedRun prepared = prepareRun(configFor(base, algo, lastEpoch), data);
            RunSummary s = TrainingRun(*prepared.trainer, data).run();
            if (s.status != RunStatus::Completed)
                throw EngineError(std::string("bench: the ") + algorithmName(algo) + " epoch did not complete: " + s.message);
            times[algo].epochSeconds.push_back(s.trainSeconds);
            times[algo].peakBytes = s.memory.peakTotal;
        }
    }
    auto backend = createBackend(config.backend, config.threads);
    for (Algorithm algo : algorithms) {
        const TrainConfig c = configFor(base, algo, lastEpoch);
        times[algo].gemmSeconds = timeStepGemms(*backend, c, 0);
        times[algo].optimizerSeconds = timeOptimizerStep(*backend, c);
    }

    const int steps = (data.train.count + config.batch - 1) / config.batch;
    const double bpStep = medianOf(times[Algorithm::BpFp32].epochSeconds) / steps;
    if (!json)
        out << QStringLiteral("one epoch (%1 examples, batch %2; FF at lambda %3, its value in epoch %4)\n")
                   .arg(data.train.count).arg(config.batch).arg(double(base.lambda.at(lastEpoch))).arg(lastEpoch + 1)
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
                                   {"runs", QJsonArray::fromStringList(runs)}, {"samples_per_s", data.train.count / epoch},
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
