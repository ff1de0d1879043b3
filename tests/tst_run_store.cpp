// The run store on real files and real processes: round trips of any text, refusal of files that are
// not (healthy) databases without touching them, migrations, and a run killed mid-epoch.
#include "app/store/run_store.h"
#include "app/store/store_error.h"
#include "support/synthetic_data.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QtTest>

#include <csignal>
#include <tuple>

using namespace ffint8;

class TestRunStore : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    static QString errorOpening(const QString &path)
    {
        try {
            RunStore store(path);
        } catch (const StoreError &e) {
            return QString::fromUtf8(e.what());
        }
        return {};
    }

    static QByteArray bytesOf(const QString &path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

private slots:
    void textRoundTripsExactly_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("quotes") << QString("it's \"quoted\" `here`");
        QTest::newRow("sql") << QString("x'); DROP TABLE runs; --");
        QTest::newRow("newlines") << QString("line one\nline two\r\n\ttabbed");
        QTest::newRow("unicode") << QString::fromUtf8("Jetson 🚀 Orin — ünïcödé 中文 \u200b");
        QTest::newRow("empty") << QString("");
    }

    void textRoundTripsExactly()
    {
        QFETCH(QString, text);
        const QString path = m_dir.filePath("roundtrip.sqlite");
        qint64 id = 0;
        {
            RunStore store(path);
            RunRecord r;
            r.name = text;
            r.specJson = "{}";
            r.algorithm = "ff-int8";
            r.dataset = "fashion-mnist";
            r.backend = "cpu";
            id = store.createRun(r);
            store.addTag(id, text.isEmpty() ? "empty" : text);
            store.addNote(id, text);
            store.finishRun(id, ffint8::RunResult{"completed", text});
        }
        RunStore again(path);
        const auto r = again.run(id);
        QVERIFY(r.has_value());
        QCOMPARE(r->name, text);
        QCOMPARE(r->message, text);
        QCOMPARE(r->status, QString("completed"));
        QCOMPARE(again.notes(id), QStringList{text});
        QCOMPARE(again.tags(id), QStringList{text.isEmpty() ? "empty" : text});
        QCOMPARE(again.schemaVersion(), kStoreSchemaVersion);
    }

    void refusesWhatIsNotADatabase()
    {
        const QString path = m_dir.filePath("notes.txt");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("my notes, not a database\n");
        f.close();
        const QByteArray before = bytesOf(path);
        const QString error = errorOpening(path);
        QVERIFY2(error.contains(path) && error.contains("is not an SQLite database"), qPrintable(error));
        QCOMPARE(bytesOf(path), before);
    }

    void refusesACorruptDatabaseAndLeavesIt()
    {
        const QString path = m_dir.filePath("corrupt.sqlite");
        {
            RunStore store(path);
            for (int i = 0; i < 200; ++i) {
                RunRecord r;
                r.name = QString("run %1 ").arg(i).repeated(20);
                r.specJson = "{}";
                store.createRun(r);
            }
        }
        // Let the WAL reach the main file, then overwrite a page in the middle with garbage.
        {
            QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "checkpoint");
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery(db).exec("PRAGMA wal_checkpoint(TRUNCATE)");
            db.close();
        }
        QSqlDatabase::removeDatabase("checkpoint");
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.size() > 3 * 4096);
        f.seek(2 * 4096);
        f.write(QByteArray(4096, char(0xA5)));
        f.close();
        const QByteArray before = bytesOf(path);
        const QStringList connectionsBefore = QSqlDatabase::connectionNames();
        const QString error = errorOpening(path);
        QVERIFY2(error.contains(path) && (error.contains("corrupt") || error.contains("malformed")), qPrintable(error));
        QCOMPARE(bytesOf(path), before);
        // The refused store keeps no connection (nor the file open): trying many files gathers none.
        QCOMPARE(QSqlDatabase::connectionNames(), connectionsBefore);
    }

    // Every earlier schema version migrates forward with its runs intact.
    void migratesFromEveryEarlierVersion_data()
    {
        QTest::addColumn<int>("from");
        for (int v = 0; v < kStoreSchemaVersion; ++v)
            QTest::addRow("from version %d", v) << v;
    }

    void migratesFromEveryEarlierVersion()
    {
        QFETCH(int, from);
        const QString path = m_dir.filePath(QString("v%1.sqlite").arg(from));
        qint64 id = 0;
        {
            RunStore old(path, from);
            QCOMPARE(old.schemaVersion(), from);
        }
        if (from >= 1) {
            // A run as that version wrote it: the columns and tables of version 1, which every
            // later version still has.
            QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "old");
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec("INSERT INTO runs (name, spec_json, status, algorithm, dataset, backend, host, pid, started_at, message) "
                           "VALUES ('old run', '{}', 'completed', 'ff-int8', 'mnist', 'cpu', 'h', 1, '2026-01-01T00:00:00Z', 'from an old version')"));
            id = q.lastInsertId().toLongLong();
            QVERIFY(q.exec(QString("INSERT INTO epoch_metrics (run_id, epoch, test_acc, seconds, peak_engine_bytes) VALUES (%1, 1, 0.5, 2.0, 100), "
                                   "(%1, 2, 0.75, 3.0, 300)").arg(id)));
            db.close();
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase("old");
        }
        RunStore store(path);
        QCOMPARE(store.schemaVersion(), kStoreSchemaVersion);
        if (from >= 1) {
            const RunRecord old = *store.run(id);
            QCOMPARE(old.message, QString("from an old version"));
            QVERIFY(store.samples(id).empty());
            // Version 3 carries the results on the run row, filled in from the epochs of older runs.
            QCOMPARE(old.epochsDone, 2);
            QCOMPARE(old.testAccuracy, 0.75);
            QCOMPARE(old.trainSeconds, 5.0);
            QCOMPARE(old.peakEngineBytes, qint64(300));
            QCOMPARE(store.epochs(id).size(), size_t(2));
        }
        // The current schema's tables all work after the migration.
        RunRecord r;
        r.name = "new run";
        r.specJson = "{}";
        const qint64 fresh = store.createRun(r);
        store.addSamples(fresh, {{1.0, 2.0}, {2.0, 3.0}});
        QCOMPARE(store.samples(fresh).size(), size_t(2));
    }

    void refusesANewerSchema()
    {
        const QString path = m_dir.filePath("newer.sqlite");
        { RunStore store(path); }
        {
            QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "newer");
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QVERIFY(QSqlQuery(db).exec("PRAGMA user_version=7"));
            db.close();
        }
        QSqlDatabase::removeDatabase("newer");
        const QString error = errorOpening(path);
        QVERIFY2(error.contains("schema version 7"), qPrintable(error));
    }

    // The command line over the store, as a user drives it.
    void runsCommands()
    {
        const QString data = m_dir.filePath("clusters-cli");
        QVERIFY(QDir().mkpath(data));
        QVERIFY(testing::writeIdxClusters(data, 500, 50));
        const QString db = m_dir.filePath("cli.sqlite");
        auto ffint8 = [&](const QStringList &args) {
            QProcess p;
            p.start(FFINT8_CLI_PATH, args);
            p.waitForFinished(60000);
            return std::make_tuple(p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
                                   QString::fromUtf8(p.readAllStandardError()));
        };
        auto [trained, trainOut, trainErr] = ffint8({"train", "--dataset", data, "--layers", "784,32,32", "--epochs", "2",
                                                     "--telemetry", "none", "--db", db});
        QVERIFY2(trained == 0, qPrintable(trainErr));
        const QString note = QString::fromUtf8("fast run 🚀 with \"quotes\"\nand a second line");
        QCOMPARE(std::get<0>(ffint8({"runs", "tag", "1", "baseline", "--db", db})), 0);
        QCOMPARE(std::get<0>(ffint8({"runs", "note", "1", note, "--db", db})), 0);
        auto [shown, showOut, showErr] = ffint8({"runs", "show", "1", "--json", "--db", db});
        QCOMPARE(shown, 0);
        const QJsonObject run = QJsonDocument::fromJson(showOut.toUtf8()).object();
        QCOMPARE(run["status"].toString(), QString("completed"));
        QCOMPARE(run["epochs"].toInt(), 2);
        QCOMPARE(run["notes"].toArray().first().toString(), note);
        QCOMPARE(run["tags"].toArray().first().toString(), QString("baseline"));
        QVERIFY(run["spec"].toString().contains("ffint8-experiment"));
        QVERIFY(std::get<1>(ffint8({"runs", "list", "--status", "completed", "--tag", "baseline", "--db", db})).contains("ff-int8"));
        QVERIFY(std::get<1>(ffint8({"runs", "list", "--status", "failed", "--db", db})).isEmpty());
        QCOMPARE(std::get<0>(ffint8({"runs", "show", "9", "--db", db})), 1);
        QCOMPARE(std::get<0>(ffint8({"runs", "frobnicate", "--db", db})), 2);
        QCOMPARE(std::get<0>(ffint8({"runs", "delete", "1", "--db", db})), 0);
        QVERIFY(std::get<1>(ffint8({"runs", "list", "--db", db})).isEmpty());
    }

    // A run killed with SIGKILL mid-epoch: the database is intact, every finished epoch is there,
    // and the next process to open the store marks the run interrupted.
    void killedRunIsMarkedInterrupted()
    {
        const QString data = m_dir.filePath("clusters");
        QVERIFY(QDir().mkpath(data));
        QVERIFY(testing::writeIdxClusters(data, 3000, 100));
        const QString path = m_dir.filePath("killed.sqlite");
        QProcess p;
        p.start(FFINT8_CLI_PATH, {"train", "--dataset", data, "--layers", "784,256,256", "--epochs", "500", "--batch",
                                  "16", "--threads", "1", "--json", "--telemetry", "none", "--db", path});
        QVERIFY(p.waitForStarted());
        QByteArray out;
        while (out.count("\"event\":\"epoch\"") < 2 && p.state() == QProcess::Running) {
            p.waitForReadyRead(2000);
            out += p.readAllStandardOutput();
        }
        QVERIFY2(out.count("\"event\":\"epoch\"") >= 2, p.readAllStandardError().constData());
        ::kill(pid_t(p.processId()), SIGKILL);
        QVERIFY(p.waitForFinished(10000));

        RunStore store(path);
        const QList<RunRecord> runs = store.runs();
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs[0].status, QString("interrupted"));
        QVERIFY(store.epochCount(runs[0].id) >= 2);
        QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "integrity");
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec("PRAGMA integrity_check") && q.next());
        QCOMPARE(q.value(0).toString(), QString("ok"));
        q.finish();
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase("integrity");
    }
};

QTEST_GUILESS_MAIN(TestRunStore)
#include "tst_run_store.moc"
