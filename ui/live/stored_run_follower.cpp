// Polling a stored run for what was added to it.
#include "ui/live/stored_run_follower.h"

#include "app/store/store_error.h"

namespace ffint8 {

StoredRunFollower::StoredRunFollower(RunStore &store, qint64 runId, qint64 lastStep, int epochsShown, double lastSampleSeconds,
                                     QObject *parent)
    : QObject(parent), m_store(store), m_runId(runId), m_lastStep(lastStep), m_epochsShown(epochsShown),
      m_lastSample(lastSampleSeconds)
{
    m_timer.setInterval(kIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &StoredRunFollower::poll);
    m_timer.start();
    m_changed.setSingleShot(true);
    m_changed.setInterval(kSettleMs);
    connect(&m_changed, &QTimer::timeout, this, [this] {
        if (m_timer.isActive())
            poll();
    });
    store.watchChanges(this, [this](qint64 runId) {
        if (runId == m_runId)
            m_changed.start();
    });
}

void StoredRunFollower::poll()
{
    try {
        // The row first: what it says about the run's end holds for every row read after it.
        const std::optional<RunRecord> run = m_store.run(m_runId);
        std::vector<StoredProgress> progress = m_store.progress(m_runId, m_lastStep);
        if (!progress.empty()) {
            m_lastStep = progress.back().step;
            emit progressRead(progress);
        }
        const std::vector<StoredEpoch> fresh = m_store.epochs(m_runId, m_epochsShown);
        if (!fresh.empty()) {
            m_epochsShown = fresh.back().metrics.epoch + 1;
            emit epochsRead(fresh);
        }
        std::vector<PowerPoint> samples = m_store.samples(m_runId, m_lastSample);
        if (!samples.empty()) {
            m_lastSample = samples.back().seconds;
            emit samplesRead(samples);
        }
        if (!run || run->status != QLatin1String("running")) {
            m_timer.stop();
            if (run)
                emit runEnded(*run);
            else
                emit readFailed(tr("run %1 is no longer in the store").arg(m_runId));
        }
    } catch (const StoreError &e) {
        // A shared store's server may be away for a while: the next tick tries again.
        emit readFailed(QString::fromUtf8(e.what()));
    }
}

} // namespace ffint8
