// The time to a target accuracy, end to end: a run records the first epoch whose test accuracy
// reached training.target_accuracy and the training seconds up to it, in its events, its output and
// the store; a target never reached is recorded as such and the run trains on.
#include "support/cli_process.h"
#include "support/synthetic_data.h"

#include <QJsonArray>
#include <QtTest>
#include <cmath>

using namespace ffint8::testing;

class TestTimeToTarget : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_data;
    QString m_db;
    // The reference run's test accuracy after each epoch (fractions), without a target.
    QList<double> m_accuracies;

    static constexpr int kEpochs = 5;

    // A run slow enough to improve over several epochs: BP at a tenth of its learning rate on a few
    // hundred examples, on the reference backend, which repeats its bits in every run.
    QStringList trainArgs(const QStringList &extra) const
    {
        return QStringList{"train",
                           "--dataset",
                           m_data,
                           "--algo",
                           "bp-fp32",
                           "--layers",
                           "784,16",
                           "--epochs",
                           QString::number(kEpochs),
                           "--batch",
                           "16",
                           "--lr",
                           "0.0001",
                           "--train-limit",
                           "400",
                           "--backend",
                           "reference",
                           "--telemetry",
                           "none"}
        + extra;
    }

    static QList<QJsonObject> eventsOf(const CliResult &r, const QString &kind)
    {
        QList<QJsonObject> list;
        for (const QJsonObject &e : r.events)
            if (e["event"].toString() == kind)
                list << e;
        return list;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_data = clusterFolder(m_dir.path(), 600, 500);
        QVERIFY(!m_data.isEmpty());
        m_db = m_dir.filePath("runs.sqlite");
        const CliResult r = runCli(trainArgs({"--json", "--no-db"}));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        for (const QJsonObject &e : eventsOf(r, "epoch"))
            m_accuracies << e["test_acc"].toDouble();
        QCOMPARE(m_accuracies.size(), kEpochs);
        qInfo() << "test accuracy after each epoch:" << m_accuracies;
        // No target: no target event and no target fields in the summary.
        QVERIFY(eventsOf(r, "target_reached").isEmpty());
        QVERIFY(!eventsOf(r, "summary").value(0).contains("target_epoch"));
    }

    // The target is the accuracy the reference run had after the first epoch that improved on every
    // epoch before it (past the first): the same run with that target reaches it exactly there.
    void reachesTheTargetAtTheKnownEpoch()
    {
        int known = 0; // from 1
        for (int i = 1; i < m_accuracies.size() && !known; ++i)
            if (m_accuracies[i] > *std::max_element(m_accuracies.begin(), m_accuracies.begin() + i))
                known = i + 1;
        QVERIFY2(known >= 2, "the reference run never improved after its first epoch; choose a slower run");
        const double targetPercent = m_accuracies[known - 1] * 100.0;
        const CliResult r
            = runCli(trainArgs({"--json", "--db", m_db, "--target-accuracy", QString::number(targetPercent, 'g', 17)}));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));

        const QList<QJsonObject> epochs = eventsOf(r, "epoch");
        QCOMPARE(epochs.size(), kEpochs); // the run trains on after reaching it
        double secondsThrough = 0.0;
        for (int i = 0; i < epochs.size(); ++i) {
            QCOMPARE(epochs[i]["test_acc"].toDouble(), m_accuracies[i]); // the same run, bit for bit
            if (i < known)
                secondsThrough += epochs[i]["seconds"].toDouble();
        }
        const QList<QJsonObject> reached = eventsOf(r, "target_reached");
        QCOMPARE(reached.size(), 1);
        QCOMPARE(reached[0]["epoch"].toInt(), known);
        QCOMPARE(reached[0]["test_acc"].toDouble(), m_accuracies[known - 1]);
        QVERIFY(qAbs(reached[0]["target_acc"].toDouble() - m_accuracies[known - 1]) < 1e-12);
        const qint64 runId = reached[0]["run_id"].toInteger();
        QVERIFY(runId > 0);
        // The event comes right after its epoch's.
        const int at = int(r.events.indexOf(reached[0]));
        QCOMPARE(r.events[at - 1]["event"].toString(), QString("epoch"));
        QCOMPARE(r.events[at - 1]["epoch"].toInt(), known);

        // Training seconds up to the end of that epoch: the epochs' own seconds summed (the run adds
        // the same steps' times, in another grouping), and no more than the whole run's.
        const QJsonObject summary = eventsOf(r, "summary").value(0);
        const double toTarget = summary["target_seconds"].toDouble();
        QCOMPARE(summary["target_epoch"].toInt(), known);
        QCOMPARE(reached[0]["seconds_train"].toDouble(), toTarget);
        QVERIFY2(qAbs(toTarget - secondsThrough) <= 1e-9 * std::max(1.0, secondsThrough),
                 qPrintable(QStringLiteral("%1 vs %2").arg(toTarget).arg(secondsThrough)));
        QVERIFY(toTarget > 0);
        QVERIFY(toTarget <= summary["seconds_train"].toDouble());
        if (known < kEpochs)
            QVERIFY(toTarget < summary["seconds_train"].toDouble());

        // The store has it, and `runs show` says it.
        const CliResult shown = runCli({"runs", "show", QString::number(runId), "--json", "--db", m_db});
        QVERIFY2(shown.exitCode == 0, qPrintable(shown.err));
        const QJsonObject run = shown.events.value(0);
        QCOMPARE(run["target_epoch"].toInt(), known);
        QCOMPARE(run["target_seconds"].toDouble(), toTarget);
        QVERIFY(qAbs(run["target_acc"].toDouble() - m_accuracies[known - 1]) < 1e-12);
        const CliResult text = runCli({"runs", "show", QString::number(runId), "--db", m_db});
        QVERIFY2(text.out.contains(QStringLiteral("target: %1 % reached in epoch %2 after %3 s training")
                                       .arg(targetPercent, 0, 'f', 2)
                                       .arg(known)
                                       .arg(toTarget, 0, 'f', 2)),
                 qPrintable(text.out));

        // Without --json: one line when it happens, after that epoch's line.
        const CliResult plain
            = runCli(trainArgs({"--no-db", "--target-accuracy", QString::number(targetPercent, 'g', 17)}));
        QVERIFY2(plain.exitCode == 0, qPrintable(plain.err));
        const QStringList lines = plain.out.split('\n');
        const qsizetype line = lines.indexOf(
            QRegularExpression(QStringLiteral("target %1 % reached in epoch %2 after [0-9.]+ s training .*")
                                   .arg(targetPercent, 0, 'f', 2)
                                   .arg(known)));
        QVERIFY2(line > 0, qPrintable(plain.out));
        QVERIFY2(lines[line - 1].startsWith(QStringLiteral("epoch %1").arg(known, 3)), qPrintable(plain.out));
        QCOMPARE(plain.out.count("reached in epoch"), 1);
    }

    // A target above every epoch's accuracy: no event, null in the summary and the store, a line
    // that says so, and every epoch trained.
    void unreachableTargetIsRecordedAsNone()
    {
        const double best = *std::max_element(m_accuracies.begin(), m_accuracies.end());
        QVERIFY2(best < 0.99, "the reference run reached 99 %; choose a slower run");
        const CliResult r = runCli(trainArgs({"--json", "--db", m_db, "--target-accuracy", "99.5"}));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(eventsOf(r, "epoch").size(), kEpochs);
        QVERIFY(eventsOf(r, "target_reached").isEmpty());
        const QJsonObject summary = eventsOf(r, "summary").value(0);
        QCOMPARE(summary["target_acc"].toDouble(), 0.995);
        QVERIFY(summary.contains("target_epoch") && summary["target_epoch"].isNull());
        QVERIFY(summary.contains("target_seconds") && summary["target_seconds"].isNull());
        const qint64 runId = summary["run_id"].toInteger();
        const CliResult shown = runCli({"runs", "show", QString::number(runId), "--json", "--db", m_db});
        const QJsonObject run = shown.events.value(0);
        QCOMPARE(run["target_acc"].toDouble(), 0.995);
        QVERIFY(run["target_epoch"].isNull() && run["target_seconds"].isNull());
        const CliResult text = runCli({"runs", "show", QString::number(runId), "--db", m_db});
        QVERIFY2(text.out.contains("target: 99.50 % not reached"), qPrintable(text.out));

        const CliResult plain = runCli(trainArgs({"--no-db", "--target-accuracy", "99.5"}));
        QVERIFY2(plain.out.contains(QStringLiteral("target 99.50 % not reached in %1 epochs").arg(kEpochs)),
                 qPrintable(plain.out));
        QVERIFY(!plain.out.contains("reached in epoch"));
    }

    void outOfRangeTargetNamesTheFlagAndValue()
    {
        const CliResult r = runCli(trainArgs({"--target-accuracy", "101", "--no-db"}));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--target-accuracy: 101 is out of range [0, 100]"), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestTimeToTarget)
#include "tst_time_to_target.moc"
