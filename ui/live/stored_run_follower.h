// Follows a run that another process or board is training, through the store it records into: at
// 1 Hz, and on a PostgreSQL store also when its writer says it wrote (notifications), it reads what
// was added since the last look (progress reports, epochs, power samples) and says when the run has
// ended. SQLite has no notifications across processes: polling one run's new rows costs a few small
// queries a second.
#pragma once

#include "app/store/run_store.h"

#include <QObject>
#include <QTimer>

namespace ffint8 {

class StoredRunFollower : public QObject
{
    Q_OBJECT
public:
    static constexpr int kIntervalMs = 1000;
    static constexpr int kSettleMs = 100; // after a notification, for the rest of its burst

    // Follows `runId` of `store` (which must outlive this object or stop() it first) from what has
    // been shown: reports after step `lastStep`, epochs after the first `epochsShown`, samples after
    // `lastSampleSeconds`. Starts at once.
    StoredRunFollower(RunStore &store, qint64 runId, qint64 lastStep, int epochsShown, double lastSampleSeconds,
                      QObject *parent = nullptr);

    qint64 runId() const { return m_runId; }
    bool following() const { return m_timer.isActive(); }
    void stop() { m_timer.stop(); }
    void setPollInterval(int ms) { m_timer.setInterval(ms); } // kIntervalMs unless set
    // One look at the store (the timer's tick; called directly by tests).
    void poll();

signals:
    void progressRead(const std::vector<ffint8::StoredProgress> &fresh);
    void epochsRead(const std::vector<ffint8::StoredEpoch> &fresh);
    void samplesRead(const std::vector<ffint8::PowerPoint> &fresh);
    // The run is no longer "running" (its final row); following has stopped.
    void runEnded(const ffint8::RunRecord &run);
    void readFailed(const QString &message);

private:
    RunStore &m_store;
    qint64 m_runId;
    qint64 m_lastStep;
    int m_epochsShown;
    double m_lastSample;
    QTimer m_timer;
    QTimer m_changed; // a notification of this run: looked at soon, once for a burst
};

} // namespace ffint8
