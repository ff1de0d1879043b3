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

    // The reported case itself: training runs started together against a new store all record.
    void trainingRunsStartedTogetherAllRecord()
    {
        const QString data = clusterFolder(m_dir.path(), 200, 50);
        QVERIFY(!data.isEmpty());
        const QString path = m_dir.filePath("train/runs.sqlite");
        constexpr int kRuns = 4;
        QList<QStringList> commands;
        for (int i = 0; i < kRuns; ++i)
            commands << QStringList{"train", "--db", path, "--dataset", data, "--layers", "784,16", "--epochs", "1",
                                    "--batch", "16", "--threads", "1", "--telemetry", "none", "--seed", QString::number(i + 1)};
        const QList<CliResult> results = runTogether(commands);
        for (int i = 0; i < results.size(); ++i)
            QVERIFY2(results[i].exitCode == 0, qPrintable(QStringLiteral("run %1: exit %2: %3").arg(i).arg(results[i].exitCode).arg(results[i].err)));
        verifyWhole(path);
        RunStore store(path);
        const QList<RunRecord> runs = store.runs();
        QCOMPARE(runs.size(), kRuns);
        for (const RunRecord &r : runs) {
            QCOMPARE(r.status, QString("completed"));
            QCOMPARE(store.epochCount(r.id), 1);
        }
    }
};

QTEST_GUILESS_MAIN(TestStoreFirstUse)
#include "tst_store_first_use.moc"
