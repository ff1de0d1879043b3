// The training loop: epochs of shuffled batches, evaluation, metrics callbacks, divergence and
// cancellation. It owns no threads; the caller runs it on whichever thread it likes.
#pragma once

#include "engine/data/dataset.h"
#include "engine/train/metrics.h"
#include "engine/train/trainer.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace ffint8 {

struct RunCallbacks
{
    std::function<void(const ProgressMetrics &)> onProgress; // every config.metricsEvery batches
    std::function<void(const EpochMetrics &)> onEpoch;       // after each epoch's evaluation
};

class TrainingRun
{
public:
    TrainingRun(Trainer &trainer, const DatasetSplits &data, RunCallbacks callbacks = {});

    // Before run(): callbacks that need the run itself (to cancel it from a callback).
    void setCallbacks(RunCallbacks callbacks) { m_callbacks = std::move(callbacks); }

    // Trains config.epochs epochs. Never throws for a diverging or cancelled run: the summary says so.
    // The same as start(), then trainNextEpoch() until it returns false, then summary().
    RunSummary run();
    // The run in steps, for callers that interleave several runs on one thread (RunGroup): start()
    // begins it; trainNextEpoch() trains, evaluates and reports one epoch and says whether another
    // follows (false once the run has ended: all epochs done, diverged, cancelled or failed).
    void start();
    bool trainNextEpoch();
    const RunSummary &summary() const { return m_summary; }
    // Safe from any thread; the run stops after the current batch (or chunk of an evaluation, and
    // then without that epoch) with status Cancelled.
    void cancel() { m_cancel.store(true); }
    // Safe from any thread; a paused run waits before its next batch until resumed or cancelled.
    // Paused time counts as neither training time nor throughput.
    void pause() { m_paused.store(true); }
    void resume() { m_paused.store(false); }

    // Fraction of examples of `dataset` predicted right (-1 for an empty set); NaN when `cancel`
    // became true before the trainer's last chunk (a batch, or FF's evaluation batch of images with
    // every label), so that a cancelled run does not keep anyone waiting through a whole test set.
    static double accuracy(Trainer &trainer, const Dataset &dataset, const std::atomic<bool> *cancel = nullptr);

private:
    void end(); // closes the summary: end time, total time, memory

    Trainer &m_trainer;
    const DatasetSplits &m_data;
    RunCallbacks m_callbacks;
    std::atomic<bool> m_cancel{false};
    std::atomic<bool> m_paused{false};
    RunSummary m_summary;
    std::chrono::steady_clock::time_point m_runStart;
    std::vector<std::string> m_units; // the trainer's unitNames(), read when the run starts
    // With config.augment: the step's augmented copy of its examples and the indices 0..batch-1 into
    // it, kept between steps so that a step allocates nothing. Host memory, as the dataset itself.
    Dataset m_augmented;
    std::vector<int> m_augmentedIndices;
    int m_epoch = 0;        // the next epoch to train
    bool m_started = false; // start() was called (trainNextEpoch() calls it if not)
    bool m_done = false;    // no epoch follows
};

} // namespace ffint8
