// The queue worker's loop and its heartbeat thread.
#include "app/session/queue_worker.h"

#include "app/spec/experiment_spec.h"
#include "app/store/store_error.h"
#include "app/store/work_queue.h"
#include "engine/backend/backend_factory.h"

#include <QSysInfo>
#include <QThread>

#include <condition_variable>
#include <mutex>
#include <thread>
#include <unistd.h>

namespace ffint8 {

namespace {

QStringList availableBackends()
{
    QStringList names;
    for (const BackendAvailability &b : backendAvailability())
        if (b.available)
            names << QString::fromStdString(b.name);
    return names;
}

// Beats the claim's heartbeat on a connection of its own until destroyed; stops the session when
// the claim is found taken back (this worker was taken for dead), so that two boards never train
// one queued run to the end.
class Heartbeat
{
public:
    Heartbeat(const QString &database, qint64 queueId, const QString &worker, double seconds, RunSession &session,
              const QueueWorker::Log &log)
        : m_thread([this, database, queueId, worker, seconds, &session, log] { beat(database, queueId, worker, seconds, session, log); })
    {
    }
    ~Heartbeat()
    {
        {
            std::lock_guard guard(m_lock);
            m_done = true;
        }
        m_wake.notify_all();
        m_thread.join();
    }
    bool lostClaim() const { return m_lost; }

private:
    void beat(const QString &database, qint64 queueId, const QString &worker, double seconds, RunSession &session,
              const QueueWorker::Log &log)
    {
        std::unique_ptr<RunStore> store;
        bool reported = false;
        std::unique_lock guard(m_lock);
        while (!m_wake.wait_for(guard, std::chrono::duration<double>(seconds), [&] { return m_done; })) {
            guard.unlock();
            try {
                if (!store)
                    store = std::make_unique<RunStore>(database);
                if (!WorkQueue(*store).heartbeat(queueId, worker)) {
                    m_lost = true;
                    log(QStringLiteral("queued run %1 was taken back from this worker (its heartbeats were late); stopping it").arg(queueId));
                    session.stop();
                }
                reported = false;
            } catch (const StoreError &e) {
                // The server may be away for a while: the run trains on and its writer buffers.
                if (!reported)
                    log(QStringLiteral("heartbeat: %1").arg(QString::fromUtf8(e.what())));
                reported = true;
            }
            guard.lock();
            if (m_lost)
                break;
        }
    }

    std::mutex m_lock;
    std::condition_variable m_wake;
    bool m_done = false;
    std::atomic<bool> m_lost{false};
    std::thread m_thread;
};

} // namespace

QueueWorker::QueueWorker(WorkerOptions options, Log log, std::function<void(RunSession *)> watch)
    : m_options(std::move(options)), m_log(std::move(log)), m_watch(std::move(watch))
{
    if (m_options.board.isEmpty())
        m_options.board = QSysInfo::machineHostName();
    if (m_options.backends.isEmpty())
        m_options.backends = availableBackends();
    m_workerId = QStringLiteral("%1/%2").arg(m_options.board).arg(::getpid());
}

int QueueWorker::run()
{
    RunStore store(m_options.database);
    WorkQueue queue(store);
    m_log(QStringLiteral("worker %1 on %2 (backends %3)").arg(m_workerId, store.displayName(), m_options.backends.join(", ")));
    int trained = 0;
    while (m_options.maxRuns == 0 || trained < m_options.maxRuns) {
        std::optional<QueuedRun> item;
        bool nothingLeft = false;
        try {
            if (const int back = queue.requeueStale(m_options.staleAfterSeconds))
                m_log(QStringLiteral("%1 stale claim(s) queued again").arg(back));
            item = queue.claimNext(m_workerId, m_options.backends);
            nothingLeft = !item && m_options.exitWhenEmpty && !queue.hasWorkFor(m_options.backends);
        } catch (const StoreError &e) {
            if (e.kind() != StoreError::Kind::Unreachable && e.kind() != StoreError::Kind::Busy)
                throw;
            m_log(QStringLiteral("%1; trying again").arg(QString::fromUtf8(e.what())));
            QThread::msleep(ulong(m_options.pollSeconds * 1000));
            continue;
        }
        if (!item) {
            if (nothingLeft)
                break;
            QThread::msleep(ulong(m_options.pollSeconds * 1000));
            continue;
        }
        m_log(QStringLiteral("claimed queued run %1 (%2%3), attempt %4")
                  .arg(item->id)
                  .arg(item->suite.isEmpty() ? QString() : item->suite + ": ", item->name)
                  .arg(item->attempts));
        SessionOptions options = m_options.session;
        try {
            options.spec = parseSpecText(item->specJson.toUtf8(), QStringLiteral("queued run %1").arg(item->id));
        } catch (const std::exception &e) {
            queue.finish(item->id, m_workerId, WorkQueue::Outcome::Failed, QString::fromUtf8(e.what()));
            m_log(QStringLiteral("queued run %1 failed: %2").arg(item->id).arg(QString::fromUtf8(e.what())));
            continue;
        }
        options.databasePath = m_options.database;
        options.suite = item->suite;
        options.board = m_options.board;
        RunSession session(options);
        QObject::connect(&session, &RunSession::started, [&](qint64 runId, const QJsonObject &) {
            if (runId <= 0)
                return;
            try {
                queue.attachRun(item->id, m_workerId, runId);
            } catch (const StoreError &e) {
                // The run is recorded all the same; only the queue's link to it is missing.
                m_log(QStringLiteral("queued run %1: %2").arg(item->id).arg(QString::fromUtf8(e.what())));
            }
        });
        RunSummary summary;
        bool lost = false;
        {
            Heartbeat heartbeat(m_options.database, item->id, m_workerId, m_options.heartbeatSeconds, session, m_log);
            if (m_watch)
                m_watch(&session);
            summary = session.runHere();
            if (m_watch)
                m_watch(nullptr);
            lost = heartbeat.lostClaim();
        }
        ++trained;
        const bool cancelled = summary.status == RunStatus::Cancelled;
        const bool ok = summary.status == RunStatus::Completed || summary.status == RunStatus::Diverged;
        const WorkQueue::Outcome outcome = ok ? WorkQueue::Outcome::Done : cancelled ? WorkQueue::Outcome::Requeue : WorkQueue::Outcome::Failed;
        if (!lost) {
            // The store may be away just now: the outcome is worth waiting for (nothing else can be
            // done without it; the next claim needs the store too).
            for (bool said = false;;) {
                try {
                    queue.finish(item->id, m_workerId, outcome, QString::fromStdString(summary.message));
                    break;
                } catch (const StoreError &e) {
                    if (e.kind() != StoreError::Kind::Unreachable && e.kind() != StoreError::Kind::Busy)
                        throw;
                    if (!said)
                        m_log(QStringLiteral("%1; retrying until the store is back").arg(QString::fromUtf8(e.what())));
                    said = true;
                    QThread::msleep(ulong(m_options.pollSeconds * 1000));
                }
            }
        }
        m_log(QStringLiteral("queued run %1 (run %2): %3").arg(item->id).arg(session.runId()).arg(QString::fromLatin1(runStatusName(summary.status))));
        if (cancelled && !lost)
            break; // stopped by the user: the run is back in the queue for another board
    }
    return trained;
}

} // namespace ffint8
