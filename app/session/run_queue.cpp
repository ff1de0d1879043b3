// The run queue: one RunSession at a time, the next started when the last one's finished() arrives.
#include "app/session/run_queue.h"

#include <QTimer>

namespace ffint8 {

RunQueue::RunQueue(QObject *parent) : QObject(parent) { }

RunQueue::~RunQueue()
{
    m_pending.clear();
    // RunSession's destructor stops a run still training and joins its thread.
    m_current.reset();
}

void RunQueue::enqueue(SessionOptions options)
{
    m_pending.append(std::move(options));
    emit pendingChanged();
    if (!m_busy)
        startNext();
}

bool RunQueue::removePending(int index)
{
    if (index < 0 || index >= m_pending.size())
        return false;
    m_pending.removeAt(index);
    emit pendingChanged();
    return true;
}

bool RunQueue::movePending(int index, int delta)
{
    const int target = index + delta;
    if (index < 0 || index >= m_pending.size() || target < 0 || target >= m_pending.size())
        return false;
    m_pending.move(index, target);
    emit pendingChanged();
    return true;
}

void RunQueue::setPendingDatabasePath(const QString &path)
{
    for (SessionOptions &waiting : m_pending)
        waiting.databasePath = path;
}

void RunQueue::stopCurrent()
{
    if (!m_current || !m_busy) // a session that has ended stays current until the next starts
        return;
    m_current->stop();
    emit stopRequested(m_current.get());
}

void RunQueue::stopAll()
{
    if (!m_pending.isEmpty()) {
        m_pending.clear();
        emit pendingChanged();
    }
    stopCurrent();
}

void RunQueue::waitForCurrent()
{
    if (m_current)
        m_current->wait();
}

void RunQueue::startNext()
{
    if (m_pending.isEmpty() || m_busy)
        return;
    m_busy = true;
    // The previous session has emitted finished(); its destructor joins a thread that is ending.
    m_current.reset();
    m_current = std::make_unique<RunSession>(m_pending.takeFirst());
    RunSession *session = m_current.get();
    connect(session, &RunSession::finished, this, [this, session](const RunSummary &summary) {
        m_busy = false;
        emit sessionEnded(session, summary);
        // Later, so that other receivers of finished() (queued like this one) see the session alive.
        QTimer::singleShot(0, this, [this] {
            if (m_busy)
                return; // an experiment enqueued meanwhile has started
            if (m_pending.isEmpty())
                emit drained();
            else
                startNext();
        });
    });
    emit pendingChanged();
    emit sessionStarting(session);
    session->start();
}

} // namespace ffint8
