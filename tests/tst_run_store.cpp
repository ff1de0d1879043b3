// The run store on real files and real processes: round trips of any text, refusal of files that are
// not (healthy) databases without touching them, migrations, and a run killed mid-epoch.
#include "app/store/run_store.h"
#include "app/store/store_error.h"
#include "support/qt_compat.h"
#include "support/synthetic_data.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QtTest>

#include <cmath>
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
            // Every version before 4 kept per-layer figures in fixed columns; 4 and later by unit and metric name.
            if (from < 4) {
                QVERIFY(q.exec(QString("INSERT INTO layer_metrics (run_id, epoch, layer, g_pos, g_neg) VALUES (%1, 2, 0, 2.5, 0.5)").arg(id)));
            } else {
                QVERIFY(q.exec(QString("INSERT INTO run_units (run_id, unit_index, name) VALUES (%1, 0, 'layer1')").arg(id)));
                QVERIFY(q.exec(QString("INSERT INTO unit_metrics (run_id, epoch, unit_index, metric, value) VALUES "
                                       "(%1, 2, 0, 'goodness_pos', 2.5), (%1, 2, 0, 'goodness_neg', 0.5)").arg(id)));
            }
            db.close();
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase("old");
        }
        RunStore store(path);
        QCOMPARE(store.schemaVersion(), kStoreSchemaVersion);
        if (from >= 1) {
            const RunRecord old = *store.run(id);
            QCOMPARE(old.message, QString("from an old version"));
            // Version 6 gave it a UUID (its identity across stores) and its host as its board.
            QVERIFY(!QUuid::fromString(old.uuid).isNull());
            QCOMPARE(store.runByUuid(old.uuid), std::optional<qint64>(id));
            QCOMPARE(old.board, QString("h"));
            QVERIFY(store.samples(id).empty());
            if (from < 3) {
                // Version 3 carries the results on the run row, filled in from the epochs of older
                // runs (a version-3 store had them there already: this run's row was written by hand).
                QCOMPARE(old.epochsDone, 2);
                QCOMPARE(old.testAccuracy, 0.75);
                QCOMPARE(old.trainSeconds, 5.0);
                QCOMPARE(old.peakEngineBytes, qint64(300));
            }
            const std::vector<StoredEpoch> epochs = store.epochs(id);
            QCOMPARE(epochs.size(), size_t(2));
            // A run without its settings (which a version-3 store would have) keeps its layer as "layer1".
            QCOMPARE(store.units(id), QStringList{"layer1"});
            QCOMPARE(epochs[1].metrics.layers.size(), size_t(1));
            QCOMPARE(epochs[1].metrics.layers[0].goodnessPos, 2.5);
            QCOMPARE(epochs[1].metrics.layers[0].goodnessNeg, 0.5);
            QVERIFY(std::isnan(epochs[1].metrics.layers[0].loss));
            QCOMPARE(epochs[0].metrics.layers.size(), size_t(1)); // the unit, without figures in epoch 1
            QVERIFY(std::isnan(epochs[0].metrics.layers[0].goodnessPos));
        }
        // The current schema's tables all work after the migration.
        RunRecord r;
        r.name = "new run";
        r.specJson = "{}";
        const qint64 fresh = store.createRun(r);
        QVERIFY(!QUuid::fromString(store.run(fresh)->uuid).isNull());
        QCOMPARE(store.run(fresh)->board, QSysInfo::machineHostName());
        store.addSamples(fresh, {{1.0, 2.0}, {2.0, 3.0}});
        QCOMPARE(store.samples(fresh).size(), size_t(2));
    }

    // A 24-unit network's figures go in and come back by unit and metric name: one row per figure
    // that is not NaN, no row for the derived separation, the names in the units' order.
    void unitMetricsRoundTripByName()
    {
        const QString path = m_dir.filePath("units24.sqlite");
        constexpr int kUnits = 24;
        QStringList names{"stem"};
        for (int i = 1; i < kUnits - 1; ++i)
            names << QString("stage%1.unit%2").arg(i / 6 + 1).arg(i % 6);
        names << "head";
        // Figures that differ per unit, step and metric, with NaN where a trainer would have none:
        // every third unit has no loss, the head no goodness, odd units no gradient figures.
        auto figures = [&](qint64 at, int unit) {
            LayerMetrics m;
            if (unit != kUnits - 1) {
                m.goodnessPos = 1.0 + 0.01 * double(at) + unit;
                m.goodnessNeg = 0.5 * unit - 0.001 * double(at);
            }
            if (unit % 3 != 0)
                m.loss = 0.25 / (1 + unit + double(at));
            if (unit % 2 == 0) {
                m.gradNorm = 1e-3 * (unit + 1) * double(at);
                m.deviation = 1e-4 * unit;
            }
            return m;
        };
        auto expectedRows = [&](qint64 at) {
            qint64 rows = 0;
            for (int u = 0; u < kUnits; ++u) {
                const LayerMetrics m = figures(at, u);
                for (double v : {m.goodnessPos, m.goodnessNeg, m.loss, m.gradNorm, m.deviation})
                    rows += std::isnan(v) ? 0 : 1;
            }
            return rows;
        };
        qint64 id = 0;
        {
            RunStore store(path);
            RunRecord r;
            r.name = "24 units";
            r.specJson = "{}";
            r.algorithm = "ff-int8";
            id = store.createRun(r);
            store.setUnits(id, names);
            std::vector<StoredProgress> reports;
            for (qint64 step = 10; step <= 50; step += 10) {
                StoredProgress p;
                p.step = step;
                p.metrics.batch = int(step);
                p.metrics.batchesPerEpoch = 50;
                for (int u = 0; u < kUnits; ++u)
                    p.metrics.layers.push_back(figures(step, u));
                reports.push_back(p);
            }
            store.addProgress(id, reports);
            for (int epoch = 0; epoch < 2; ++epoch) {
                EpochMetrics e;
                e.epoch = epoch;
                for (int u = 0; u < kUnits; ++u)
                    e.layers.push_back(figures(1000 + epoch, u));
                store.addEpoch(id, e);
            }
        }
        RunStore store(path);
        QCOMPARE(store.units(id), names);
        const std::vector<StoredProgress> progress = store.progress(id);
        QCOMPARE(progress.size(), size_t(5));
        const std::vector<StoredEpoch> epochs = store.epochs(id);
        QCOMPARE(epochs.size(), size_t(2));
        auto same = [](double stored, double written) { return std::isnan(written) ? std::isnan(stored) : stored == written; };
        for (const StoredProgress &p : progress) {
            QCOMPARE(p.metrics.layers.size(), size_t(kUnits));
            for (int u = 0; u < kUnits; ++u) {
                const LayerMetrics want = figures(p.step, u), got = p.metrics.layers[size_t(u)];
                QVERIFY2(same(got.goodnessPos, want.goodnessPos) && same(got.goodnessNeg, want.goodnessNeg) &&
                             same(got.loss, want.loss) && same(got.gradNorm, want.gradNorm) &&
                             same(got.deviation, want.deviation),
                         qPrintable(QString("step %1, unit %2").arg(p.step).arg(names[u])));
            }
        }
        for (const StoredEpoch &e : epochs)
            for (int u = 0; u < kUnits; ++u)
                QVERIFY(same(e.metrics.layers[size_t(u)].goodnessPos, figures(1000 + e.metrics.epoch, u).goodnessPos));

        // What the file holds: the figures by name, NaN and separation left out; the old tables gone.
        QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "units24");
        db.setDatabaseName(path);
        QVERIFY(db.open());
        {
            QSqlQuery q(db);
            auto scalar = [&](const QString &sql) {
                if (!q.exec(sql) || !q.next())
                    return QVariant();
                return q.value(0);
            };
            qint64 progressRows = 0;
            for (qint64 step = 10; step <= 50; step += 10)
                progressRows += expectedRows(step);
            QCOMPARE(scalar(QString("SELECT COUNT(*) FROM progress_units WHERE run_id = %1").arg(id)).toLongLong(), progressRows);
            QCOMPARE(scalar(QString("SELECT COUNT(*) FROM unit_metrics WHERE run_id = %1").arg(id)).toLongLong(),
                     expectedRows(1000) + expectedRows(1001));
            QCOMPARE(scalar("SELECT COUNT(*) FROM progress_units WHERE metric = 'separation'").toLongLong(), qint64(0));
            QCOMPARE(scalar("SELECT group_concat(DISTINCT metric) FROM (SELECT metric FROM unit_metrics ORDER BY metric)").toString(),
                     QString("deviation,goodness_neg,goodness_pos,grad_norm,loss"));
            // A figure found by the unit's name, as any SQL reader would.
            QCOMPARE(scalar(QString("SELECT value FROM progress_units p JOIN run_units u ON u.run_id = p.run_id "
                                    "AND u.unit_index = p.unit_index WHERE p.run_id = %1 AND u.name = 'stage2.unit0' "
                                    "AND p.step = 30 AND p.metric = 'goodness_pos'").arg(id)).toDouble(),
                     figures(30, 6).goodnessPos);
            QVERIFY(!scalar("SELECT COUNT(*) FROM layer_metrics").isValid());
            QVERIFY(!scalar("SELECT COUNT(*) FROM progress_layers").isValid());
        }
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase("units24");

        // Deleting the run takes its units and figures with it.
        QVERIFY(store.deleteRun(id));
        QVERIFY(store.units(id).isEmpty());
        QVERIFY(store.progress(id).empty());
    }

    // Unit names must tell the units apart; a run's figures of units it did not name get fallback names.
    void unitNamesAreCheckedAndCompleted()
    {
        RunStore store(m_dir.filePath("unit-names.sqlite"));
        RunRecord r;
        r.name = "names";
        r.specJson = "{}";
        const qint64 id = store.createRun(r);
        try {
            store.setUnits(id, {"fc1", "fc2", "fc1"});
            QFAIL("a repeated unit name was accepted");
        } catch (const StoreError &e) {
            const QString message = QString::fromUtf8(e.what());
            QVERIFY2(message.contains("'fc1'") && message.contains("units 1 and 3"), qPrintable(message));
        }
        QVERIFY_THROWS_EXCEPTION(StoreError, store.setUnits(id, {"fc1", ""}));
        QVERIFY(store.units(id).isEmpty()); // a refused list leaves nothing behind
        store.setUnits(id, {"stem", "head"});
        EpochMetrics e;
        e.layers.resize(3);
        e.layers[2].goodnessPos = 7.0;
        store.addEpoch(id, e);
        QCOMPARE(store.units(id), (QStringList{"stem", "head", "layer3"}));
        QCOMPARE(store.epochs(id).front().metrics.layers[2].goodnessPos, 7.0);
    }

    // A version-3 store with per-layer rows of an FF MLP, a BP MLP (its head after the hidden layers),
    // a graph and a run that no longer exists: after the migration each run's figures are there by
    // unit name, unchanged, and the orphaned rows are gone.
    void migratesLayerRowsOfVersion3()
    {
        const QString path = m_dir.filePath("v3-layers.sqlite");
        { RunStore old(path, 3); }
        qint64 ff = 0, bp = 0, graph = 0;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "v3");
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            auto run = [&](const QString &name, const QString &algorithm) {
                q.prepare("INSERT INTO runs (name, spec_json, status, algorithm, dataset, backend, host, pid, started_at) "
                          "VALUES (?, '{}', 'completed', ?, 'mnist', 'cpu', 'h', 1, '2026-01-01T00:00:00Z')");
                q.addBindValue(name);
                q.addBindValue(algorithm);
                return q.exec() ? q.lastInsertId().toLongLong() : qint64(0);
            };
            auto exec = [&](const QString &sql) {
                if (!q.exec(sql))
                    qWarning() << sql << q.lastError().text();
                return !q.lastError().isValid();
            };
            ff = run("ff", "ff-int8");
            bp = run("bp", "bp-int8");
            graph = run("graph", "bp-fp32");
            QVERIFY(ff && bp && graph);
            QVERIFY(exec(QString("INSERT INTO params (run_id, key, value) VALUES (%1, 'model.layers', '784,32,32'), "
                                 "(%1, 'model.preset', ''), (%2, 'model.layers', '784,64,32'), "
                                 "(%3, 'model.layers', '784,1000,1000'), (%3, 'model.preset', 'cnn-small')")
                             .arg(ff).arg(bp).arg(graph)));
            for (qint64 id : {ff, bp, graph})
                QVERIFY(exec(QString("INSERT INTO epoch_metrics (run_id, epoch, test_acc) VALUES (%1, 1, 0.5)").arg(id)));
            QVERIFY(exec(QString("INSERT INTO layer_metrics (run_id, epoch, layer, g_pos, g_neg, loss) VALUES "
                                 "(%1, 1, 0, 3.0, 1.0, 0.25), (%1, 1, 1, 2.0, NULL, 0.5)").arg(ff)));
            QVERIFY(exec(QString("INSERT INTO layer_metrics (run_id, epoch, layer, grad_norm, deviation, loss) VALUES "
                                 "(%1, 1, 0, 0.01, 2e-4, NULL), (%1, 1, 1, 0.02, 3e-4, NULL), (%1, 1, 2, 0.5, 1e-4, 2.3)").arg(bp)));
            QVERIFY(exec(QString("INSERT INTO layer_metrics (run_id, epoch, layer, grad_norm) VALUES (%1, 1, 0, 0.1), (%1, 1, 4, 0.9)").arg(graph)));
            QVERIFY(exec(QString("INSERT INTO progress (run_id, step, epoch, batch, batches, train_loss) VALUES "
                                 "(%1, 10, 1, 10, 20, 1.5), (%1, 20, 1, 20, 20, 1.25)").arg(ff)));
            QVERIFY(exec(QString("INSERT INTO progress_layers (run_id, step, layer, g_pos, g_neg, loss) VALUES "
                                 "(%1, 10, 0, 1.5, 1.0, 0.75), (%1, 10, 1, 1.25, 1.0, 0.5), (%1, 20, 1, 2.5, 0.5, NULL)").arg(ff)));
            // A row of a run deleted while foreign keys were off (the sqlite3 shell's default).
            QVERIFY(exec("INSERT INTO layer_metrics (run_id, epoch, layer, g_pos) VALUES (999, 1, 0, 1.0)"));
            QVERIFY(exec("INSERT INTO progress_layers (run_id, step, layer, g_pos) VALUES (999, 1, 0, 1.0)"));
            db.close();
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase("v3");
        }
        RunStore store(path);
        QCOMPARE(store.schemaVersion(), kStoreSchemaVersion);
        QCOMPARE(store.units(ff), (QStringList{"fc1", "fc2"}));
        QCOMPARE(store.units(bp), (QStringList{"fc1", "fc2", "head"}));
        QCOMPARE(store.units(graph), (QStringList{"layer1", "layer2", "layer3", "layer4", "layer5"}));
        QVERIFY(store.units(999).isEmpty());

        const std::vector<StoredEpoch> ffEpochs = store.epochs(ff);
        QCOMPARE(ffEpochs.size(), size_t(1));
        const std::vector<LayerMetrics> &ffLayers = ffEpochs[0].metrics.layers;
        QCOMPARE(ffLayers.size(), size_t(2));
        QCOMPARE(ffLayers[0].goodnessPos, 3.0);
        QCOMPARE(ffLayers[0].goodnessNeg, 1.0);
        QCOMPARE(ffLayers[0].loss, 0.25);
        QCOMPARE(ffLayers[1].goodnessPos, 2.0);
        QVERIFY(std::isnan(ffLayers[1].goodnessNeg));
        QVERIFY(std::isnan(ffLayers[0].gradNorm));
        const std::vector<LayerMetrics> bpLayers = store.epochs(bp)[0].metrics.layers;
        QCOMPARE(bpLayers.size(), size_t(3));
        QCOMPARE(bpLayers[1].gradNorm, 0.02);
        QCOMPARE(bpLayers[1].deviation, 3e-4);
        QCOMPARE(bpLayers[2].loss, 2.3);
        QVERIFY(std::isnan(bpLayers[0].loss));
        const std::vector<LayerMetrics> graphLayers = store.epochs(graph)[0].metrics.layers;
        QCOMPARE(graphLayers.size(), size_t(5));
        QCOMPARE(graphLayers[4].gradNorm, 0.9);
        QVERIFY(std::isnan(graphLayers[2].gradNorm)); // a unit between two with figures

        const std::vector<StoredProgress> progress = store.progress(ff);
        QCOMPARE(progress.size(), size_t(2));
        QCOMPARE(progress[0].metrics.layers[1].goodnessPos, 1.25);
        QCOMPARE(progress[1].metrics.layers[1].goodnessNeg, 0.5);
        QVERIFY(std::isnan(progress[1].metrics.layers[1].loss));
        QVERIFY(std::isnan(progress[1].metrics.layers[0].goodnessPos)); // no row for unit 0 at step 20
        QCOMPARE(store.integrityCheck(), QString("ok"));

        QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "v4");
        db.setDatabaseName(path);
        QVERIFY(db.open());
        {
            QSqlQuery q(db);
            QVERIFY(q.exec("SELECT COUNT(*) FROM unit_metrics WHERE run_id = 999") && q.next());
            QCOMPARE(q.value(0).toInt(), 0);
            QVERIFY(q.exec("SELECT COUNT(*) FROM progress_units") && q.next());
            QCOMPARE(q.value(0).toInt(), 8); // the 3 ff rows' non-NULL figures: 3 + 3 + 2
            QVERIFY(!q.exec("SELECT 1 FROM layer_metrics"));
        }
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase("v4");
    }

    // Version 5 adds the target accuracy and where it was reached. A version-4 run comes through with
    // none; a new run records the epoch that reached it as that epoch is written (so a run killed
    // later keeps it), and its end neither loses it nor invents one for a run that never got there.
    void migratesToTargetColumnsOfVersion5()
    {
        const QString path = m_dir.filePath("v4-target.sqlite");
        { RunStore old(path, 4); }
        qint64 old = 0;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "v4-target");
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(!q.exec("SELECT target_acc FROM runs")); // not there before version 5
            QVERIFY(q.exec("INSERT INTO runs (name, spec_json, status, algorithm, dataset, backend, host, pid, started_at, "
                           "epochs_done, test_acc, train_seconds) VALUES ('v4 run', '{}', 'completed', 'bp-fp32', 'mnist', "
                           "'cpu', 'h', 1, '2026-01-01T00:00:00Z', 3, 0.9, 12.5)"));
            old = q.lastInsertId().toLongLong();
            db.close();
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase("v4-target");
        }
        RunStore store(path);
        QCOMPARE(store.schemaVersion(), kStoreSchemaVersion);
        const RunRecord before = *store.run(old);
        QCOMPARE(before.testAccuracy, 0.9);
        QCOMPARE(before.trainSeconds, 12.5);
        QVERIFY(std::isnan(before.targetAccuracy));
        QCOMPARE(before.targetEpoch, 0);
        QVERIFY(std::isnan(before.targetSeconds));

        RunRecord r;
        r.name = "with a target";
        r.specJson = "{}";
        r.targetAccuracy = 0.5;
        const qint64 reached = store.createRun(r);
        EpochMetrics e;
        e.testAccuracy = 0.4;
        e.trainSeconds = 1.5;
        e.runTrainSeconds = 1.5;
        store.addEpoch(reached, e);
        e.epoch = 1;
        e.testAccuracy = 0.55;
        e.runTrainSeconds = 3.25;
        e.reachedTarget = true;
        store.addEpoch(reached, e);
        RunRecord mid = *store.run(reached); // as a run killed now would be left
        QCOMPARE(mid.targetAccuracy, 0.5);
        QCOMPARE(mid.targetEpoch, 2);
        QCOMPARE(mid.targetSeconds, 3.25);
        store.finishRun(reached, RunResult{"completed", "", 3, 0.6, NAN, 5.0, 6.0}); // no target figures given: kept
        mid = *store.run(reached);
        QCOMPARE(mid.targetEpoch, 2);
        QCOMPARE(mid.targetSeconds, 3.25);

        const qint64 never = store.createRun(r);
        e.reachedTarget = false;
        e.testAccuracy = 0.3;
        store.addEpoch(never, e);
        store.finishRun(never, RunResult{"completed", "", 2, 0.3, NAN, 3.25, 4.0});
        const RunRecord missed = *store.run(never);
        QCOMPARE(missed.targetAccuracy, 0.5);
        QCOMPARE(missed.targetEpoch, 0);
        QVERIFY(std::isnan(missed.targetSeconds));
        QCOMPARE(store.integrityCheck(), QString("ok"));
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
        // The units as FF names them, with the last epoch's figures of each as the store holds them.
        QCOMPARE(run["units"].toArray(), (QJsonArray{"fc1", "fc2"}));
        {
            RunStore store(db);
            const std::vector<LayerMetrics> last = store.epochs(1).back().metrics.layers;
            const QJsonArray units = run["last_epoch_units"].toArray();
            QCOMPARE(units.size(), qsizetype(2));
            for (int u = 0; u < 2; ++u) {
                const QJsonObject unit = units[u].toObject();
                QCOMPARE(unit["unit"].toString(), QString("fc%1").arg(u + 1));
                QCOMPARE(unit["goodness_pos"].toDouble(), last[size_t(u)].goodnessPos);
                QCOMPARE(unit["separation"].toDouble(), last[size_t(u)].goodnessPos - last[size_t(u)].goodnessNeg);
                QVERIFY(!unit.contains("grad_norm")); // FF has none: not a made-up value
            }
        }
        const QString shownText = std::get<1>(ffint8({"runs", "show", "1", "--db", db}));
        QVERIFY2(shownText.contains("units: fc1, fc2") && shownText.contains("\n  fc2: goodness_pos "), qPrintable(shownText));
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
