// The run store on a real PostgreSQL server (tests/support/postgres_server.h): store addresses, the
// round trip of everything a run records, the schema built by the same migrations as SQLite's from
// every version, concurrent first opens, refusals that write nothing (a wrong password, an unknown
// host, another application's database, a newer schema), and a writer that outlives the server
// being stopped for 20 s mid-run; `ffint8 train` recording into it, and `ffint8 runs push` copying
// runs of a board's SQLite store into it once.
#include "app/store/run_store.h"
#include "app/store/run_writer.h"
#include "app/store/store_address.h"
#include "app/store/store_error.h"
#include "support/cli_process.h"
#include "support/postgres_server.h"
#include "support/synthetic_data.h"

#include <QtTest>

#include <atomic>
#include <cmath>
#include <thread>

using namespace ffint8;
using ffint8::testing::PostgresServer;
using ffint8::testing::runCli;

class TestPgStore : public QObject
{
    Q_OBJECT

    PostgresServer m_server;
    QTemporaryDir m_dir;

    static QString errorOpening(const QString &address, StoreError::Kind *kind = nullptr)
    {
        try {
            RunStore store(address);
        } catch (const StoreError &e) {
            if (kind)
                *kind = e.kind();
            return QString::fromUtf8(e.what());
        }
        return {};
    }

    static EpochMetrics epochWith(int epoch, double accuracy, std::vector<LayerMetrics> units)
    {
        EpochMetrics e;
        e.epoch = epoch;
        e.trainLoss = 0.5 / (epoch + 1);
        e.testAccuracy = accuracy;
        e.trainSeconds = 2.0;
        e.memory.peakTotal = size_t(100 + epoch) << 20;
        e.layers = std::move(units);
        return e;
    }

private slots:
    void initTestCase() { QVERIFY2(m_server.start(), qPrintable(m_server.error())); }

    void addresses()
    {
        const StoreAddress a = StoreAddress::parse("postgresql://lab@db.example:5433/runs");
        QVERIFY(a.isPostgres());
        QCOMPARE(a.user, QString("lab"));
        QCOMPARE(a.host, QString("db.example"));
        QCOMPARE(a.port, 5433);
        QCOMPARE(a.database, QString("runs"));
        QCOMPARE(a.display(), QString("postgresql://lab@db.example:5433/runs"));
        QCOMPARE(StoreAddress::parse("postgres://h/d").port, 5432);
        QVERIFY(!StoreAddress::parse("/home/me/runs.sqlite").isPostgres());
        auto refusal = [](const QString &text) {
            try {
                StoreAddress::parse(text);
            } catch (const StoreError &e) {
                return QString::fromUtf8(e.what());
            }
            return QString();
        };
        const QString withPassword = refusal("postgresql://lab:s3cret@db.example/runs");
        QVERIFY2(withPassword.contains("PGPASSWORD") && !withPassword.contains("s3cret"), qPrintable(withPassword));
        QVERIFY(refusal("postgresql://lab@db.example/").contains("names no database"));
        QVERIFY(refusal("postgresql://lab@db.example/a/b").contains("names no database"));
        QVERIFY(refusal("postgresql:///runs").contains("names no host"));
        QVERIFY(refusal("postgresql://h/runs?sslmode=require").contains("options"));
    }

    // Everything a run records comes back as written, with the texts users write (quotes, SQL,
    // non-ASCII), filters (the text search is PostgreSQL's own), and deletion takes it all.
    void roundTrip()
    {
        const QString address = m_server.newStore();
        const QString text = QString::fromUtf8("it's \"x'); DROP TABLE runs; --\" Orin — ünï 中文");
        qint64 id = 0;
        QString uuid;
        {
            RunStore store(address);
            QVERIFY(store.isPostgres());
            QCOMPARE(store.schemaVersion(), kStoreSchemaVersion);
            RunRecord r;
            r.name = text;
            r.specJson = R"({"algo": "ff-int8"})";
            r.algorithm = "ff-int8";
            r.dataset = "fashion-mnist";
            r.backend = "cuda";
            r.seed = 0xfedcba9876543210ull; // past 2^63: stored as the same 64 bits
            r.board = "orin-nano-1";
            r.targetAccuracy = 0.8;
            id = store.createRun(r);
            uuid = store.run(id)->uuid;
            store.setParams(id, {{"train.lr", "0.003"}, {"model.preset", "mlp"}});
            store.setParams(id, {{"train.lr", "0.01"}}); // replaces
            store.setUnits(id, {"fc1", "fc2"});
            store.addTag(id, text);
            store.addTag(id, text); // once
            store.addNote(id, text);
            std::vector<StoredProgress> reports;
            for (qint64 step = 1; step <= 3; ++step) {
                StoredProgress p;
                p.step = step;
                p.metrics.batch = int(step);
                p.metrics.batchesPerEpoch = 3;
                p.metrics.trainLoss = 1.0 / double(step);
                p.metrics.layers = {LayerMetrics{1.0 * step, 0.5, 0.25, NAN, NAN}, LayerMetrics{2.0, 1.0, NAN, 0.1, 1e-3}};
                reports.push_back(p);
            }
            store.addProgress(id, reports);
            store.addEpoch(id, epochWith(0, 0.7, {LayerMetrics{3.0, 1.0, 0.2, NAN, NAN}, LayerMetrics{2.5, 0.5, 0.1, NAN, NAN}}));
            EpochMetrics second = epochWith(1, 0.85, {});
            second.reachedTarget = true;
            second.runTrainSeconds = 4.0;
            store.addEpoch(id, second, EpochEnergy{12.5, 3.25});
            store.addSamples(id, {{0.5, 7.25}, {1.0, 7.5}});
            store.finishRun(id, RunResult{"completed", text, 2, 0.85, NAN, 4.0, 4.5, 12.5, qint64(3) << 30, 1 << 20});
        }
        RunStore store(address);
        const RunRecord r = *store.run(id);
        QCOMPARE(r.name, text);
        QCOMPARE(r.message, text);
        QCOMPARE(r.status, QString("completed"));
        QCOMPARE(r.seed, 0xfedcba9876543210ull);
        QCOMPARE(r.board, QString("orin-nano-1"));
        QCOMPARE(r.uuid, uuid);
        QVERIFY(!QUuid::fromString(uuid).isNull());
        QCOMPARE(r.epochsDone, 2);
        QCOMPARE(r.testAccuracy, 0.85);
        QCOMPARE(r.peakEngineBytes, qint64(3) << 30); // past 32 bits
        QCOMPARE(r.targetAccuracy, 0.8);
        QCOMPARE(r.targetEpoch, 2);
        QCOMPARE(r.targetSeconds, 4.0);
        QCOMPARE(store.params(id), (QList<QPair<QString, QString>>{{"model.preset", "mlp"}, {"train.lr", "0.01"}}));
        QCOMPARE(store.units(id), (QStringList{"fc1", "fc2"}));
        QCOMPARE(store.tags(id), QStringList{text});
        QCOMPARE(store.notes(id), QStringList{text});
        const std::vector<StoredProgress> progress = store.progress(id);
        QCOMPARE(progress.size(), size_t(3));
        QCOMPARE(progress[2].metrics.layers[0].goodnessPos, 3.0);
        QVERIFY(std::isnan(progress[2].metrics.layers[0].gradNorm));
        QCOMPARE(progress[2].metrics.layers[1].deviation, 1e-3);
        const std::vector<StoredEpoch> epochs = store.epochs(id);
        QCOMPARE(epochs.size(), size_t(2));
        QCOMPARE(epochs[0].metrics.layers[1].loss, 0.1);
        QCOMPARE(*epochs[1].joules, 12.5);
        QCOMPARE(store.samples(id).size(), size_t(2));
        QCOMPARE(store.samples(id)[1].watts, 7.5);
        QCOMPARE(store.runByUuid(uuid), std::optional<qint64>(id));

        RunFilter byText;
        byText.text = QString::fromUtf8("ORIN — ÜNÏ"); // case-insensitive, a plain substring
        QCOMPARE(store.runs(byText).size(), 1);
        byText.text = "%";
        QCOMPARE(store.runs(byText).size(), 0);
        RunFilter byTag;
        byTag.tag = text;
        QCOMPARE(store.runs(byTag).size(), 1);
        QCOMPARE(store.integrityCheck(), QString("ok"));

        QVERIFY(store.deleteRun(id));
        QVERIFY(store.epochs(id).empty());
        QVERIFY(store.units(id).isEmpty());
        QVERIFY(store.samples(id).empty());
    }

    // The same migrations as SQLite's, translated, from every version to the current one.
    void migratesFromEveryEarlierVersion_data()
    {
        QTest::addColumn<int>("from");
        for (int v = 0; v < kStoreSchemaVersion; ++v)
            QTest::addRow("from version %d", v) << v;
    }

    void migratesFromEveryEarlierVersion()
    {
        QFETCH(int, from);
        const QString address = m_server.newStore();
        const QString database = StoreAddress::parse(address).database;
        {
            RunStore old(address, from);
            QCOMPARE(old.schemaVersion(), from);
        }
        if (from >= 1) {
            QStringList rows{"INSERT INTO runs (name, spec_json, status, algorithm, dataset, backend, host, pid, started_at, message) "
                             "VALUES ('old run', '{}', 'completed', 'ff-int8', 'mnist', 'cpu', 'h', 1, '2026-01-01T00:00:00Z', 'old')",
                             "INSERT INTO epoch_metrics (run_id, epoch, test_acc, seconds, peak_engine_bytes) "
                             "VALUES (1, 1, 0.5, 2.0, 100), (1, 2, 0.75, 3.0, 300)"};
            rows << (from < 4 ? QStringList{"INSERT INTO layer_metrics (run_id, epoch, layer, g_pos, g_neg) VALUES (1, 2, 0, 2.5, 0.5)"}
                              : QStringList{"INSERT INTO run_units (run_id, unit_index, name) VALUES (1, 0, 'layer1')",
                                            "INSERT INTO unit_metrics (run_id, epoch, unit_index, metric, value) VALUES "
                                            "(1, 2, 0, 'goodness_pos', 2.5), (1, 2, 0, 'goodness_neg', 0.5)"});
            QVERIFY2(m_server.admin(database, rows), qPrintable(m_server.error()));
        }
        RunStore store(address);
        QCOMPARE(store.schemaVersion(), kStoreSchemaVersion);
        if (from >= 1) {
            const RunRecord old = *store.run(1);
            QCOMPARE(old.message, QString("old"));
            QVERIFY(!QUuid::fromString(old.uuid).isNull());
            QCOMPARE(old.board, QString("h"));
            if (from < 3) {
                QCOMPARE(old.epochsDone, 2);
                QCOMPARE(old.testAccuracy, 0.75);
                QCOMPARE(old.peakEngineBytes, qint64(300));
            }
            const std::vector<StoredEpoch> epochs = store.epochs(1);
            QCOMPARE(epochs.size(), size_t(2));
            QCOMPARE(store.units(1), QStringList{"layer1"});
            QCOMPARE(epochs[1].metrics.layers[0].goodnessPos, 2.5);
        }
        RunRecord r;
        r.name = "new run";
        const qint64 fresh = store.createRun(r);
        QVERIFY(fresh > (from >= 1 ? 1 : 0));
        store.addSamples(fresh, {{1.0, 2.0}});
        QCOMPARE(store.samples(fresh).size(), size_t(1));
    }

    // Boards that start at once against a new database: one builds the schema, the others wait
    // for it (the advisory lock) and find it built.
    void concurrentFirstOpens()
    {
        const QString address = m_server.newStore();
        std::atomic<int> opened{0};
        std::vector<std::string> errors(4);
        std::vector<std::thread> boards;
        for (int i = 0; i < 4; ++i)
            boards.emplace_back([&, i] {
                try {
                    RunStore store(address);
                    RunRecord r;
                    r.name = QStringLiteral("board %1").arg(i);
                    store.createRun(r);
                    ++opened;
                } catch (const StoreError &e) {
                    errors[size_t(i)] = e.what();
                }
            });
        for (std::thread &t : boards)
            t.join();
        for (const std::string &e : errors)
            QVERIFY2(e.empty(), e.c_str());
        QCOMPARE(opened.load(), 4);
        RunStore store(address);
        QCOMPARE(store.runs().size(), 4);
        QCOMPARE(store.schemaVersion(), kStoreSchemaVersion);
    }

    void refusesAWrongPasswordAndAnUnknownHost()
    {
        const QString address = m_server.newStore();
        const QByteArray password = qgetenv("PGPASSWORD");
        qputenv("PGPASSWORD", "not-the-password");
        StoreError::Kind kind = StoreError::Kind::Busy;
        const QString wrong = errorOpening(address, &kind);
        qputenv("PGPASSWORD", password);
        QVERIFY2(wrong.contains(address) && wrong.contains("password authentication failed"), qPrintable(wrong));
        QCOMPARE(kind, StoreError::Kind::Other); // not retried as if the server were away
        QVERIFY(!wrong.contains(QString::fromUtf8(password)));
        // Nothing was written: the database is still empty.
        QVERIFY(m_server.admin(StoreAddress::parse(address).database, {"DO $$ BEGIN IF EXISTS (SELECT 1 FROM "
                                                                      "information_schema.tables WHERE table_schema = 'public') "
                                                                      "THEN RAISE EXCEPTION 'written'; END IF; END $$"}));

        const QString unknown = errorOpening("postgresql://ffint8@no-such-host.invalid:5432/runs");
        QVERIFY2(unknown.contains("postgresql://ffint8@no-such-host.invalid:5432/runs") && unknown.contains("cannot connect"),
                 qPrintable(unknown));
        const QString noDatabase = errorOpening(m_server.address("never_created"));
        QVERIFY2(noDatabase.contains("never_created") && noDatabase.contains("does not exist"), qPrintable(noDatabase));
    }

    void refusesAnotherApplicationsDatabase()
    {
        const QString address = m_server.newStore();
        const QString database = StoreAddress::parse(address).database;
        QVERIFY(m_server.admin(database, {"CREATE TABLE invoices (id serial PRIMARY KEY, total numeric)",
                                          "CREATE TABLE customers (id serial PRIMARY KEY, name text)"}));
        const QString error = errorOpening(address);
        QVERIFY2(error.contains(address) && error.contains("another application's tables") && error.contains("customers, invoices"),
                 qPrintable(error));
        // Refused before anything was written: no table of ours.
        QVERIFY(m_server.admin(database, {"DO $$ BEGIN IF to_regclass('ffint8_schema') IS NOT NULL OR to_regclass('runs') IS NOT NULL "
                                          "THEN RAISE EXCEPTION 'written'; END IF; END $$"}));
    }

    void refusesANewerSchema()
    {
        const QString address = m_server.newStore();
        { RunStore store(address); }
        QVERIFY(m_server.admin(StoreAddress::parse(address).database, {"UPDATE ffint8_schema SET version = 99"}));
        const QString error = errorOpening(address);
        QVERIFY2(error.contains("schema version 99") && error.contains(address), qPrintable(error));
    }

    // A real training run records into the shared store, straight from the command line.
    void trainRecordsIntoPostgres()
    {
        const QString data = m_dir.filePath("clusters");
        QVERIFY(QDir().mkpath(data));
        QVERIFY(ffint8::testing::writeIdxClusters(data, 600, 100));
        const QString address = m_server.newStore();
        const auto r = runCli({"train", "--dataset", data, "--algo", "ff-int8", "--layers", "784,32,32", "--epochs", "2",
                               "--batch", "16", "--threads", "1", "--db", address, "--tag", "lab"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        RunStore store(address);
        const QList<RunRecord> runs = store.runs();
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs[0].status, QString("completed"));
        QCOMPARE(runs[0].board, QSysInfo::machineHostName());
        QCOMPARE(store.epochs(runs[0].id).size(), size_t(2));
        QVERIFY(!store.progress(runs[0].id).empty());
        QCOMPARE(store.tags(runs[0].id), QStringList{"lab"});
        QCOMPARE(store.units(runs[0].id), (QStringList{"fc1", "fc2"}));
        const auto listed = runCli({"runs", "list", "--db", address, "--json"});
        QCOMPARE(listed.exitCode, 0);
        QCOMPARE(listed.events.size(), 1);
    }

    // A spec (or suite) names its store: its runs go there without --db; a bad store is refused
    // with the file, line and field.
    void specNamesTheStore()
    {
        const QString data = m_dir.filePath("clusters");
        QVERIFY(QDir().exists(data));
        const QString address = m_server.newStore();
        const QString spec = m_dir.filePath("to-lab.json");
        QFile f(spec);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral(R"({"format": "ffint8-experiment", "version": 1, "name": "to the lab", "algorithm": "bp-fp32",
  "model": {"layers": [784, 16]}, "dataset": {"name": "%1"}, "training": {"epochs": 1, "batch": 32},
  "backend": {"threads": 1}, "store": "%2"})")
                    .arg(data, address)
                    .toUtf8());
        f.close();
        const auto r = runCli({"train", spec, "--telemetry", "none"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        RunStore store(address);
        QCOMPARE(store.runs().size(), 1);
        QCOMPARE(store.runs().first().name, QString("to the lab"));

        const QString bad = m_dir.filePath("bad-store.json");
        QFile b(bad);
        QVERIFY(b.open(QIODevice::WriteOnly));
        b.write("{\"format\": \"ffint8-experiment\", \"version\": 1, \"name\": \"x\",\n"
                "  \"store\": \"postgresql://lab:secret@db/runs\"}");
        b.close();
        const auto refused = runCli({"train", bad});
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains("bad-store.json:2:") && refused.err.contains("store") && refused.err.contains("PGPASSWORD") &&
                     !refused.err.contains("secret"),
                 qPrintable(refused.err));
    }

    // A board's runs go into the lab's store once: pushing again copies nothing, and a run pushed
    // while it was still running is replaced by its finished state.
    void pushCopiesEachRunOnce()
    {
        const QString local = m_dir.filePath("board.sqlite");
        const QString address = m_server.newStore();
        qint64 finished = 0, running = 0;
        {
            RunStore store(local);
            RunRecord r;
            r.name = "finished on the board";
            r.algorithm = "ff-int8";
            r.suite = "paper-mlp";
            r.board = "orin-nano-2";
            finished = store.createRun(r);
            store.setParams(finished, {{"train.lr", "0.003"}});
            store.setUnits(finished, {"fc1", "fc2"});
            store.addTag(finished, "offline");
            store.addNote(finished, "trained on the bench");
            store.setPowerSource(finished, "tegrastats", 200);
            store.addEpoch(finished, epochWith(0, 0.7, {LayerMetrics{3.0, 1.0, 0.2, NAN, NAN}, LayerMetrics{2.5, 0.5, 0.1, NAN, NAN}}),
                           EpochEnergy{10.0, 5.0});
            StoredProgress p;
            p.step = 7;
            p.metrics.batchesPerEpoch = 10;
            p.metrics.layers = {LayerMetrics{1.5, 0.5, NAN, NAN, NAN}};
            store.addProgress(finished, {p});
            store.addSamples(finished, {{0.1, 6.5}, {0.3, 6.75}});
            store.finishRun(finished, RunResult{"completed", "done", 1, 0.7, NAN, 2.0, 2.5, 10.0, 1 << 20, 2 << 20});
            r.name = "still running";
            running = store.createRun(r);
            store.addEpoch(running, epochWith(0, 0.5, {}));
        }
        auto push = [&] { return runCli({"runs", "push", "--db", local, "--to", address}); };
        auto first = push();
        QVERIFY2(first.exitCode == 0, qPrintable(first.err));
        QVERIFY2(first.out.contains("2 run(s): 2 copied, 0 updated, 0 already there"), qPrintable(first.out));
        auto again = push();
        QVERIFY2(again.out.contains("2 run(s): 0 copied, 0 updated, 2 already there"), qPrintable(again.out));

        RunStore local2(local);
        const RunRecord mine = *local2.run(finished);
        {
            RunStore lab(address);
            QCOMPARE(lab.runs().size(), 2);
            const qint64 there = *lab.runByUuid(mine.uuid);
            const RunRecord copy = *lab.run(there);
            QCOMPARE(copy.name, mine.name);
            QCOMPARE(copy.status, QString("completed"));
            QCOMPARE(copy.startedAt, mine.startedAt);
            QCOMPARE(copy.endedAt, mine.endedAt);
            QCOMPARE(copy.board, QString("orin-nano-2"));
            QCOMPARE(copy.host, mine.host);
            QCOMPARE(copy.trainSeconds, mine.trainSeconds); // not summed again from the epochs
            QCOMPARE(copy.energyJoules, 10.0);
            QCOMPARE(copy.powerSource, QString("tegrastats"));
            QCOMPARE(copy.powerIntervalMs, std::optional<int>(200));
            QCOMPARE(lab.params(there), local2.params(finished));
            QCOMPARE(lab.units(there), (QStringList{"fc1", "fc2"}));
            QCOMPARE(lab.tags(there), QStringList{"offline"});
            QCOMPARE(lab.notes(there), QStringList{"trained on the bench"});
            QCOMPARE(lab.epochs(there).size(), size_t(1));
            QCOMPARE(lab.epochs(there)[0].metrics.layers[1].goodnessPos, 2.5);
            QCOMPARE(*lab.epochs(there)[0].meanWatts, 5.0);
            QCOMPARE(lab.progress(there).size(), size_t(1));
            QCOMPARE(lab.progress(there)[0].step, qint64(7));
            QCOMPARE(lab.samples(there).size(), size_t(2));
        }
        // The running run finishes on the board; pushing again brings its final state.
        local2.addEpoch(running, epochWith(1, 0.6, {}));
        local2.finishRun(running, RunResult{"completed", {}, 2, 0.6, NAN, 4.0, 4.5, NAN, 0, 0});
        auto third = push();
        QVERIFY2(third.out.contains("2 run(s): 0 copied, 1 updated, 1 already there"), qPrintable(third.out));
        RunStore lab(address);
        QCOMPARE(lab.runs().size(), 2);
        const RunRecord updated = *lab.run(*lab.runByUuid(local2.run(running)->uuid));
        QCOMPARE(updated.status, QString("completed"));
        QCOMPARE(lab.epochs(updated.id).size(), size_t(2));

        // A store that cannot be reached: a clear error naming it, exit status 1.
        const auto away = runCli({"runs", "push", "--db", local, "--to", "postgresql://ffint8@127.0.0.1:1/none"});
        QCOMPARE(away.exitCode, 1);
        QVERIFY2(away.err.contains("postgresql://ffint8@127.0.0.1:1/none"), qPrintable(away.err));
    }

    // The server stops for 20 s while a run trains: the writer keeps what comes (the training
    // thread never waits), says the server is away, and writes it all once the server is back.
    void writerOutlivesTheServerStopping()
    {
        const QString address = m_server.newStore();
        std::mutex lock;
        QStringList problems;
        RunWriter writer(address, [&](const QString &message, bool) {
            std::lock_guard guard(lock);
            problems << message;
        }, 50);
        RunRecord r;
        r.name = "through a server restart";
        const qint64 id = writer.createRun(r, {}, {}, {"fc1"});
        auto report = [](qint64 step) {
            StoredProgress p;
            p.step = step;
            p.metrics.batch = int(step);
            p.metrics.batchesPerEpoch = 1000;
            p.metrics.layers = {LayerMetrics{double(step), 0.5, 0.1, NAN, NAN}};
            return p;
        };
        for (qint64 step = 1; step <= 100; ++step)
            writer.addProgress(id, report(step));
        QVERIFY(writer.flush(10000));
        RunStore reader(address); // a reader's connection (the workbench's), open across the restart
        QCOMPARE(reader.progress(id).size(), size_t(100));

        m_server.stop();
        QElapsedTimer away;
        away.start();
        qint64 step = 101;
        while (away.elapsed() < 20000) {
            const auto start = std::chrono::steady_clock::now();
            writer.addProgress(id, report(step++));
            // Queuing never waits for the store.
            QVERIFY(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(50));
            QThread::msleep(20);
        }
        writer.addEpoch(id, epochWith(0, 0.6, {LayerMetrics{1.0, 0.2, 0.1, NAN, NAN}}), {});
        QVERIFY(!writer.flush(500));
        QVERIFY(writer.buffered() > 0);
        {
            std::lock_guard guard(lock);
            QVERIFY2(!problems.isEmpty() && problems.first().contains("cannot be reached"), qPrintable(problems.join('\n')));
        }
        QVERIFY2(m_server.restart(), qPrintable(m_server.error()));
        writer.finishRun(id, RunResult{"completed", {}, 1, 0.6, NAN, 20.0, 21.0, NAN, 0, 0});
        QVERIFY(writer.flush(60000));
        QVERIFY(writer.fatalProblem().isEmpty());

        // The reader finds its connection gone once, says so, and reads on a new one.
        StoreError::Kind kind = StoreError::Kind::Other;
        try {
            reader.runs();
        } catch (const StoreError &e) {
            kind = e.kind();
        }
        QCOMPARE(kind, StoreError::Kind::Unreachable);
        QCOMPARE(qint64(reader.progress(id).size()), step - 1);
        RunStore store(address);
        QCOMPARE(qint64(store.progress(id).size()), step - 1);
        QCOMPARE(store.progress(id).back().metrics.layers[0].goodnessPos, double(step - 1));
        QCOMPARE(store.epochs(id).size(), size_t(1));
        QCOMPARE(store.run(id)->status, QString("completed"));
    }
};

QTEST_GUILESS_MAIN(TestPgStore)
#include "tst_pg_store.moc"
