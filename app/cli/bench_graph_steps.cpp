// Timed training steps of a model graph by each method, split by op category.
#include "app/cli/bench_graph_steps.h"

#include "app/cli/bench_epochs.h"
#include "app/session/prepared_run.h"
#include "app/session/run_events.h"
#include "app/spec/method_spec.h"
#include "engine/backend/backend_factory.h"
#include "engine/backend/op_timing_backend.h"
#include "engine/core/error.h"

#include <QJsonObject>
#include <QStringList>
#include <algorithm>
#include <chrono>
#include <memory>
#include <numeric>

namespace ffint8 {

namespace {

constexpr int kWarmUpSteps = 1;
constexpr int kTimedRounds = 5; // each method's steps, taking turns; the medians are reported

const Algorithm kGraphMethods[] = {Algorithm::BpFp32, Algorithm::BpInt8, Algorithm::BpUi8, Algorithm::FfFp32,
                                   Algorithm::FfInt8};
constexpr size_t kCategories = size_t(OpCategory::Count);

struct MethodBench
{
    Algorithm algorithm;
    std::unique_ptr<Backend> inner;
    std::unique_ptr<OpTimingBackend> timing;
    std::unique_ptr<Trainer> trainer;
    std::vector<double> stepSeconds;
    std::vector<std::array<double, kCategories>> categorySeconds;
};

// Each method as a comparison runs it (its own learning rate), FF at the look-ahead weight of the
// spec's last epoch, so that its steps include look-ahead's second pass where the spec has one.
TrainConfig methodConfig(const ExperimentSpec &spec, Algorithm algorithm, const Dataset &data)
{
    TrainConfig c = specForMethod(spec, algorithm).config;
    return configForData(c, data);
}

// The round whose step took the median time: its split is reported whole, so that the parts add up
// to at most its step.
size_t medianRound(const std::vector<double> &stepSeconds)
{
    std::vector<size_t> order(stepSeconds.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return stepSeconds[a] < stepSeconds[b]; });
    return order[order.size() / 2];
}

// "weights 12.0, activations 80.5, ...": the engine's peak per memory category in MiB.
QString memoryByCategory(const MemorySnapshot &s)
{
    QStringList parts;
    for (size_t c = 0; c < size_t(MemoryCategory::Count); ++c)
        if (s.peak[c] > 0)
            parts << QStringLiteral("%1 %2").arg(QString::fromLatin1(memoryCategoryName(MemoryCategory(c))))
                         .arg(s.peak[c] / 1048576.0, 0, 'f', 1);
    return parts.join(", ");
}

} // namespace

void benchGraphSteps(const ExperimentSpec &spec, bool json, QTextStream &out)
{
    const TrainConfig &config = spec.config;
    const std::shared_ptr<const DatasetSplits> data = benchData(config);
    const Dataset &train = data->train;
    const int batch = std::min(config.batch, train.count);
    if (batch <= 0)
        throw EngineError("bench: no training examples to time steps on");
    const int lastEpoch = std::max(0, config.epochs - 1);
    std::vector<MethodBench> methods;
    for (Algorithm algo : kGraphMethods) {
        MethodBench m;
        m.algorithm = algo;
        const TrainConfig c = methodConfig(spec, algo, train);
        m.inner = createBackend(c.backend, c.threads);
        m.timing = std::make_unique<OpTimingBackend>(*m.inner);
        m.trainer = createTrainer(c, *m.timing);
        m.trainer->beginEpoch(lastEpoch);
        methods.push_back(std::move(m));
    }
    std::vector<int> indices(static_cast<size_t>(batch));
    std::iota(indices.begin(), indices.end(), 0);
    for (int round = 0; round < kWarmUpSteps + kTimedRounds; ++round) {
        for (MethodBench &m : methods) {
            m.timing->reset();
            const auto start = std::chrono::steady_clock::now();
            const StepStats stats = m.trainer->trainStep(train, indices.data(), batch);
            m.timing->synchronize();
            const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
            if (!stats.finite)
                throw EngineError(std::string("bench: a ") + algorithmName(m.algorithm) + " step gave a non-finite loss");
            if (round < kWarmUpSteps)
                continue;
            m.stepSeconds.push_back(elapsed.count());
            std::array<double, kCategories> split{};
            for (size_t k = 0; k < kCategories; ++k)
                split[k] = m.timing->seconds(OpCategory(k));
            m.categorySeconds.push_back(split);
        }
    }

    const double bpStep = medianOf(methods.front().stepSeconds);
    const double bpPeak = double(methods.front().timing->memory().snapshot().peakTotal);
    if (!json) {
        out << QStringLiteral("training steps of %1 (batch %2, %3 rounds after %4 warm-up; FF at lambda %5, "
                              "its value in epoch %6); medians in ms\n")
                   .arg(QString::fromStdString(config.model))
                   .arg(batch)
                   .arg(kTimedRounds)
                   .arg(kWarmUpSteps)
                   .arg(double(config.lambda.at(lastEpoch)))
                   .arg(lastEpoch + 1);
        out << QStringLiteral("%1 %2").arg("", -8).arg("step", 9);
        for (size_t k = 0; k < kCategories; ++k)
            out << QStringLiteral(" %1").arg(QString::fromLatin1(opCategoryName(OpCategory(k))), 15);
        out << QStringLiteral(" %1 %2 %3 %4\n")
                   .arg("between ops", 12)
                   .arg("engine MiB", 11)
                   .arg("step x bp", 10)
                   .arg("memory x bp", 12);
    }
    for (const MethodBench &m : methods) {
        const size_t round = medianRound(m.stepSeconds);
        const double step = m.stepSeconds[round];
        const std::array<double, kCategories> &split = m.categorySeconds[round];
        const double inOps = std::accumulate(split.begin(), split.end(), 0.0);
        const MemorySnapshot memory = m.timing->memory().snapshot();
        const double peak = double(memory.peakTotal);
        if (json) {
            QJsonObject event{{"event", "graph_step_bench"},
                              {"algo", algorithmName(m.algorithm)},
                              {"model", QString::fromStdString(config.model)},
                              {"batch", batch},
                              {"step_s", step},
                              {"between_ops_s", step - inOps},
                              {"peak_engine_bytes", qint64(peak)},
                              {"ratio_to_bp_fp32", step / bpStep},
                              {"memory_ratio_to_bp_fp32", peak / bpPeak}};
            for (size_t k = 0; k < kCategories; ++k)
                event[QString::fromLatin1(opCategoryName(OpCategory(k))).replace(' ', '_') + "_s"] = split[k];
            for (size_t c = 0; c < size_t(MemoryCategory::Count); ++c)
                event[QStringLiteral("peak_%1_bytes").arg(QString::fromLatin1(memoryCategoryName(MemoryCategory(c))))]
                    = qint64(memory.peak[c]);
            printEvent(event);
            continue;
        }
        out << QStringLiteral("%1 %2")
                   .arg(QString::fromStdString(algorithmName(m.algorithm)), -8)
                   .arg(step * 1e3, 9, 'f', 1);
        for (size_t k = 0; k < kCategories; ++k)
            out << QStringLiteral(" %1").arg(split[k] * 1e3, 15, 'f', 1);
        out << QStringLiteral(" %1 %2 %3 %4\n")
                   .arg((step - inOps) * 1e3, 12, 'f', 1)
                   .arg(peak / 1048576.0, 11, 'f', 1)
                   .arg(step / bpStep, 10, 'f', 3)
                   .arg(peak / bpPeak, 12, 'f', 3);
    }
    if (json)
        return;
    out << "each op timed to its end on the backend; between ops: the step's host work outside them "
           "(trainer logic, buffers, look-ahead bookkeeping); the median step's own split\n"
           "engine peak by category (MiB):\n";
    for (const MethodBench &m : methods)
        out << QStringLiteral("  %1 %2\n").arg(QString::fromStdString(algorithmName(m.algorithm)), -8)
                   .arg(memoryByCategory(m.timing->memory().snapshot()));
}

} // namespace ffint8
