// The work queue of a shared store, with a real PostgreSQL server and real `ffint8 worker`
// processes: claims matched to each board's backends, 200 tiny runs taken by three workers at once
// with none claimed twice, a worker killed with SIGKILL mid-run (its run queued again after the
// heartbeat timeout and finished by another worker, the interrupted attempt's epochs kept), and the
// same queue on an SQLite file.
#include "app/spec/experiment_spec.h"
#include "app/store/run_store.h"
#include "app/store/store_error.h"
#include "app/store/work_queue.h"
#include "support/cli_process.h"
#include "support/postgres_server.h"
#include "support/synthetic_data.h"

#include <QtTest>

#include <csignal>

using namespace ffint8;
using ffint8::testing::PostgresServer;
using ffint8::testing::runCli;

class TestWorkQueue : public QObject
{
    Q_OBJECT

    PostgresServer m_server;
    QTemporaryDir m_dir;
    QString m_data;

    // A suite file of `runs` seeds of a small MLP on the synthetic data.
    QString suiteFile(const QString &name, int runs, int epochs, const QString &layers)
    {
        const QString spec = m_dir.filePath(name + "-run.json");
        QFile s(spec);
        if (!s.open(QIODevice::WriteOnly))
            qFatal("cannot write %s", qPrintable(spec));
        s.write(QStringLiteral(R"({"format": "ffint8-experiment", "version": 1, "name": "%1", "algorithm": "ff-int8",
            "dataset": {"name": "%2"}, "model": {"layers": [%3]},
            "training": {"epochs": %4, "batch": 16, "metrics_every": 5},
            "backend": {"name": "cpu", "threads": 1}})")
                    .arg(name, m_data, layers)
                    .arg(epochs)
                    .toUtf8());
        s.close();
        QStringList seeds;
        for (int i = 1; i <= runs; ++i)
            seeds << QString::number(i);
        const QString path = m_dir.filePath(name + ".json");
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            qFatal("cannot write %s", qPrintable(path));
        f.write(QStringLiteral(R"({"format": "ffint8-suite", "version": 1, "name": "%1", "base": "%2",
            "sweep": {"training.seed": [%3]}, "runs": [{"name": "%1"}]})")
                    .arg(name, QFileInfo(spec).fileName(), seeds.join(", "))
                    .toUtf8());
        f.close();
        return path;
    }

    static QStringList workerArgs(const QString &address, const QStringList &extra)
    {
        return QStringList{"worker", "--db", address, "--telemetry", "none", "--poll", "0.2"} + extra;
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(m_server.start(), qPrintable(m_server.error()));
        m_data = m_dir.filePath("clusters");
        QVERIFY(QDir().mkpath(m_data));
        QVERIFY(ffint8::testing::writeIdxClusters(m_data, 2000, 200));
    }

    // A run that needs CUDA waits for a board that has it; claims go oldest first; a claim that is
    // not the worker's any more cannot be beaten or finished by it.
    void claimsMatchTheBoardsBackends()
    {
        RunStore store(m_server.newStore());
        WorkQueue queue(store);
        const qint64 cuda = queue.enqueue("s", "on the gpu", "{}", "cuda");
        const qint64 cpu = queue.enqueue("s", "anywhere", "{}", "cpu");
        const qint64 any = queue.enqueue("s", "no requirement", "{}", {});
        const auto first = queue.claimNext("orin/1", {"cpu"});
        QVERIFY(first && first->id == cpu && first->attempts == 1 && first->state == "claimed");
        const auto second = queue.claimNext("orin/1", {"cpu"});
        QVERIFY(second && second->id == any);
        QVERIFY(!queue.claimNext("orin/1", {"cpu"}));
        const auto third = queue.claimNext("desktop/2", {"cpu", "cuda"});
        QVERIFY(third && third->id == cuda);
        QVERIFY(queue.heartbeat(cpu, "orin/1"));
        QVERIFY(!queue.heartbeat(cpu, "desktop/2"));
        queue.finish(cpu, "orin/1", WorkQueue::Outcome::Done);
        QVERIFY(!queue.heartbeat(cpu, "orin/1"));
        queue.finish(any, "orin/1", WorkQueue::Outcome::Requeue, "stopped by the user");
        const QueueCounts c = queue.counts();
        QCOMPARE(c.queued, 1);
        QCOMPARE(c.claimed, 1);
        QCOMPARE(c.done, 1);
        // Only a stale claim goes back: desktop/2's heartbeat is fresh.
        QCOMPARE(queue.requeueStale(30.0), 0);

        // What is left for a worker: nothing for a CPU board while only a CUDA run waits; once a
        // board claims it, a claim that may come back.
        RunStore other(m_server.newStore());
        WorkQueue gpuOnly(other);
        const qint64 waiting = gpuOnly.enqueue("s", "gpu only", "{}", "cuda");
        QVERIFY(!gpuOnly.hasWorkFor({"cpu"}));
        QVERIFY(gpuOnly.hasWorkFor({"cpu", "cuda"}));
        QVERIFY(gpuOnly.claimNext("desktop/3", {"cuda"}));
        QVERIFY(gpuOnly.hasWorkFor({"cpu"}));
        gpuOnly.finish(waiting, "desktop/3", WorkQueue::Outcome::Done);
        QVERIFY(!gpuOnly.hasWorkFor({"cpu", "cuda"}));
    }

    // Three workers on 200 tiny runs: every run is claimed once and completed, by some worker.
    void noRunIsClaimedTwice()
    {
        const QString address = m_server.newStore();
        const auto queued = runCli({"run", suiteFile("tiny", 200, 1, "784, 8"), "--db", address, "--queue"});
        QVERIFY2(queued.exitCode == 0, qPrintable(queued.err));
        QVERIFY2(queued.out.contains("queued 200 run(s) of tiny"), qPrintable(queued.out));
        std::vector<std::unique_ptr<QProcess>> workers;
        for (int i = 0; i < 3; ++i) {
            workers.push_back(std::make_unique<QProcess>());
            ffint8::testing::startCli(*workers.back(), workerArgs(address, {"--exit-when-empty", "--board", QStringLiteral("board%1").arg(i)}));
        }
        QStringList outputs;
        for (auto &w : workers) {
            const auto r = ffint8::testing::finishCli(*w, 600000);
            QVERIFY2(r.exitCode == 0, qPrintable(r.err.right(2000)));
            outputs << r.out;
        }
        RunStore store(address);
        WorkQueue queue(store);
        const QList<QueuedRun> items = queue.items();
        QCOMPARE(items.size(), 200);
        QSet<qint64> runIds;
        for (const QueuedRun &item : items) {
            QVERIFY2(item.state == "done" && item.attempts == 1,
                     qPrintable(QStringLiteral("queued run %1: %2 after %3 claims").arg(item.id).arg(item.state).arg(item.attempts)));
            QVERIFY(item.runId > 0);
            runIds.insert(item.runId);
        }
        QCOMPARE(runIds.size(), 200);
        RunFilter suite;
        suite.suite = "tiny";
        const QList<RunRecord> runs = store.runs(suite);
        QCOMPARE(runs.size(), 200);
        QSet<QString> boards;
        for (const RunRecord &r : runs) {
            QCOMPARE(r.status, QString("completed"));
            boards.insert(r.board);
        }
        // Each worker says how many it trained; together, all of them.
        int trained = 0;
        for (const QString &out : outputs) {
            const QRegularExpressionMatch m = QRegularExpression(": (\\d+) run\\(s\\) trained").match(out);
            QVERIFY2(m.hasMatch(), qPrintable(out));
            trained += m.captured(1).toInt();
        }
        QCOMPARE(trained, 200);
        QVERIFY(boards.size() >= 2); // the work was shared
    }

    // A worker killed mid-run: another worker takes its run back after the heartbeat timeout and
    // finishes it; the killed attempt stays, interrupted, with the epochs it completed.
    void killedWorkersRunIsQueuedAgain()
    {
        const QString address = m_server.newStore();
        const auto queued = runCli({"run", suiteFile("long", 1, 40, "784, 256, 256"), "--db", address, "--queue"});
        QVERIFY2(queued.exitCode == 0, qPrintable(queued.err));
        QProcess first;
        ffint8::testing::startCli(first, workerArgs(address, {"--board", "first", "--heartbeat", "0.5", "--stale-after", "3"}));
        RunStore store(address);
        QDeadlineTimer deadline(120000);
        qint64 runId = 0;
        while (!deadline.hasExpired()) {
            const QList<RunRecord> runs = store.runs();
            if (!runs.isEmpty() && store.epochCount(runs[0].id) >= 1) {
                runId = runs[0].id;
                break;
            }
            QThread::msleep(100);
        }
        QVERIFY2(runId > 0, "the first worker did not complete an epoch");
        ::kill(pid_t(first.processId()), SIGKILL);
        first.waitForFinished(10000);
        const int epochsBeforeKill = store.epochCount(runId);

        const auto second = runCli(workerArgs(address, {"--board", "second", "--heartbeat", "0.5", "--stale-after", "3",
                                                        "--exit-when-empty"}),
                                   {}, 600000);
        QVERIFY2(second.exitCode == 0, qPrintable(second.err.right(2000)));
        QVERIFY2(second.err.contains("1 stale claim(s) queued again"), qPrintable(second.err.right(2000)));

        WorkQueue queue(store);
        const QueuedRun item = queue.items().first();
        QCOMPARE(item.state, QString("done"));
        QCOMPARE(item.attempts, 2);
        const RunRecord killed = *store.run(runId);
        QCOMPARE(killed.status, QString("interrupted"));
        // The second worker runs on the same host, so opening the store finds the killed process
        // gone before the heartbeat timeout does; on another board the timeout says it.
        QVERIFY2(killed.message.contains("sent no heartbeat") || killed.message.contains("ended without finishing"),
                 qPrintable(killed.message));
        QCOMPARE(killed.board, QString("first"));
        QVERIFY(store.epochCount(runId) >= epochsBeforeKill);
        QVERIFY(!store.epochs(runId).empty());
        const RunRecord finished = *store.run(item.runId);
        QVERIFY(item.runId != runId);
        QCOMPARE(finished.status, QString("completed"));
        QCOMPARE(finished.board, QString("second"));
        QCOMPARE(store.epochCount(item.runId), 40);
    }

    // The server stops for 20 s while a worker trains: the worker trains on, its metrics wait in
    // its writer, and once the server is back every epoch and report is written and the queued run
    // is recorded done (its claim was not taken back: 20 s is within --stale-after).
    void workerOutlivesTheServerStopping()
    {
        const QString address = m_server.newStore();
        const auto queued = runCli({"run", suiteFile("outage", 1, 30, "784, 128, 128"), "--db", address, "--queue"});
        QVERIFY2(queued.exitCode == 0, qPrintable(queued.err));
        QProcess worker;
        ffint8::testing::startCli(worker, workerArgs(address, {"--board", "through", "--heartbeat", "1", "--stale-after", "120",
                                                               "--exit-when-empty"}));
        qint64 runId = 0;
        {
            RunStore store(address);
            QDeadlineTimer deadline(120000);
            while (!deadline.hasExpired() && runId == 0) {
                const QList<RunRecord> runs = store.runs();
                if (!runs.isEmpty() && store.epochCount(runs[0].id) >= 1)
                    runId = runs[0].id;
                else
                    QThread::msleep(100);
            }
        }
        QVERIFY2(runId > 0, "the worker did not complete an epoch");
        m_server.stop();
        QThread::msleep(20000);
        QVERIFY2(m_server.restart(), qPrintable(m_server.error()));
        const auto r = ffint8::testing::finishCli(worker, 600000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err.right(3000)));
        QVERIFY2(r.err.contains("cannot be reached"), qPrintable(r.err.right(3000)));

        RunStore store(address);
        const RunRecord run = *store.run(runId);
        QCOMPARE(run.status, QString("completed"));
        QCOMPARE(store.epochCount(runId), 30);
        QCOMPARE(run.epochsDone, 30);
        // Every report: 2,000 images in batches of 16 is 125 batches an epoch, a report every 5.
        QCOMPARE(qint64(store.progress(runId).size()), qint64(30 * 125 / 5));
        const QueuedRun item = WorkQueue(store).items().first();
        QCOMPARE(item.state, QString("done"));
        QCOMPARE(item.attempts, 1);
        QCOMPARE(item.runId, runId);
    }

    // The same queue on an SQLite file, for the workers of one machine.
    void queueOnAnSqliteFile()
    {
        const QString path = m_dir.filePath("local-queue.sqlite");
        const auto queued = runCli({"run", suiteFile("local", 4, 1, "784, 8"), "--db", path, "--queue"});
        QVERIFY2(queued.exitCode == 0, qPrintable(queued.err));
        const auto worker = runCli(workerArgs(path, {"--exit-when-empty", "--max-runs", "3"}));
        QVERIFY2(worker.exitCode == 0, qPrintable(worker.err));
        QVERIFY2(worker.out.contains(": 3 run(s) trained"), qPrintable(worker.out));
        RunStore store(path);
        const QueueCounts c = WorkQueue(store).counts("local");
        QCOMPARE(c.done, 3);
        QCOMPARE(c.queued, 1);

        // What the queue holds, from the command line; a run no board has claimed can be taken out.
        const auto listed = runCli({"queue", "list", "--db", path, "--suite", "local"});
        QCOMPARE(listed.exitCode, 0);
        QVERIFY2(listed.out.contains("1 queued, 0 claimed, 3 done, 0 failed"), qPrintable(listed.out));
        const auto json = runCli({"queue", "list", "--db", path, "--json"});
        QCOMPARE(json.events.size(), 4);
        qint64 queuedId = 0, doneId = 0;
        for (const QJsonObject &e : json.events)
            (e["state"].toString() == "queued" ? queuedId : doneId) = e["id"].toInteger();
        const auto refused = runCli({"queue", "remove", QString::number(doneId), "--db", path});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains("no board has claimed"), qPrintable(refused.err));
        const auto removed = runCli({"queue", "remove", QString::number(queuedId), "--db", path});
        QVERIFY2(removed.exitCode == 0, qPrintable(removed.err));
        QCOMPARE(WorkQueue(store).counts("local").queued, 0);
        QCOMPARE(WorkQueue(store).counts("local").done, 3);
    }

    void refusesBadWorkerSettings()
    {
        const auto noDb = runCli({"worker"});
        QCOMPARE(noDb.exitCode, 2);
        QVERIFY(noDb.err.contains("--db names the store"));
        const auto tight = runCli({"worker", "--db", "x.sqlite", "--heartbeat", "5", "--stale-after", "8"});
        QCOMPARE(tight.exitCode, 2);
        QVERIFY2(tight.err.contains("more than twice --heartbeat"), qPrintable(tight.err));
    }
};

QTEST_GUILESS_MAIN(TestWorkQueue)
#include "tst_work_queue.moc"
