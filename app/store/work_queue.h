// The work queue in a run store: `ffint8 run SUITE --queue` puts a suite's runs in it, and
// `ffint8 worker` on each board claims the next run it can train, sends heartbeats while it trains,
// and records how it ended. A claim is one transaction that locks the row it takes and skips rows
// other boards are taking (PostgreSQL's FOR UPDATE SKIP LOCKED; SQLite's write lock serializes
// claims anyway), so no run is claimed twice. A claim whose heartbeats stopped (the board lost
// power, the worker was killed) goes back to the queue, and its attempt's run is marked interrupted
// with the epochs it completed.
#pragma once

#include "app/store/run_store.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace ffint8 {

struct QueuedRun
{
    qint64 id = 0;
    QString suite;
    QString name;
    QString specJson;        // one run's spec (specToJson)
    QString requiredBackend; // empty: any board
    QString state;           // queued, claimed, done, failed
    QString worker;          // who claimed it last
    qint64 runId = 0;        // the run of the latest attempt (0: none yet)
    int attempts = 0;
    QString message;         // why it failed, or was requeued
};

struct QueueCounts
{
    int queued = 0;
    int claimed = 0;
    int done = 0;
    int failed = 0;
};

class WorkQueue
{
public:
    // Uses `store`'s connection: the queue belongs to the store's thread too.
    explicit WorkQueue(RunStore &store) : m_store(store) {}

    qint64 enqueue(const QString &suite, const QString &name, const QString &specJson, const QString &requiredBackend = {});

    // Claims of workers whose last heartbeat is older than `staleAfterSeconds` go back to the queue;
    // the runs of those attempts still "running" are marked interrupted. Returns how many went back.
    int requeueStale(double staleAfterSeconds);

    // The oldest queued run that needs none of the backends this worker lacks, claimed for `worker`
    // (attempts counted, heartbeat set); none when nothing fits.
    std::optional<QueuedRun> claimNext(const QString &worker, const QStringList &backends);

    // Refreshes the claim's heartbeat: false when the claim is no longer this worker's (it was
    // taken back as stale): the worker should then stop training it.
    bool heartbeat(qint64 queueId, const QString &worker);
    // The run the claim's current attempt records into.
    void attachRun(qint64 queueId, const QString &worker, qint64 runId);
    // How the attempt ended: done (the run completed or diverged), failed (it could not train), or
    // back in the queue (the worker was stopped: another board may take it).
    enum class Outcome { Done, Failed, Requeue };
    void finish(qint64 queueId, const QString &worker, Outcome outcome, const QString &message = {});

    // Whether anything is left that concerns a worker with these backends: a run it could claim, or
    // a claimed run (which may yet come back to the queue).
    bool hasWorkFor(const QStringList &backends);
    // Takes a run out of the queue that no board has claimed yet: false where there is none.
    bool removeQueued(qint64 queueId);

    QList<QueuedRun> items(const QString &suite = {});
    QueueCounts counts(const QString &suite = {});

private:
    RunStore &m_store;
};

} // namespace ffint8
