// The experiments a user has queued: they run one after another, each as a RunSession, so a GUI can
// line up an evening's comparison and walk away. Lives on the thread that drives it (the GUI thread);
// the runs themselves train on their sessions' threads.
#pragma once

#include "app/session/run_session.h"

#include <QList>
#include <QObject>
#include <memory>

namespace ffint8 {

class RunQueue : public QObject
{
    Q_OBJECT
public:
    explicit RunQueue(QObject *parent = nullptr);
    // Stops the running experiment (it is recorded as cancelled) and drops the ones waiting.
    ~RunQueue() override;

    // Adds an experiment; it starts at once when nothing is running.
    void enqueue(SessionOptions options);
    // Removes a waiting experiment (index into pending()); false when there is none at that index.
    bool removePending(int index);
    // Moves a waiting experiment one place earlier (delta -1) or later (+1).
    bool movePending(int index, int delta);
    // Records the waiting experiments in the store at `path` (the user switched stores); the one
    // training keeps writing to the store it opened.
    void setPendingDatabasePath(const QString &path);

    // The session training now, or the last one that ran (kept for its figures until the next
    // starts); null before the first.
    RunSession *current() const { return m_current.get(); }
    bool isRunning() const { return m_busy; }
    const QList<SessionOptions> &pending() const { return m_pending; }

    // Stops the current run; the queue goes on with the next one.
    void stopCurrent();
    // Drops every waiting experiment and stops the current run.
    void stopAll();
    // Blocks until the current run's thread has ended (after stopAll, when the program closes).
    void waitForCurrent();

signals:
    // A session was made and is about to start: connect to it here to miss none of its signals.
    void sessionStarting(ffint8::RunSession *session);
    void sessionEnded(ffint8::RunSession *session, const ffint8::RunSummary &summary);
    void pendingChanged();
    // stopCurrent() asked the running session to stop after its batch (from any button or menu).
    void stopRequested(ffint8::RunSession *session);
    // Nothing is running and nothing waits.
    void drained();

private:
    void startNext();

    std::unique_ptr<RunSession> m_current;
    QList<SessionOptions> m_pending;
    bool m_busy = false; // from a session's start until its finished() has been handled here
};

} // namespace ffint8
