// Inputs that size or receive work are checked before the work: a suite's size before its runs are
// built, and the --save, --out and store paths before anything is trained or read.
#include "app/session/memory_check.h"
#include "app/spec/suite.h"
#include "app/store/run_store.h"
#include "app/telemetry/replay_source.h"
#include "support/cli_process.h"
#include "support/synthetic_data.h"
#include "engine/core/error.h"
#include "engine/data/idx_reader.h"
#include "engine/io/model_file.h"
#include "engine/io/model_file_bytes.h"
#include "app/spec/experiment_spec.h"
#include "app/spec/spec_error.h"
#include "app/spec/spec_file.h"
#include "engine/train/memory_estimate.h"

#include <sys/resource.h>
#include <QtTest>

using namespace ffint8;
using namespace ffint8::testing;

class TestInputChecks : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_data;

    QString writeSuite(const QString &name, const QByteArray &text)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write(text);
        return path;
    }

    // A sweep of `settings` settings of `values` values each: values^settings runs.
    static QByteArray sweepOf(int settings, int values)
    {
        const QStringList paths = {"training.seed", "training.epochs", "training.batch", "dataset.train_limit", "dataset.test_limit"};
        QStringList entries;
        for (int s = 0; s < settings; ++s) {
            QStringList list;
            for (int v = 1; v <= values; ++v)
                list << QString::number(v);
            entries << QStringLiteral("\"%1\": [%2]").arg(paths[s], list.join(','));
        }
        return QStringLiteral("{\"format\": \"ffint8-suite\", \"version\": 1, \"name\": \"big\",\n \"sweep\": {%1}}").arg(entries.join(", ")).toUtf8();
    }

    // Linux's count of the bytes this process has read through read() and its kin (rchar), -1 where
    // the kernel does not keep it.
    static qint64 bytesReadByThisProcess()
    {
        QFile io(QStringLiteral("/proc/self/io"));
        if (!io.open(QIODevice::ReadOnly))
            return -1;
        for (const QByteArray &line : io.readAll().split('\n'))
            if (line.startsWith("rchar:"))
                return line.mid(6).trimmed().toLongLong();
        return -1;
    }

    // What `read` threw (an Error's message, empty when nothing was thrown) and how many bytes the
    // process read meanwhile: a count, unlike a time, that a slow or busy machine does not change.
    // Reading ahead may take up to this much past what was asked for; a file read whole is far more.
    static constexpr qint64 kOneBuffer = qint64(1) << 20;

    struct Refusal
    {
        QString message;
        qint64 bytesRead = 0;
    };
    template <class Error, class Read> static Refusal refusalOf(Read read)
    {
        const qint64 before = bytesReadByThisProcess();
        Refusal r;
        try {
            read();
        } catch (const Error &e) {
            r.message = QString::fromUtf8(e.what());
        }
        r.bytesRead = bytesReadByThisProcess() - before;
        return r;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(bytesReadByThisProcess() >= 0, "the refusal checks count bytes read in /proc/self/io, which this kernel does not keep");
        m_data = clusterFolder(m_dir.path(), 200, 50);
        QVERIFY(!m_data.isEmpty());
    }

    // 20^5 = 3.2 million runs used to end in std::bad_alloc, --dry-run or not. Now it is refused at
    // once with the count and the limit.
    void hugeSuiteIsRefusedBeforeItIsBuilt()
    {
        const QString path = writeSuite("huge.json", sweepOf(5, 20));
        const CliResult r = runCli({"run", path, "--dry-run"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(path + ":2:2: field 'sweep': the suite expands to 3200000 runs, more than the limit of 10000"),
                 qPrintable(r.err));
        // Counting saturates instead of wrapping: 10000^5 is past 2^64.
        try {
            parseSuiteFile(writeSuite("overflow.json", sweepOf(5, 10000)));
            QFAIL("a suite of 10^20 runs was accepted");
        } catch (const std::exception &e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains("expands to more than 2^64 runs"), e.what());
        }
    }

    void suiteAtTheLimitIsAccepted()
    {
        const Suite limit = parseSuiteFile(writeSuite("limit.json", sweepOf(4, 10))); // 10^4 = the limit
        QCOMPARE(quint64(limit.runs.size()), kMaxSuiteRuns);
        try {
            parseSuiteFile(writeSuite("over.json", sweepOf(2, 101))); // 10201
            QFAIL("a suite over the limit was accepted");
        } catch (const std::exception &e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains("expands to 10201 runs, more than the limit of 10000"), e.what());
        }
    }

    // --save to a place that cannot be written: refused before training (no start event, nothing
    // recorded, no stray .partial), with the path and the reason.
    void unwritableSaveIsRefusedBeforeTraining_data()
    {
        QTest::addColumn<QString>("save");
        QTest::addColumn<QString>("reason");
        QTest::newRow("missing folder") << m_dir.filePath("no/such/folder/model.ffm") << "does not exist";
        QTest::newRow("a folder") << m_dir.path() << "is a folder";
        QTest::newRow("read-only file system") << QStringLiteral("/proc/ffint8-model.ffm") << "cannot create a file in /proc";
    }

    void unwritableSaveIsRefusedBeforeTraining()
    {
        QFETCH(QString, save);
        QFETCH(QString, reason);
        const QString db = m_dir.filePath("save-checks.sqlite");
        const CliResult r = runCli({"train", "--dataset", m_data, "--layers", "784,16", "--epochs", "1", "--threads", "1",
                                    "--telemetry", "none", "--json", "--db", db, "--save", save});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--save: ") && r.err.contains(reason) && r.err.contains("checked before training"), qPrintable(r.err));
        for (const QJsonObject &e : r.events)
            QVERIFY(e["event"].toString() != "start");
        QVERIFY(!QFile::exists(save + ".partial"));
        if (QFile::exists(db))
            QCOMPARE(RunStore(db).runs().size(), 0);
    }

    void writableSaveStillSaves()
    {
        const QString save = m_dir.filePath("model.ffm");
        const CliResult r = runCli({"train", "--dataset", m_data, "--layers", "784,16", "--epochs", "1", "--threads", "1",
                                    "--telemetry", "none", "--no-db", "--save", save});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(QFileInfo(save).size() > 0);
        QVERIFY(!QFile::exists(save + ".partial"));
        QVERIFY(QDir(m_dir.path()).entryList({".ffint8-write-check-*"}, QDir::Hidden | QDir::Files).isEmpty());
    }

    // A model larger than the memory the machine has is refused before its weights are allocated,
    // with what it needs and what is available.
    void modelTooLargeForTheMachineIsRefused()
    {
        const QString db = m_dir.filePath("memory-checks.sqlite");
        const CliResult r = runCli({"train", "--dataset", m_data, "--layers", "784,200000,200000", "--epochs", "1",
                                    "--telemetry", "none", "--json", "--db", db});
        QVERIFY(r.exitCode != 0 && r.exitCode != -1);
        QVERIFY2(r.err.count("MiB") == 2 && r.err.contains("MemAvailable") && r.err.contains("40156800000 weights"),
                 qPrintable(r.err));
        for (const QJsonObject &e : r.events)
            QVERIFY(e["event"].toString() != "start");
    }

    // The exact estimate decides where the parameter count alone does not: the same run fits in its
    // estimate and is refused one byte below it.
    void runIsRefusedJustBelowItsEstimate()
    {
        TrainConfig c;
        c.layers = {784, 300, 300};
        const uint64_t needed = estimateTrainerBytes(c) + uint64_t(784) * 300 * 4; // + the host's initial weights
        checkMemoryFits(c, needed);
        bool refused = false;
        try {
            checkMemoryFits(c, needed - 1);
        } catch (const EngineError &e) {
            refused = QString(e.what()).contains("engine memory");
        }
        QVERIFY(refused);
    }

    // An IDX header that promises 2^31 - 1 images or labels in a file of a few bytes is refused as
    // truncated within a second, without allocating what the header promises (the payload buffer
    // grows with the bytes that really arrive).
    void forgedIdxHeaderIsRefusedWithoutItsAllocation_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<bool>("images");
        const auto bigEndian = [](std::initializer_list<quint32> words) {
            QByteArray bytes;
            for (quint32 w : words)
                for (int shift = 24; shift >= 0; shift -= 8)
                    bytes.append(char((w >> shift) & 0xFF));
            return bytes;
        };
        QTest::newRow("images") << bigEndian({0x803, 0x7FFFFFFF, 28, 28}) << true;
        QTest::newRow("labels") << bigEndian({0x801, 0x7FFFFFFF}) << false;
    }

    void forgedIdxHeaderIsRefusedWithoutItsAllocation()
    {
        QFETCH(QByteArray, header);
        QFETCH(bool, images);
        const QString path = m_dir.filePath(images ? "forged-images-idx3-ubyte" : "forged-labels-idx1-ubyte");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(header + QByteArray(1000, '\1'));
        file.close();
        rusage before{}, after{};
        getrusage(RUSAGE_SELF, &before);
        QString message;
        try {
            if (images)
                readIdxImages(path.toStdString());
            else
                readIdxLabels(path.toStdString(), 10);
        } catch (const EngineError &e) {
            message = e.what();
        }
        getrusage(RUSAGE_SELF, &after);
        QVERIFY2(message.contains("truncated") && message.contains(path) && message.contains("2147483647"),
                 qPrintable(message));
        const long grownKiB = after.ru_maxrss - before.ru_maxrss;
        QVERIFY2(grownKiB < 100 * 1024, qPrintable(QString::number(grownKiB) + " KiB more resident memory at the peak"));
    }

    // Spec and suite files are a few kilobytes: a larger one, or a device that never ends, is
    // refused with the limit named before it is read whole.
    void oversizedSpecIsRefusedWithTheLimit_data()
    {
        QTest::addColumn<QString>("path");
        const QString big = m_dir.filePath("big-spec.json");
        QFile file(big);
        if (file.open(QIODevice::WriteOnly)) {
            file.write("{\"name\": \"");
            file.write(QByteArray(kMaxSpecFileBytes, 'a'));
            file.write("\"}");
        }
        QTest::newRow("file over the limit") << big;
        QTest::newRow("/dev/zero") << QStringLiteral("/dev/zero");
    }

    void oversizedSpecIsRefusedWithTheLimit()
    {
        QFETCH(QString, path);
        const Refusal r = refusalOf<SpecError>([&] { parseSpecFile(path); });
        QVERIFY2(r.message.contains(path) && r.message.contains(QString::number(kMaxSpecFileBytes)), qPrintable(r.message));
        QVERIFY2(r.bytesRead <= kMaxSpecFileBytes + kOneBuffer, qPrintable(QString::number(r.bytesRead) + " bytes read"));
    }

    // A model file past the size limit (here a sparse file) is refused by its size, unread.
    void oversizedModelFileIsRefusedUnread()
    {
        const QString path = m_dir.filePath("huge.ffm");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QVERIFY(file.resize(qint64(kMaxModelFileBytes) + 1));
        file.close();
        const Refusal r = refusalOf<EngineError>([&] { loadModel(path.toStdString()); });
        QVERIFY2(r.message.contains(path) && r.message.contains(QString::number(kMaxModelFileBytes)), qPrintable(r.message));
        QVERIFY2(r.bytesRead < kOneBuffer, qPrintable(QString::number(r.bytesRead) + " bytes read"));
        QFile::remove(path);
    }

    // A replay reads its telemetry log whole: a larger file (here sparse) is refused by its size,
    // a device that never ends after the limit's worth, each with the limit named.
    void oversizedReplayLogIsRefusedWithTheLimit_data()
    {
        QTest::addColumn<QString>("path");
        const QString big = m_dir.filePath("huge-tegrastats.log");
        QFile file(big);
        if (file.open(QIODevice::WriteOnly))
            file.resize(kMaxReplayLogBytes + 1);
        QTest::newRow("file over the limit") << big;
        QTest::newRow("/dev/zero") << QStringLiteral("/dev/zero");
    }

    void oversizedReplayLogIsRefusedWithTheLimit()
    {
        QFETCH(QString, path);
        PowerLog log;
        const Refusal r = refusalOf<SpecError>([&] { ReplaySource replay(path, 1000, 1.0, log); });
        QVERIFY2(r.message.contains(path) && r.message.contains(QString::number(kMaxReplayLogBytes)), qPrintable(r.message));
        const qint64 allowed = path == QLatin1String("/dev/zero") ? kMaxReplayLogBytes + kOneBuffer : kOneBuffer;
        QVERIFY2(r.bytesRead <= allowed, qPrintable(QString::number(r.bytesRead) + " bytes read"));
    }

    void unwritableExportIsRefusedBeforeReading()
    {
        const QString out = m_dir.filePath("no/such/folder/table.csv");
        const CliResult r = runCli({"export", "--runs", "1", "--out", out, "--db", m_dir.filePath("absent.sqlite")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--out: cannot write " + out), qPrintable(r.err));
        QVERIFY(!QFile::exists(m_dir.filePath("absent.sqlite"))); // the store was never opened
    }

    // A store that cannot be created stops the run before training starts.
    void unwritableStoreIsRefusedBeforeTraining()
    {
        const CliResult r = runCli({"train", "--dataset", m_data, "--layers", "784,16", "--epochs", "1", "--threads", "1",
                                    "--telemetry", "none", "--json", "--db", "/proc/ffint8-runs.sqlite"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("/proc/ffint8-runs.sqlite"), qPrintable(r.err));
        for (const QJsonObject &e : r.events)
            QVERIFY(e["event"].toString() != "start");
    }
};

QTEST_GUILESS_MAIN(TestInputChecks)
#include "tst_input_checks.moc"
