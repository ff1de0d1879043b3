// Each command's --help and -h (usage, flags in groups, taken from the settings table and matching
// what the parsers accept), and the signals that cancel a run: SIGINT, SIGTERM and SIGHUP alike.
#include "app/spec/settings_table.h"
#include "app/store/run_store.h"
#include "support/cli_process.h"
#include "support/synthetic_data.h"

#include <QRegularExpression>
#include <QtTest>

#include <csignal>

using namespace ffint8;
using namespace ffint8::testing;

namespace {

const QStringList kCommands = {"train", "eval", "bench", "compare", "run", "runs", "worker", "queue", "export", "backends", "telemetry", "model", "help"};

// The flags a help text lists: the first word of each indented line that starts with --.
QStringList flagsListed(const QString &help)
{
    QStringList flags;
    static const QRegularExpression line(R"(^    (--[a-z0-9-]+))", QRegularExpression::MultilineOption);
    for (auto it = line.globalMatch(help); it.hasNext();)
        flags << it.next().captured(1);
    flags.removeAll("--help");
    return flags;
}

// The flags an "unknown flag" error names as valid.
QStringList flagsValid(const QString &error)
{
    QStringList flags;
    static const QRegularExpression flag(R"(--[a-z0-9-]+)");
    const QString list = error.section("valid flags:", 1).section('\n', 0, 0);
    for (auto it = flag.globalMatch(list); it.hasNext();)
        flags << it.next().captured(0);
    return flags;
}

} // namespace

class TestCliHelp : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    // Flags of a run far longer than any test waits for, on the synthetic dataset (written by the
    // first test that needs it), recorded in `db`.
    QStringList longRunArgs(const QString &db)
    {
        const QString data = QFile::exists(m_dir.filePath("clusters")) ? m_dir.filePath("clusters")
                                                                       : clusterFolder(m_dir.path(), 3000, 100);
        return {"--dataset", data, "--layers", "784,128", "--epochs", "500", "--batch", "16", "--threads", "1", "--json",
                "--metrics-every", "10", "--telemetry", "none", "--db", db};
    }

    // Starts the command, waits until `starts` runs have started and one reports progress, sends
    // `signal`, and checks that the process ends as a cancelled run does: exit code 4.
    void interruptWhileTraining(const QStringList &args, int signal, int starts = 1)
    {
        QProcess p;
        startCli(p, args);
        QVERIFY(p.waitForStarted());
        QByteArray out;
        while ((out.count("\"event\":\"start\"") < starts || !out.contains("\"event\":\"progress\""))
               && p.state() == QProcess::Running) {
            p.waitForReadyRead(2000);
            out += p.readAllStandardOutput();
        }
        QVERIFY2(out.contains("\"event\":\"progress\""), p.readAllStandardError().constData());
        ::kill(pid_t(p.processId()), signal);
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 4);
    }

private slots:
    void everyCommandHasHelp_data()
    {
        QTest::addColumn<QString>("command");
        for (const QString &c : kCommands)
            QTest::newRow(qPrintable(c)) << c;
    }

    void everyCommandHasHelp()
    {
        QFETCH(QString, command);
        const CliResult longForm = runCli({command, "--help"});
        QCOMPARE(longForm.exitCode, 0);
        QVERIFY2(longForm.err.isEmpty(), qPrintable(longForm.err));
        QVERIFY2(longForm.out.startsWith("usage: ffint8 " + command), qPrintable(longForm.out));
        QVERIFY(longForm.out.contains("-h, --help"));
        QCOMPARE(runCli({command, "-h"}).out, longForm.out);
        QCOMPARE(runCli({"help", command}).out, longForm.out);
        // Every flag line has its meaning on the same line: the flag, its value, two spaces, words.
        static const QRegularExpression flagAndMeaning(R"(^    --\S+( \S+)?  +\S)");
        for (const QString &line : longForm.out.split('\n'))
            if (line.startsWith("    --"))
                QVERIFY2(flagAndMeaning.match(line).hasMatch(), qPrintable(line));
    }

    // Help wins over everything else on the line: no training starts.
    void helpAmongOtherFlagsTrainsNothing()
    {
        const QString db = m_dir.filePath("help.sqlite");
        const CliResult r = runCli({"train", "--epochs", "3", "--db", db, "-h"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.startsWith("usage: ffint8 train"));
        QVERIFY(!QFile::exists(db));
        QCOMPARE(runCli({"help", "trian"}).exitCode, 2);
    }

    // Every run setting is in train's help, under its group, with its flag's values and its help text.
    void trainHelpListsEverySettingByGroup()
    {
        const QString help = runCli({"train", "--help"}).out;
        const QStringList groups = {"experiment", "model", "data", "training", "FF", "INT8", "telemetry", "output"};
        qsizetype previous = -1;
        for (const QString &g : groups) {
            const qsizetype at = help.indexOf("\n\n" + g + "\n");
            QVERIFY2(at > previous, qPrintable("group " + g + " missing or out of order"));
            previous = at;
        }
        for (const Setting &s : settingsTable()) {
            const qsizetype at = help.indexOf("    " + s.flag + ' ');
            QVERIFY2(at >= 0, qPrintable(s.flag));
            const QString line = help.mid(at, help.indexOf('\n', at) - at);
            QVERIFY2(line.contains(s.help), qPrintable(line));
            for (const QString &choice : s.choices)
                QVERIFY2(line.contains(choice), qPrintable(line));
        }
    }

    // The help lists exactly the flags the parser accepts: those its "unknown flag" error names.
    void helpMatchesWhatIsAccepted_data()
    {
        QTest::addColumn<QStringList>("command");
        QTest::newRow("train") << QStringList{"train"};
        QTest::newRow("runs") << QStringList{"runs", "list"};
        QTest::newRow("worker") << QStringList{"worker"};
    }

    void helpMatchesWhatIsAccepted()
    {
        QFETCH(QStringList, command);
        const CliResult error = runCli(command + QStringList{"--no-such-flag"});
        QCOMPARE(error.exitCode, 2);
        QStringList valid = flagsValid(error.err);
        QStringList listed = flagsListed(runCli({command.first(), "--help"}).out);
        valid.sort();
        listed.sort();
        QCOMPARE(listed, valid);
    }

    // SIGTERM (kill, a scheduler's time limit) and SIGHUP (a closed terminal) cancel a run as Ctrl-C
    // does: exit code 4 and the run stored as cancelled, not left to be found interrupted.
    void signalsCancelTheRun_data()
    {
        QTest::addColumn<int>("signal");
        QTest::newRow("SIGINT") << SIGINT;
        QTest::newRow("SIGTERM") << SIGTERM;
        QTest::newRow("SIGHUP") << SIGHUP;
    }

    void signalsCancelTheRun()
    {
        QFETCH(int, signal);
        const QString db = m_dir.filePath(QStringLiteral("signal%1.sqlite").arg(signal));
        interruptWhileTraining(QStringList{"train"} + longRunArgs(db), signal);
        if (QTest::currentTestFailed())
            return;
        RunStore store(db);
        const QList<RunRecord> runs = store.runs();
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs[0].status, QString("cancelled"));
    }

    // Ctrl-C stops a comparison as it stops a suite: methods in turn are all cancelled and recorded
    // so; one after another, the method training is, and the ones after it never start.
    void signalCancelsAComparison_data()
    {
        QTest::addColumn<bool>("inTurn");
        QTest::newRow("one after another") << false;
        QTest::newRow("in turn") << true;
    }

    void signalCancelsAComparison()
    {
        QFETCH(bool, inTurn);
        const QString db = m_dir.filePath(QStringLiteral("compare%1.sqlite").arg(inTurn));
        QStringList args = QStringList{"compare", "--algos", "bp-fp32,ff-int8"} + longRunArgs(db);
        if (inTurn)
            args << "--interleave";
        interruptWhileTraining(args, SIGINT, inTurn ? 2 : 1);
        if (QTest::currentTestFailed())
            return;
        RunStore store(db);
        const QList<RunRecord> runs = store.runs();
        QCOMPARE(runs.size(), inTurn ? 2 : 1);
        for (const RunRecord &run : runs)
            QCOMPARE(run.status, QString("cancelled"));
    }
};

QTEST_GUILESS_MAIN(TestCliHelp)
#include "tst_cli_help.moc"
