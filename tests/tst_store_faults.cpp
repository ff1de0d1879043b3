// The run store under faults, with real processes and real files: another process holding the
// write lock while a run trains (the run buffers and goes on), and a disk that fills mid-run (the
// run fails with the reason and what was written stays readable). SIGKILL is in tst_run_store.
#include "app/store/run_store.h"
#include "app/store/run_writer.h"
#include "support/synthetic_data.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QtTest>

#include <csignal>

using namespace ffint8;

class TestStoreFaults : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_data;

    // Reads the JSON events of `p` until `enough` says so or the process ends.
    static QList<QJsonObject> readEventsUntil(QProcess &p, QList<QJsonObject> &events,
                                              const std::function<bool(const QList<QJsonObject> &)> &enough, int timeoutMs = 60000)
    {
        QElapsedTimer clock;
        clock.start();
        while (!enough(events) && clock.elapsed() < timeoutMs) {
            if (p.state() != QProcess::Running && !p.canReadLine())
                break;
            if (!p.canReadLine())
                p.waitForReadyRead(200);
            while (p.canReadLine())
                events << QJsonDocument::fromJson(p.readLine()).object();
        }
        return events;
    }

    static int count(const QList<QJsonObject> &events, const QString &type)
    {
        return int(std::count_if(events.begin(), events.end(), [&](const QJsonObject &e) { return e["event"].toString() == type; }));
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_data = m_dir.filePath("clusters");
        QVERIFY(QDir().mkpath(m_data));
        QVERIFY(testing::writeIdxClusters(m_data, 3000, 100));
    }

    // The writer batches many rows into few transactions, and flush() waits for them.
    void writerCommitsBatches()
    {
        const QString path = m_dir.filePath("batches.sqlite");
        RunWriter writer(path);
        RunRecord r;
        r.name = "batched";
        const qint64 id = writer.createRun(r, {{"training.lr", "0.03"}}, {"t"});
        for (int step = 1; step <= 5000; ++step) {
            StoredProgress p;
            p.step = step;
            p.metrics.epoch = 0;
            p.metrics.batch = step;
            p.metrics.batchesPerEpoch = 5000;
            p.metrics.trainLoss = 1.0 / step;
            p.metrics.layers = {LayerMetrics{1.0, 2.0, 0.5, NAN, NAN}, LayerMetrics{3.0, 4.0, 0.25, NAN, NAN}};
            writer.addProgress(id, p);
        }
        QVERIFY(writer.flush(30000));
        QCOMPARE(writer.buffered(), size_t(0));
        RunStore store(path);
        const std::vector<StoredProgress> stored = store.progress(id);
        QCOMPARE(stored.size(), size_t(5000));
        QCOMPARE(stored.back().metrics.trainLoss, 1.0 / 5000);
        QCOMPARE(stored.back().metrics.layers.size(), size_t(2));
        QCOMPARE(stored.back().metrics.layers[1].goodnessNeg, 4.0);
        QCOMPARE(store.params(id).first().second, QString("0.03"));
        QCOMPARE(store.tags(id), QStringList{"t"});
    }

    // Another process (the sqlite3 shell) holds the write lock for longer than the busy timeout
    // while a run trains: the run goes on, says the writes wait, and everything lands afterwards.
    void runOutlastsALockHeldByAnotherProcess()
    {
        const QString sqlite3 = QStandardPaths::findExecutable("sqlite3");
        QVERIFY2(!sqlite3.isEmpty(), "the sqlite3 shell is needed (scripts/setup.sh installs it)");
        const QString path = m_dir.filePath("locked.sqlite");
        QProcess train;
        train.start(FFINT8_CLI_PATH, {"train", "--dataset", m_data, "--layers", "784,64,64", "--epochs", "1000", "--batch", "16",
                                      "--threads", "1", "--metrics-every", "20", "--json", "--telemetry", "none", "--db", path});
        QVERIFY(train.waitForStarted());
        QList<QJsonObject> events;
        readEventsUntil(train, events, [](const QList<QJsonObject> &e) { return count(e, "epoch") >= 1; });
        QVERIFY2(count(events, "epoch") >= 1, train.readAllStandardError().constData());
        const qint64 runId = events.first()["run_id"].toInteger();
        QVERIFY(runId > 0);

        QProcess locker;
        locker.start(sqlite3, {path});
        QVERIFY(locker.waitForStarted());
        // The shell waits for the run's own short write transactions (it has no busy timeout by
        // default, and a BEGIN that met one failed, took no lock, and the run never had to wait).
        locker.write(".timeout 5000\nBEGIN IMMEDIATE;\nINSERT INTO tags (run_id, tag) VALUES (" + QByteArray::number(runId) + ", 'held');\n");
        QTest::qWait(7000); // longer than the store's 5 s busy timeout
        const int epochsWhileLocked = count(readEventsUntil(train, events, [](const QList<QJsonObject> &) { return true; }, 0), "epoch");
        QByteArray errors = train.readAllStandardError();
        QVERIFY2(errors.contains("another process holds the write lock"), errors.constData());
        QCOMPARE(train.state(), QProcess::Running); // the run did not die for it
        locker.write("COMMIT;\n.quit\n");
        locker.closeWriteChannel();
        QVERIFY(locker.waitForFinished(10000));

        // Two more epochs after the lock is gone, then Ctrl-C.
        readEventsUntil(train, events, [&](const QList<QJsonObject> &e) { return count(e, "epoch") >= epochsWhileLocked + 2; });
        ::kill(pid_t(train.processId()), SIGINT);
        QVERIFY(train.waitForFinished(30000));
        readEventsUntil(train, events, [](const QList<QJsonObject> &) { return false; }, 1000);
        errors += train.readAllStandardError();
        QCOMPARE(train.exitCode(), 4);
        QVERIFY2(errors.contains("writable again"), errors.constData());

        RunStore store(path);
        const RunRecord run = *store.run(runId);
        QCOMPARE(run.status, QString("cancelled"));
        QCOMPARE(store.epochCount(runId), count(events, "epoch"));
        QCOMPARE(int(store.progress(runId).size()), count(events, "progress"));
        QCOMPARE(store.tags(runId), QStringList{"held"});
        QCOMPARE(store.integrityCheck(), QString("ok"));
    }

    // The disk fills mid-run (a file size limit, which SQLite meets exactly as a full disk): the
    // run stops, is marked failed with the reason, and every epoch written before stays readable.
    void fullDiskFailsTheRunAndKeepsWhatWasWritten()
    {
        const QString path = m_dir.filePath("full.sqlite");
        { RunStore create(path); }
        QProcess train;
        // bash sets the limit for the process it becomes; SIGXFSZ ignored, so a write past the
        // limit fails the way a write to a full disk does instead of killing the process.
        const QString command = QStringLiteral("trap '' XFSZ; ulimit -f 384; exec \"$0\" \"$@\"");
        train.start("bash", {"-c", command, FFINT8_CLI_PATH, "train", "--dataset", m_data, "--layers", "784,32,32", "--epochs",
                             "1000", "--batch", "16", "--threads", "1", "--metrics-every", "1", "--json", "--telemetry", "none",
                             "--db", path});
        QVERIFY(train.waitForFinished(120000));
        const QByteArray out = train.readAllStandardOutput();
        const QByteArray errors = train.readAllStandardError();
        QCOMPARE(train.exitCode(), 1);
        QVERIFY2(errors.contains("could not be written") || errors.contains("disk") || errors.contains("I/O"), errors.constData());
        const int epochsReported = int(out.count("\"event\":\"epoch\""));
        QVERIFY2(epochsReported >= 1, errors.constData());

        RunStore store(path);
        QCOMPARE(store.integrityCheck(), QString("ok"));
        const RunRecord run = store.runs().first();
        QCOMPARE(run.status, QString("failed"));
        QVERIFY2(run.message.contains("could not be written"), qPrintable(run.message));
        QVERIFY(store.epochCount(run.id) >= epochsReported - 1);
        QVERIFY(store.progress(run.id).size() > 100);
    }
};

QTEST_GUILESS_MAIN(TestStoreFaults)
#include "tst_store_faults.moc"
