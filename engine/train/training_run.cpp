// The training loop.
#include "engine/train/training_run.h"

#include "engine/core/error.h"
#include "engine/data/augmentation.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <string>
#include <thread>

namespace ffint8 {

namespace {

using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
double monotonicNow() { return std::chrono::duration<double>(Clock::now().time_since_epoch()).count(); }

// NaN marks a figure a trainer does not have; it stays NaN through sums and averages.
void addTo(double &sum, double value)
{
    if (!std::isnan(value))
        sum = std::isnan(sum) ? value : sum + value;
}

void accumulate(std::vector<LayerMetrics> &sum, const std::vector<LayerMetrics> &add)
{
    sum.resize(add.size());
    for (size_t i = 0; i < add.size(); ++i) {
        addTo(sum[i].goodnessPos, add[i].goodnessPos);
        addTo(sum[i].goodnessNeg, add[i].goodnessNeg);
        addTo(sum[i].loss, add[i].loss);
        addTo(sum[i].gradNorm, add[i].gradNorm);
        addTo(sum[i].deviation, add[i].deviation);
    }
}

std::vector<LayerMetrics> averaged(std::vector<LayerMetrics> sum, int n)
{
    for (auto &m : sum) {
        m.goodnessPos /= n;
        m.goodnessNeg /= n;
        m.loss /= n;
        m.gradNorm /= n;
        m.deviation /= n;
    }
    return sum;
}

// A target in percent is reached by an accuracy that is a fraction: compared in percent, with a
// margin for the rounding of right / count * 100 (85 % of 1000 examples is 850 right, which
// multiplies out to 85.00000000000001 or 84.99999999999999 depending on the division).
bool reachesTarget(double accuracy, double targetPercent)
{
    return targetPercent > 0 && accuracy >= 0 && accuracy * 100.0 >= targetPercent - 1e-9;
}

} // namespace

const char *runStatusName(RunStatus s)
{
    switch (s) {
    case RunStatus::Completed: return "completed";
    case RunStatus::Diverged: return "diverged";
    case RunStatus::Cancelled: return "cancelled";
    case RunStatus::Failed: return "failed";
    }
    return "?";
}

TrainingRun::TrainingRun(Trainer &trainer, const DatasetSplits &data, RunCallbacks callbacks)
    : m_trainer(trainer), m_data(data), m_callbacks(std::move(callbacks))
{
}

double TrainingRun::accuracy(Trainer &trainer, const Dataset &dataset, const std::atomic<bool> *cancel)
{
    if (dataset.count == 0)
        return -1.0;
    std::vector<int> indices(static_cast<size_t>(dataset.count));
    std::iota(indices.begin(), indices.end(), 0);
    std::vector<uint8_t> predictions(indices.size());
    if (!trainer.predict(dataset, indices.data(), dataset.count, predictions.data(), cancel))
        return std::nan("");
    int right = 0;
    for (int i = 0; i < dataset.count; ++i)
        right += predictions[size_t(i)] == dataset.labels[size_t(i)];
    return double(right) / dataset.count;
}

void TrainingRun::start()
{
    m_started = true;
    m_summary = RunSummary{};
    m_epoch = 0;
    m_done = false;
    m_runStart = Clock::now();
    m_summary.monotonicStart = monotonicNow();
    m_trainer.backend().attachToThread();
    m_trainer.backend().memory().resetPeak();
    m_units = m_trainer.unitNames();
    m_augmentedIndices.resize(size_t(std::max(m_trainer.config().batch, 0)));
    std::iota(m_augmentedIndices.begin(), m_augmentedIndices.end(), 0);
    if (m_data.train.count == 0) {
        m_summary.status = RunStatus::Failed;
        m_summary.message = "the training set of " + m_data.train.name + " is empty";
        m_done = true; // nothing was trained: the summary keeps no end time or memory
    } else if (m_trainer.config().epochs <= 0) {
        end();
    }
}

void TrainingRun::end()
{
    // Every way out of the run (finished, diverged, cancelled) closes the summary the same way.
    m_summary.totalSeconds = secondsSince(m_runStart);
    m_summary.monotonicEnd = monotonicNow();
    m_summary.memory = m_trainer.backend().memory().snapshot();
    m_done = true;
}

RunSummary TrainingRun::run()
{
    start();
    while (trainNextEpoch()) {
    }
    return m_summary;
}

bool TrainingRun::trainNextEpoch()
{
    if (!m_started)
        start();
    if (m_done)
        return false;
    const TrainConfig &config = m_trainer.config();
    const Dataset &train = m_data.train;
    RunSummary &summary = m_summary;
    const int epoch = m_epoch;
    const int batchesPerEpoch = (train.count + config.batch - 1) / config.batch;
    auto stop = [this] {
        end();
        return false;
    };

    m_trainer.beginEpoch(epoch);
    // A different order every epoch, the same for the same seed.
    std::vector<int> order = shuffledIndices(train.count, config.seed + 0x5EEDULL * uint64_t(epoch + 1));
    std::vector<LayerMetrics> epochSum, windowSum;
    double epochLoss = 0.0, windowLoss = 0.0;
    int windowBatches = 0, windowSamples = 0;
    double trainSeconds = 0.0;
    auto windowStart = Clock::now();
    const double epochStart = monotonicNow();

    for (int b = 0; b < batchesPerEpoch; ++b) {
        // Polled rather than a condition variable: cancel() is called from signal handlers,
        // where notifying is not allowed. 20 ms is far below what a user notices.
        if (m_paused.load()) {
            const auto pausedAt = Clock::now();
            while (m_paused.load() && !m_cancel.load())
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            windowStart += Clock::now() - pausedAt;
        }
        if (m_cancel.load()) {
            summary.status = RunStatus::Cancelled;
            summary.message = "cancelled in epoch " + std::to_string(epoch + 1) + " after " + std::to_string(b) +
                              " of " + std::to_string(batchesPerEpoch) + " batches";
            return stop();
        }
        const int first = b * config.batch;
        const int count = std::min(config.batch, train.count - first);
        m_trainer.setLearningRateFactor(learningRateScheduleFactor(
            config.lrSchedule, (long long)epoch * batchesPerEpoch + b, (long long)config.epochs * batchesPerEpoch));
        const auto stepStart = Clock::now();
        StepStats stats;
        if (config.augment) {
            // The trainers read a batch through (dataset, indices) only, so an augmented copy of the
            // batch with indices 0..count-1 trains as the originals would, labels included. Its
            // making counts as step time: it is part of what a step of this run costs.
            augmentBatch(train, order.data() + first, count, config.seed, epoch, m_augmented);
            stats = m_trainer.trainStep(m_augmented, m_augmentedIndices.data(), count);
        } else {
            stats = m_trainer.trainStep(train, order.data() + first, count);
        }
        const double stepSeconds = secondsSince(stepStart);
        trainSeconds += stepSeconds;
        summary.trainSeconds += stepSeconds; // every step counts, whatever ends the epoch
        if (!stats.finite) {
            summary.status = RunStatus::Diverged;
            summary.message = "loss became NaN or infinite in epoch " + std::to_string(epoch + 1) + ", batch " +
                              std::to_string(b + 1) + "; try a smaller learning rate (lr " +
                              std::to_string(config.lr) + ")";
            return stop();
        }
        if (stats.layers.size() != m_units.size()) {
            // The store and the live view file each figure under its unit's name: a trainer whose
            // names and figures disagree would file them under the wrong units.
            std::string names;
            for (const std::string &n : m_units)
                names += (names.empty() ? "" : ", ") + n;
            summary.status = RunStatus::Failed;
            summary.message = "the trainer reported figures of " + std::to_string(stats.layers.size()) +
                              " units in a step but names " + std::to_string(m_units.size()) + " (" + names + ")";
            return stop();
        }
        accumulate(epochSum, stats.layers);
        accumulate(windowSum, stats.layers);
        epochLoss += stats.loss;
        windowLoss += stats.loss;
        ++windowBatches;
        windowSamples += count;
        if (m_callbacks.onProgress && (windowBatches == config.metricsEvery || b + 1 == batchesPerEpoch)) {
            ProgressMetrics p;
            p.epoch = epoch;
            p.batch = b + 1;
            p.batchesPerEpoch = batchesPerEpoch;
            p.trainLoss = windowLoss / windowBatches;
            p.layers = averaged(windowSum, windowBatches);
            p.samplesPerSecond = windowSamples / std::max(1e-9, secondsSince(windowStart));
            p.elapsedSeconds = secondsSince(m_runStart);
            m_callbacks.onProgress(p);
            windowSum.clear();
            windowLoss = 0.0;
            windowBatches = windowSamples = 0;
            windowStart = Clock::now();
        }
    }

    EpochMetrics e;
    e.monotonicStart = epochStart;
    e.monotonicEnd = monotonicNow();
    e.epoch = epoch;
    e.trainLoss = epochLoss / batchesPerEpoch;
    e.layers = averaged(epochSum, batchesPerEpoch);
    e.trainSeconds = trainSeconds;
    e.samplesPerSecond = train.count / std::max(1e-9, trainSeconds);
    e.lambda = config.lambda.at(epoch);
    e.learningRate = config.lr * m_trainer.learningRateFactor();
    const auto evalStart = Clock::now();
    e.validationAccuracy = accuracy(m_trainer, m_data.validation, &m_cancel);
    e.testAccuracy = accuracy(m_trainer, m_data.test, &m_cancel);
    e.evalSeconds = secondsSince(evalStart);
    if (std::isnan(e.validationAccuracy) || std::isnan(e.testAccuracy)) {
        // Cancelled while evaluating: the epoch trained, but without its accuracies it is not
        // reported or recorded. (A cancel that comes once both are known keeps the epoch.)
        summary.status = RunStatus::Cancelled;
        summary.message = "cancelled in epoch " + std::to_string(epoch + 1) + " while it was being evaluated, after all " +
                          std::to_string(batchesPerEpoch) + " batches; the epoch is not recorded";
        return stop();
    }
    e.memory = m_trainer.backend().memory().snapshot();

    summary.epochsCompleted = epoch + 1;
    summary.testAccuracy = e.testAccuracy;
    summary.validationAccuracy = e.validationAccuracy;
    // Training seconds only, as the run's own training time, so that a time to the target and a
    // time for all epochs compare on one clock; the evaluation that found it does not count.
    e.runTrainSeconds = summary.trainSeconds;
    if (summary.targetEpoch == 0 && reachesTarget(e.testAccuracy, config.targetAccuracy)) {
        e.reachedTarget = true;
        summary.targetEpoch = epoch + 1;
        summary.targetSeconds = summary.trainSeconds;
    }
    if (m_callbacks.onEpoch)
        m_callbacks.onEpoch(e);
    if (++m_epoch >= config.epochs)
        return stop();
    return true;
}

} // namespace ffint8
