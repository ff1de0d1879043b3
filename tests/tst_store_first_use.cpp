// A new run store's first use by many processes at once: every one of them creates, migrates and
// opens it without error, and the store they leave is whole.
#include "app/store/run_store.h"
#include "support/cli_process.h"
#include "support/synthetic_data.h"

#include <QtTest>

#include <memory>
#include <vector>

using namespace ffint8;
using namespace ffint8::testing;

class TestStoreFirstUse : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    // Starts every command before waiting for any, so that they race for the new file.
    static QList<CliResult> runTogether(const QList<QStringList> &commands, const QMap<QString, QString> &env = {})
    {
        std::vector<std::unique_ptr<QProcess>> processes;
        for (const QStringList &args : commands) {
            processes.push_back(std::make_unique<QProcess>());
            startCli(*processes.back(), args, env);
        }
        QList<CliResult> results;
        for (auto &p : processes)
            results << finishCli(*p);
        return results;
    }

    static void verifyWhole(const QString &path)
    {
        RunStore store(path);
        QCOMPARE(store.schemaVersion(), kStoreSchemaVersion);
        QCOMPARE(store.integrityCheck(), QString("ok"));
    }

private slots:
    // 8 processes, 20 new stores: the reported failure was "table runs already exists" in 5 of 6
    // tries with two processes.
    void manyProcessesOpenOneNewStore()
    {
        constexpr int kProcesses = 8, kRounds = 20;
        for (int round = 0; round < kRounds; ++round) {
            const QString path = m_dir.filePath(QStringLiteral("round%1/runs.sqlite").arg(round));
            const QList<CliResult> results = runTogether(QList<QStringList>(kProcesses, {"runs", "list", "--db", path}));
            for (int i = 0; i < results.size(); ++i)
                QVERIFY2(results[i].exitCode == 0 && results[i].err.isEmpty(),
                         qPrintable(QStringLiteral("round %1, process %2: exit %3: %4").arg(round).arg(i)
                                        .arg(results[i].exitCode).arg(results[i].err)));
            verifyWhole(path);
        }
    }

    // The reported case itself, on a new store and on one that exists: training runs started
    // together all record, each under its own id, and all finish. On an existing store this lost
    // runs in 7 of 15 rounds (two processes given one id, results never written) until RunStore
    // stopped dropping its process's locks on the file (see its constructor).
    void trainingRunsStartedTogetherAllRecord_data()
    {
        QTest::addColumn<bool>("existing");
        QTest::newRow("new store") << false;
        QTest::newRow("existing store") << true;
    }

    void trainingRunsStartedTogetherAllRecord()
    {
        QFETCH(bool, existing);
        const QString data = QFile::exists(m_dir.filePath("clusters")) ? m_dir.filePath("clusters")
                                                                       : clusterFolder(m_dir.path(), 200, 50);
        QVERIFY(!data.isEmpty());
        constexpr int kRuns = 4, kRounds = 5;
        for (int round = 0; round < kRounds; ++round) {
            const QString path = m_dir.filePath(QStringLiteral("train-%1-%2/runs.sqlite").arg(existing).arg(round));
            if (existing)
                QCOMPARE(runCli({"runs", "list", "--db", path}).exitCode, 0);
            QList<QStringList> commands;
            for (int i = 0; i < kRuns; ++i)
                commands << QStringList{"train", "--db", path, "--dataset", data, "--layers", "784,16", "--epochs", "1",
                                        "--batch", "16", "--threads", "1", "--telemetry", "none", "--json", "--seed",
                                        QString::number(i + 1)};
            const QList<CliResult> results = runTogether(commands);
            QSet<qint64> ids;
            for (int i = 0; i < results.size(); ++i) {
                QVERIFY2(results[i].exitCode == 0 && results[i].err.isEmpty(),
                         qPrintable(QStringLiteral("round %1, run %2: exit %3: %4").arg(round).arg(i).arg(results[i].exitCode).arg(results[i].err)));
                ids << results[i].events.value(0)["run_id"].toInteger();
            }
            QCOMPARE(ids.size(), kRuns); // each process recorded under its own id
            verifyWhole(path);
            RunStore store(path);
            const QList<RunRecord> runs = store.runs();
            QCOMPARE(runs.size(), kRuns);
            for (const RunRecord &r : runs) {
                QVERIFY2(r.status == "completed", qPrintable(QStringLiteral("round %1: run %2 is %3 (%4)").arg(round).arg(r.id).arg(r.status, r.message)));
                QCOMPARE(store.epochCount(r.id), 1);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestStoreFirstUse)
#include "tst_store_first_use.moc"
