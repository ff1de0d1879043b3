// The work queue's statements.
#include "app/store/work_queue.h"

#include "app/store/sql_dialect.h"
#include "app/store/store_error.h"
#include "app/store/store_values.h"

#include <QSqlQuery>

namespace ffint8 {

using namespace store_values;

namespace {

constexpr const char *kColumns = "id, suite, name, spec_json, requires_backend, state, worker, run_id, attempts, message";

// "requires_backend = '' OR requires_backend IN (?, ...)": the runs a worker with these backends
// can train; the backends are bound one by one after the statement's other values.
QString runnableBy(const QStringList &backends)
{
    if (backends.isEmpty())
        return QStringLiteral("requires_backend = ''");
    QStringList placeholders;
    for (qsizetype i = 0; i < backends.size(); ++i)
        placeholders << QStringLiteral("?");
    return QStringLiteral("(requires_backend = '' OR requires_backend IN (%1))").arg(placeholders.join(", "));
}

QueuedRun queuedRunOf(const QSqlQuery &q)
{
    QueuedRun r;
    r.id = q.value(0).toLongLong();
    r.suite = q.value(1).toString();
    r.name = q.value(2).toString();
    r.specJson = q.value(3).toString();
    r.requiredBackend = q.value(4).toString();
    r.state = q.value(5).toString();
    r.worker = q.value(6).toString();
    r.runId = q.value(7).toLongLong();
    r.attempts = q.value(8).toInt();
    r.message = q.value(9).toString();
    return r;
}

} // namespace

qint64 WorkQueue::enqueue(const QString &suite, const QString &name, const QString &specJson, const QString &requiredBackend)
{
    QSqlQuery q = m_store.query();
    q.prepare("INSERT INTO queue (suite, name, spec_json, requires_backend, enqueued_at) VALUES (?, ?, ?, ?, ?) RETURNING id");
    bindAll(q, {text(suite), text(name), text(specJson), text(requiredBackend), QVariant(nowUtc())});
    m_store.execute(q, QStringLiteral("cannot queue run %1").arg(name));
    if (!q.next())
        m_store.fail(QStringLiteral("cannot read the queued run's id"), q.lastError());
    return q.value(0).toLongLong();
}

int WorkQueue::requeueStale(double staleAfterSeconds)
{
    const bool pg = m_store.isPostgres();
    int requeued = 0;
    m_store.transaction(QStringLiteral("cannot take back the claims of stopped workers"), [&] {
        QSqlQuery stale = m_store.query();
        stale.prepare(QStringLiteral("SELECT id, worker, run_id FROM queue WHERE state = 'claimed' AND heartbeat_s < %1 - ?%2")
                          .arg(secondsNow(pg), pg ? QStringLiteral(" FOR UPDATE SKIP LOCKED") : QString()));
        stale.addBindValue(staleAfterSeconds);
        m_store.execute(stale, QStringLiteral("cannot list stale claims"));
        struct Claim { qint64 id; QString worker; qint64 runId; };
        QList<Claim> claims;
        while (stale.next())
            claims.append({stale.value(0).toLongLong(), stale.value(1).toString(), stale.value(2).toLongLong()});
        stale.finish();
        for (const Claim &c : claims) {
            const QString why = QStringLiteral("worker %1 sent no heartbeat for %2 s").arg(c.worker).arg(staleAfterSeconds);
            QSqlQuery back = m_store.query();
            back.prepare("UPDATE queue SET state = 'queued', worker = '', message = ? WHERE id = ?");
            bindAll(back, {QVariant(why + "; queued again"), QVariant(c.id)});
            m_store.execute(back, QStringLiteral("cannot queue run %1 again").arg(c.id));
            if (c.runId > 0) {
                QSqlQuery run = m_store.query();
                run.prepare("UPDATE runs SET status = 'interrupted', message = ?, ended_at = ? WHERE id = ? AND status = 'running'");
                bindAll(run, {QVariant(why), QVariant(nowUtc()), QVariant(c.runId)});
                m_store.execute(run, QStringLiteral("cannot mark run %1 interrupted").arg(c.runId));
            }
            ++requeued;
        }
    });
    return requeued;
}

std::optional<QueuedRun> WorkQueue::claimNext(const QString &worker, const QStringList &backends)
{
    const bool pg = m_store.isPostgres();
    std::optional<QueuedRun> claimed;
    m_store.transaction(QStringLiteral("cannot claim a queued run"), [&] {
        claimed.reset();
        QSqlQuery next = m_store.query();
        next.prepare(QStringLiteral("SELECT %1 FROM queue WHERE state = 'queued' AND %2 ORDER BY id LIMIT 1%3")
                         .arg(QLatin1String(kColumns), runnableBy(backends),
                              pg ? QStringLiteral(" FOR UPDATE SKIP LOCKED") : QString()));
        for (const QString &b : backends)
            next.addBindValue(b);
        m_store.execute(next, QStringLiteral("cannot look for a queued run"));
        if (!next.next())
            return;
        QueuedRun r = queuedRunOf(next);
        next.finish();
        QSqlQuery take = m_store.query();
        take.prepare(QStringLiteral("UPDATE queue SET state = 'claimed', worker = ?, claimed_at = ?, heartbeat_s = %1, "
                                    "attempts = attempts + 1, run_id = NULL WHERE id = ? AND state = 'queued'")
                         .arg(secondsNow(pg)));
        bindAll(take, {QVariant(worker), QVariant(nowUtc()), QVariant(r.id)});
        m_store.execute(take, QStringLiteral("cannot claim queued run %1").arg(r.id));
        if (take.numRowsAffected() != 1)
            return; // taken meanwhile (cannot happen under the lock; checked all the same)
        r.state = QStringLiteral("claimed");
        r.worker = worker;
        r.runId = 0;
        ++r.attempts;
        claimed = r;
    });
    return claimed;
}

bool WorkQueue::heartbeat(qint64 queueId, const QString &worker)
{
    QSqlQuery q = m_store.query();
    q.prepare(QStringLiteral("UPDATE queue SET heartbeat_s = %1 WHERE id = ? AND worker = ? AND state = 'claimed'")
                  .arg(secondsNow(m_store.isPostgres())));
    bindAll(q, {QVariant(queueId), QVariant(worker)});
    m_store.execute(q, QStringLiteral("cannot send the heartbeat of queued run %1").arg(queueId));
    return q.numRowsAffected() == 1;
}

void WorkQueue::attachRun(qint64 queueId, const QString &worker, qint64 runId)
{
    QSqlQuery q = m_store.query();
    q.prepare("UPDATE queue SET run_id = ? WHERE id = ? AND worker = ?");
    bindAll(q, {QVariant(runId), QVariant(queueId), QVariant(worker)});
    m_store.execute(q, QStringLiteral("cannot record the run of queued run %1").arg(queueId));
}

void WorkQueue::finish(qint64 queueId, const QString &worker, Outcome outcome, const QString &message)
{
    QSqlQuery q = m_store.query();
    q.prepare("UPDATE queue SET state = ?, worker = CASE WHEN ? THEN '' ELSE worker END, message = ? "
              "WHERE id = ? AND worker = ? AND state = 'claimed'");
    const bool requeue = outcome == Outcome::Requeue;
    bindAll(q, {QVariant(outcome == Outcome::Done ? "done" : outcome == Outcome::Failed ? "failed" : "queued"),
                QVariant(requeue), text(message), QVariant(queueId), QVariant(worker)});
    m_store.execute(q, QStringLiteral("cannot record how queued run %1 ended").arg(queueId));
}

bool WorkQueue::hasWorkFor(const QStringList &backends)
{
    QSqlQuery q = m_store.query();
    q.prepare(QStringLiteral("SELECT 1 FROM queue WHERE state = 'claimed' OR (state = 'queued' AND %1) LIMIT 1")
                  .arg(runnableBy(backends)));
    for (const QString &b : backends)
        q.addBindValue(b);
    m_store.execute(q, QStringLiteral("cannot look at the queue"));
    return q.next();
}

bool WorkQueue::removeQueued(qint64 queueId)
{
    QSqlQuery q = m_store.query();
    q.prepare("DELETE FROM queue WHERE id = ? AND state = 'queued'");
    q.addBindValue(queueId);
    m_store.execute(q, QStringLiteral("cannot remove queued run %1").arg(queueId));
    return q.numRowsAffected() == 1;
}

QList<QueuedRun> WorkQueue::items(const QString &suite)
{
    QSqlQuery q = m_store.query();
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1 FROM queue WHERE ? = '' OR suite = ? ORDER BY id").arg(QLatin1String(kColumns)));
    bindAll(q, {text(suite), text(suite)});
    m_store.execute(q, QStringLiteral("cannot list the queue"));
    QList<QueuedRun> list;
    while (q.next())
        list << queuedRunOf(q);
    return list;
}

QueueCounts WorkQueue::counts(const QString &suite)
{
    QSqlQuery q = m_store.query();
    q.prepare("SELECT state, COUNT(*) FROM queue WHERE ? = '' OR suite = ? GROUP BY state");
    bindAll(q, {text(suite), text(suite)});
    m_store.execute(q, QStringLiteral("cannot count the queue"));
    QueueCounts c;
    while (q.next()) {
        const QString state = q.value(0).toString();
        const int n = q.value(1).toInt();
        (state == "queued" ? c.queued : state == "claimed" ? c.claimed : state == "done" ? c.done : c.failed) = n;
    }
    return c;
}

} // namespace ffint8
