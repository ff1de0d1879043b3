// The ffint8 command line as users and scripts run it: flags, errors, JSON events, save and eval.
#include "app/store/run_store.h"
#include "support/synthetic_data.h"

#include <QRegularExpression>
#include <QtTest>

class TestCli : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_dataDir;

    struct Result
    {
        int exitCode = -1;
        QString out;
        QString err;
        QList<QJsonObject> events;
    };

    Result run(const QStringList &args, int timeoutMs = 120000, const QString &defaultStore = {})
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("FFINT8_DATA", m_dir.path());
        if (!defaultStore.isEmpty())
            env.insert("FFINT8_DB", defaultStore);
        p.setProcessEnvironment(env);
        p.start(FFINT8_CLI_PATH, args);
        Result r;
        if (!p.waitForFinished(timeoutMs)) {
            p.kill();
            return r;
        }
        r.exitCode = p.exitCode();
        r.out = QString::fromUtf8(p.readAllStandardOutput());
        r.err = QString::fromUtf8(p.readAllStandardError());
        for (const QString &line : r.out.split('\n', Qt::SkipEmptyParts)) {
            QJsonDocument doc = QJsonDocument::fromJson(line.toUtf8());
            if (doc.isObject())
                r.events << doc.object();
        }
        return r;
    }

    QStringList quickArgs(const QString &algo)
    {
        return {"train", "--dataset", m_dataDir, "--algo", algo, "--layers", "784,64,64", "--epochs", "2",
                "--batch", "16", "--threads", "1", "--json", "--metrics-every", "20"};
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_dataDir = m_dir.filePath("clusters");
        QVERIFY(QDir().mkpath(m_dataDir));
        QVERIFY(ffint8::testing::writeIdxClusters(m_dataDir, 3000, 300));
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown command") << QStringList{"trian"} << 2 << "unknown command 'trian'; valid: train, run, runs, worker, queue, export, eval, bench, compare";
        QTest::newRow("unknown flag") << QStringList{"train", "--epoch", "3"} << 2 << "unknown flag --epoch; valid flags: --algo,";
        QTest::newRow("unknown algorithm") << QStringList{"train", "--algo", "ff-int4"} << 2 << "--algo: 'ff-int4' is not one of ff-fp32, ff-int8, bp-fp32, bp-int8, bp-ui8";
        QTest::newRow("bad number") << QStringList{"train", "--lr", "fast"} << 2 << "--lr: 'fast' is not a finite number";
        QTest::newRow("missing value") << QStringList{"train", "--epochs"} << 2 << "flag --epochs needs a value";
        QTest::newRow("bad switch") << QStringList{"train", "--lookahead", "maybe"} << 2 << "'maybe' is not one of on, off";
        QTest::newRow("unknown preset") << QStringList{"train", "--preset", "nope"} << 2 << "unknown preset 'nope'; valid: ";
        QTest::newRow("missing spec") << QStringList{"train", "/nonexistent/spec.json"} << 2 << "cannot read experiment spec /nonexistent/spec.json";
        QTest::newRow("missing dataset") << QStringList{"train", "--dataset", "mnist"} << 1 << "mnist";
        QTest::newRow("width mismatch") << QStringList{"train", "--dataset", "PLACEHOLDER", "--layers", "100,10"} << 1 << "input width";
        QTest::newRow("cuda unavailable") << QStringList{"train", "--backend", "cuda"} << 1 << "backend 'cuda' is not available";
        QTest::newRow("eval without model") << QStringList{"eval"} << 2 << "eval needs a model file";
    }

    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        args.replaceInStrings("PLACEHOLDER", m_dataDir);
        Result r = run(args);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }

    void malformedSpecNamesLineAndColumn()
    {
        QString path = m_dir.filePath("bad.json");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\n  \"training\": {\n    \"epochs\": 3,\n  }\n}\n");
        f.close();
        Result r = run({"train", path});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(path + ":4:"), qPrintable(r.err));
    }

    void missingDatasetNamesEveryPlace()
    {
        Result r = run({"train", "--dataset", "cifar10"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(m_dir.path()), qPrintable(r.err)); // $FFINT8_DATA
        QVERIFY2(r.err.contains("/usr/share/datasets"), qPrintable(r.err));
    }

    void jsonEventsFollowTheContract_data()
    {
        QTest::addColumn<QString>("algo");
        QTest::newRow("ff-fp32") << "ff-fp32";
        QTest::newRow("ff-int8") << "ff-int8";
    }

    void jsonEventsFollowTheContract()
    {
        QFETCH(QString, algo);
        QString model = m_dir.filePath(algo + ".ffm");
        Result r = run(quickArgs(algo) << "--save" << model);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.events.size() >= 4);
        QCOMPARE(r.events.first()["event"].toString(), QString("start"));
        QCOMPARE(r.events.first()["algo"].toString(), algo);
        QCOMPARE(r.events.first()["quantisers"].toArray().size(), algo == "ff-int8" ? 3 : 0);
        if (algo == "ff-int8")
            QCOMPARE(r.events.first()["quantisers"].toArray()[0].toObject()["codes"].toString(), QString("0..127"));
        QVERIFY(r.events.first()["backend_description"].toString().contains("int8 "));
        QList<QJsonObject> epochs;
        for (const auto &e : r.events)
            if (e["event"].toString() == "epoch")
                epochs << e;
        QCOMPARE(epochs.size(), 2);
        for (const auto &e : epochs) {
            for (const char *key : {"epoch", "train_loss", "test_acc", "seconds", "samples_per_s", "peak_engine_bytes"})
                QVERIFY2(e.contains(key), key);
            QCOMPARE(e["layers"].toArray().size(), 2);
            for (const auto &l : e["layers"].toArray())
                for (const char *key : {"g_pos", "g_neg", "loss"})
                    QVERIFY2(l.toObject().contains(key), key);
            QVERIFY(e["seconds"].toDouble() > 0);
            QVERIFY(e["peak_engine_bytes"].toDouble() > 0);
        }
        QCOMPARE(epochs[0]["epoch"].toInt(), 1);
        const QJsonObject summary = r.events.last();
        QCOMPARE(summary["event"].toString(), QString("summary"));
        QCOMPARE(summary["status"].toString(), QString("completed"));
        QCOMPARE(summary["epochs"].toInt(), 2);
        for (const char *key : {"algo", "test_acc", "seconds_total", "peak_engine_bytes", "peak_rss_bytes"})
            QVERIFY2(summary.contains(key), key);
        const double accuracy = summary["test_acc"].toDouble();
        QVERIFY2(accuracy > 0.5, qPrintable(QString::number(accuracy)));
        QVERIFY(summary["peak_rss_bytes"].toDouble() > summary["peak_engine_bytes"].toDouble());

        // The saved model evaluates to exactly the accuracy the run ended with.
        Result e = run({"eval", model, "--dataset", m_dataDir, "--json", "--threads", "1"});
        QVERIFY2(e.exitCode == 0, qPrintable(e.err));
        QCOMPARE(e.events.size(), 1);
        QCOMPARE(e.events[0]["test_acc"].toDouble(), accuracy);
    }

    // The benchmark's JSON: GEMM rates, then each algorithm's epochs with the step split into its
    // GEMMs, optimizer step and the rest, and the ratio to bp-fp32 measured in the same process.
    void benchSplitsEachStep()
    {
        Result r = run({"bench", "--dataset", m_dataDir, "--layers", "784,64,64", "--batch", "16", "--train-limit", "320",
                        "--threads", "1", "--json"}, 300000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        int gemms = 0;
        QStringList algorithms;
        for (const QJsonObject &e : r.events) {
            if (e["event"].toString() == "gemm") {
                ++gemms;
                QVERIFY(e["f32_gflops"].toDouble() > 0 && e["s8_gops"].toDouble() > 0);
            }
            if (e["event"].toString() != "epoch_bench")
                continue;
            algorithms << e["algo"].toString();
            QCOMPARE(e["runs"].toArray().size(), 5);
            for (const char *key : {"step_s", "step_gemm_s", "step_optimizer_s"})
                QVERIFY2(e[key].toDouble() > 0, key);
            QCOMPARE(e["step_rest_s"].toDouble(), e["step_s"].toDouble() - e["step_gemm_s"].toDouble() - e["step_optimizer_s"].toDouble());
            QVERIFY(e["ratio_to_bp_fp32"].toDouble() > 0);
            if (e["algo"].toString() == "bp-fp32")
                QCOMPARE(e["ratio_to_bp_fp32"].toDouble(), 1.0);
        }
        QVERIFY(gemms >= 6); // three GEMMs per layer, and the squares
        QCOMPARE(algorithms, QStringList({"bp-fp32", "ff-fp32", "ff-int8"}));
    }

    // For a model graph: steps of every method that trains graphs, each split by op category, the
    // parts no more than the step, with the engine's peak memory and both ratios to bp-fp32.
    void benchSplitsGraphSteps()
    {
        Result r = run({"bench", "--dataset", m_dataDir, "--model", "cnn-small", "--batch", "8", "--train-limit", "16",
                        "--threads", "1", "--json"}, 300000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QStringList algorithms;
        for (const QJsonObject &e : r.events) {
            QCOMPARE(e["event"].toString(), QString("graph_step_bench"));
            algorithms << e["algo"].toString();
            double parts = 0.0;
            for (const char *key : {"GEMMs_s", "convolution_ops_s", "batch_norm_s", "quantisation_s", "optimizer_s",
                                    "other_ops_s"}) {
                QVERIFY2(e.contains(key), key);
                parts += e[key].toDouble();
            }
            QVERIFY(e["GEMMs_s"].toDouble() > 0 && e["convolution_ops_s"].toDouble() > 0);
            QVERIFY(parts <= e["step_s"].toDouble());
            QCOMPARE(e["between_ops_s"].toDouble(), e["step_s"].toDouble() - parts);
            QVERIFY(e["peak_engine_bytes"].toDouble() > 0 && e["peak_activations_bytes"].toDouble() > 0);
            if (e["algo"].toString() == "bp-fp32") {
                QCOMPARE(e["ratio_to_bp_fp32"].toDouble(), 1.0);
                QCOMPARE(e["memory_ratio_to_bp_fp32"].toDouble(), 1.0);
            }
        }
        QCOMPARE(algorithms, QStringList({"bp-fp32", "bp-int8", "bp-ui8", "ff-fp32", "ff-int8"}));
    }

    // compare trains the methods one after another, or with --interleave in turn, one epoch each:
    // the same results either way, only the order of the epochs (and so of the machine's moods) differs.
    void compareInTurnGivesTheSameResults()
    {
        const QStringList common{"compare", "--dataset", m_dataDir, "--layers", "784,64,64", "--batch", "16", "--epochs", "3",
                                 "--train-limit", "600", "--threads", "1", "--algos", "bp-fp32,ff-int8", "--json"};
        Result inOrder = run(common);
        Result inTurn = run(QStringList(common) << "--interleave");
        QVERIFY2(inOrder.exitCode == 0, qPrintable(inOrder.err));
        QVERIFY2(inTurn.exitCode == 0, qPrintable(inTurn.err));
        auto epochOrder = [](const Result &r) {
            QStringList order;
            for (const QJsonObject &e : r.events)
                if (e["event"].toString() == "epoch")
                    order << QStringLiteral("%1:%2").arg(e["algo"].toString()).arg(e["epoch"].toInt());
            return order;
        };
        QCOMPARE(epochOrder(inOrder), QStringList({"bp-fp32:1", "bp-fp32:2", "bp-fp32:3", "ff-int8:1", "ff-int8:2", "ff-int8:3"}));
        QCOMPARE(epochOrder(inTurn), QStringList({"bp-fp32:1", "ff-int8:1", "bp-fp32:2", "ff-int8:2", "bp-fp32:3", "ff-int8:3"}));
        auto rows = [](const Result &r) {
            QList<QJsonObject> found;
            for (const QJsonObject &e : r.events)
                if (e["event"].toString() == "compare_row")
                    found << e;
            return found;
        };
        const QList<QJsonObject> a = rows(inOrder), b = rows(inTurn);
        QCOMPARE(a.size(), 2);
        QCOMPARE(b.size(), 2);
        for (int i = 0; i < 2; ++i) {
            QCOMPARE(b[i]["algo"].toString(), a[i]["algo"].toString());
            QCOMPARE(b[i]["status"].toString(), QString("completed"));
            QCOMPARE(b[i]["test_acc"].toDouble(), a[i]["test_acc"].toDouble());
            QCOMPARE(b[i]["peak_engine_bytes"].toDouble(), a[i]["peak_engine_bytes"].toDouble());
            QVERIFY(b[i]["seconds_train"].toDouble() > 0);
            QVERIFY(a[i]["peak_rss_bytes"].toDouble() > 0);
            QVERIFY(b[i]["peak_rss_bytes"].isNull()); // shared by the methods in turn: not made up per method
            QVERIFY(b[i]["interleaved"].toBool());
        }
    }

    // compare's runs are runs like train's: recorded under one suite, with their tags, settings
    // (each method's own learning rate), every epoch and the figures its table shows; --no-db
    // records nothing.
    void compareRecordsItsRuns()
    {
        const QString db = m_dir.filePath("compare.sqlite");
        const QStringList args{"compare", "--dataset", m_dataDir, "--layers", "784,64,64", "--batch", "16", "--epochs", "2",
                               "--train-limit", "600", "--threads", "1", "--algos", "bp-fp32,ff-int8", "--json",
                               "--telemetry", "none", "--tag", "pair"};
        for (const bool inTurn : {false, true}) {
            QStringList compare = QStringList(args) << "--db" << db;
            if (inTurn)
                compare << "--interleave";
            Result r = run(compare);
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
            QList<QJsonObject> rows;
            for (const QJsonObject &e : r.events)
                if (e["event"].toString() == "compare_row")
                    rows << e;
            QCOMPARE(rows.size(), 2);
            ffint8::RunStore store(db);
            QString suite;
            for (const QJsonObject &row : rows) {
                const qint64 id = row["run_id"].toInteger();
                QVERIFY(id > 0);
                const std::optional<ffint8::RunRecord> record = store.run(id);
                QVERIFY(record);
                const ffint8::RunRecord &stored = *record;
                QCOMPARE(stored.algorithm, row["algo"].toString());
                QCOMPARE(stored.status, QString("completed"));
                QVERIFY2(stored.suite.startsWith("compare "), qPrintable(stored.suite));
                QVERIFY(suite.isEmpty() || stored.suite == suite); // one suite per comparison
                suite = stored.suite;
                QCOMPARE(store.tags(id), QStringList{"pair"});
                QCOMPARE(stored.testAccuracy, row["test_acc"].toDouble());
                QCOMPARE(stored.trainSeconds, row["seconds_train"].toDouble());
                QCOMPARE(stored.peakEngineBytes, row["peak_engine_bytes"].toInteger());
                // Runs in turn share the process: no peak RSS is made up for one of them.
                QCOMPARE(stored.peakRssBytes > 0, !inTurn);
                QCOMPARE(row["peak_rss_bytes"].isNull(), inTurn);
                const std::vector<ffint8::StoredEpoch> epochs = store.epochs(id);
                QCOMPARE(epochs.size(), size_t(2));
                QCOMPARE(epochs.back().metrics.testAccuracy, row["test_acc"].toDouble());
                QString lr;
                for (const auto &[path, value] : store.params(id))
                    if (path == "training.lr")
                        lr = value;
                QCOMPARE(lr, QString(row["algo"].toString() == "bp-fp32" ? "0.001" : "0.03"));
            }
            QCOMPARE(store.runs(ffint8::RunFilter{{}, {}, {}, {}, suite}).size(), 2);
        }

        const QString defaultStore = m_dir.filePath("default-store.sqlite");
        Result none = run(QStringList(args) << "--no-db" << "--interleave", 120000, defaultStore);
        QVERIFY2(none.exitCode == 0, qPrintable(none.err));
        for (const QJsonObject &e : none.events)
            QVERIFY(!e.contains("run_id"));
        QVERIFY(!QFile::exists(defaultStore));
    }

    void divergedRunSaysSo()
    {
        Result r = run(quickArgs("ff-fp32") << "--optimizer" << "sgd" << "--lr" << "1e30");
        QCOMPARE(r.exitCode, 3);
        QCOMPARE(r.events.last()["status"].toString(), QString("diverged"));
        QVERIFY2(r.err.contains("diverged") && r.err.contains("NaN"), qPrintable(r.err));
    }

    void evalRefusesANonModel()
    {
        QString path = m_dir.filePath("not-a-model.bin");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("garbage");
        f.close();
        Result r = run({"eval", path, "--dataset", m_dataDir});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("is not an FF-INT8 model file"), qPrintable(r.err));
    }

    // cnn-small's totals by hand: 3x3 kernels over Cin without conv bias (a batch norm follows),
    // gamma and beta per channel, the head's weights and bias over the 2x2-max-pooled map of the
    // stride-2 stage; MACs: output pixels x Cout x 9 x Cin, and the head's weights.
    static qint64 pooledFeatures(int side)
    {
        const qint64 half = (side + 1) / 2; // stride 2, padding 1
        return 32 * (half / 2) * (half / 2);
    }
    static qint64 cnnSmallParameters(int inChannels, int side, int classes)
    {
        return (9 * inChannels * 16 + 32) + (9 * 16 * 32 + 64) + 2 * (9 * 32 * 32 + 64) +
               (pooledFeatures(side) * classes + classes);
    }
    static QString grouped(qint64 n)
    {
        QString digits = QString::number(n);
        for (int i = int(digits.size()) - 3; i > 0; i -= 3)
            digits.insert(i, ',');
        return digits;
    }
    static qint64 cnnSmallMacs(int inChannels, int side, int classes)
    {
        const qint64 half = (side + 1) / 2; // stride 2, padding 1
        return qint64(side) * side * 16 * 9 * inChannels + half * half * 32 * 9 * 16 + 2 * half * half * 32 * 9 * 32 +
               pooledFeatures(side) * classes;
    }

    void modelShowPrintsASummary()
    {
        Result r = run({"model", "show", "cnn-small"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QString total = grouped(cnnSmallParameters(1, 28, 10));
        QVERIFY2(r.out.contains("Total params: " + total), qPrintable(r.out));
        QVERIFY2(r.out.contains("MACs per image: " + grouped(cnnSmallMacs(1, 28, 10))), qPrintable(r.out));
        for (const char *line : {"stem.conv1 (conv2d)", "res.add (residual_add)", "pool.maxpool1 (max_pool)", "head.fc1 (linear)"})
            QVERIFY2(r.out.contains(line), line);
        // A layer's row: its output shape, parameters and MACs (stem.conv1: 1 -> 16 channels at 28x28).
        static const QRegularExpression stem(R"(stem\.conv1 \(conv2d\)\s+16x28x28\s+144\s+112,896)");
        QVERIFY2(stem.match(r.out).hasMatch(), qPrintable(r.out));
    }

    void modelShowJson()
    {
        Result r = run({"model", "show", "cnn-small", "--json", "--input", "3x32x32", "--classes", "7"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.events.size(), 1);
        const QJsonObject o = r.events[0];
        QCOMPARE(o["parameters"].toInteger(), cnnSmallParameters(3, 32, 7));
        const QJsonArray layers = o["layers"].toArray();
        qint64 sum = 0, macs = 0;
        for (const auto &l : layers) {
            for (const char *key : {"name", "type", "output_shape", "parameters"})
                QVERIFY2(l.toObject().contains(key), key);
            sum += l.toObject()["parameters"].toInteger();
            macs += l.toObject()["macs"].toInteger();
        }
        QCOMPARE(sum, o["parameters"].toInteger());
        QCOMPARE(macs, o["macs"].toInteger());
        QCOMPARE(o["macs"].toInteger(), cnnSmallMacs(3, 32, 7));
        QCOMPARE(layers.last().toObject()["output_shape"].toArray(), (QJsonArray{7, 1, 1}));
        QCOMPARE(layers.first().toObject()["output_shape"].toArray(), (QJsonArray{16, 32, 32}));
    }

    void modelShowReadsASpec()
    {
        QString path = m_dir.filePath("cnn-cifar.json");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"model": "cnn-small", "algorithm": "bp-fp32", "dataset": {"name": "cifar10"}})");
        f.close();
        Result r = run({"model", "show", path, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.events[0]["input_shape"].toArray(), (QJsonArray{3, 32, 32}));
        QCOMPARE(r.events[0]["parameters"].toInteger(), cnnSmallParameters(3, 32, 10));

        // A spec with only widths is the MLP of those widths, with BP's 10-class head.
        QString mlp = m_dir.filePath("mlp.json");
        QFile g(mlp);
        QVERIFY(g.open(QIODevice::WriteOnly));
        g.write(R"({"model": {"layers": [784, 64]}})");
        g.close();
        r = run({"model", "show", mlp, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.events[0]["parameters"].toInteger(), qint64(784 * 64 + 64 + 64 * 10 + 10));
    }

    void modelShowErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("no subcommand") << QStringList{"model"} << 2 << "usage: ffint8 model show";
        QTest::newRow("unknown model") << QStringList{"model", "show", "resnet-7"} << 2
                                       << "'resnet-7' is neither a model (mlp, cnn-small, resnet-18, mobilenet-v2, "
                                          "efficientnet-b0) nor a spec file";
        QTest::newRow("bad input") << QStringList{"model", "show", "cnn-small", "--input", "3x32"} << 2 << "--input: '3x32'";
        QTest::newRow("input too small") << QStringList{"model", "show", "cnn-small", "--input", "1x1x1"} << 1
                                         << "1x1x1";
        QTest::newRow("mlp of other data") << QStringList{"model", "show", "mlp", "--input", "3x32x32"} << 1
                                           << "3x32x32";
    }

    void modelShowErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        Result r = run(args);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }

    void trainsAModelGraph()
    {
        Result r = run({"train", "--dataset", m_dataDir, "--model", "cnn-small", "--algo", "bp-fp32", "--epochs", "1",
                        "--batch", "16", "--train-limit", "320", "--test-limit", "100", "--threads", "1", "--json",
                        "--no-db"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.events.last()["status"].toString(), QString("completed"));
        QList<QJsonObject> epochs;
        for (const auto &e : r.events)
            if (e["event"].toString() == "epoch")
                epochs << e;
        QCOMPARE(epochs.size(), 1);
        QCOMPARE(epochs[0]["layers"].toArray().size(), 5); // one per block: stem, down, res, pool, head

        // FF's units: stem, down, and res with the pool block (no weights) joined to it.
        Result ff = run({"train", "--dataset", m_dataDir, "--model", "cnn-small", "--algo", "ff-int8", "--epochs", "1",
                         "--batch", "16", "--train-limit", "160", "--test-limit", "50", "--threads", "1", "--json",
                         "--no-db"});
        QVERIFY2(ff.exitCode == 0, qPrintable(ff.err));
        QCOMPARE(ff.events.last()["status"].toString(), QString("completed"));
        for (const auto &e : ff.events) {
            if (e["event"].toString() == "start")
                QCOMPARE(e["units"].toArray(), (QJsonArray{"stem", "down", "res"}));
            if (e["event"].toString() == "epoch")
                QCOMPARE(e["layers"].toArray().size(), 3);
        }
        Result unknown = run({"train", "--model", "vgg"});
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY2(unknown.err.contains("--model: 'vgg' is not a model; valid: mlp, cnn-small"), qPrintable(unknown.err));
    }

    void trainsPaddedAugmentedImagesAndEvaluatesThem()
    {
        // 28x28 data padded to 32x32 for a graph whose input is then 1x32x32; the run records both
        // settings, and eval pads the test images to the saved model's input by itself.
        const QString file = m_dir.filePath("padded.ffm");
        Result train = run({"train", "--dataset", m_dataDir, "--model", "cnn-small", "--algo", "bp-fp32", "--epochs", "1",
                            "--batch", "16", "--train-limit", "64", "--test-limit", "32", "--threads", "1", "--json",
                            "--no-db", "--pad-to", "32", "--augment", "on", "--save", file});
        QVERIFY2(train.exitCode == 0, qPrintable(train.err));
        QCOMPARE(train.events.last()["status"].toString(), QString("completed"));
        const QJsonObject start = train.events.first();
        QCOMPARE(start["event"].toString(), QString("start"));
        QCOMPARE(start["spec"].toObject()["dataset"].toObject()["pad_to"].toInt(), 32);
        QCOMPARE(start["spec"].toObject()["dataset"].toObject()["augment"].toBool(), true);
        Result eval = run({"eval", file, "--dataset", m_dataDir, "--test-limit", "32", "--threads", "1", "--json"});
        QVERIFY2(eval.exitCode == 0, qPrintable(eval.err));
        QCOMPARE(eval.events.last()["test_examples"].toInt(), 32);
        Result other = run({"eval", file, "--dataset", m_dataDir, "--pad-to", "30", "--threads", "1"});
        QCOMPARE(other.exitCode, 1);
        QVERIFY2(other.err.contains("1x32x32") && other.err.contains("1x30x30"), qPrintable(other.err));
        Result smaller = run({"train", "--dataset", m_dataDir, "--pad-to", "20", "--epochs", "1", "--no-db"});
        QCOMPARE(smaller.exitCode, 1);
        QVERIFY2(smaller.err.contains("pad_to 20 is smaller than the 28x28 images"), qPrintable(smaller.err));
    }

    void evaluatesASavedModelGraph()
    {
        // Trained and saved (version 2), then evaluated from the file alone: both accuracies computed,
        // by the run at its end and by eval from the rebuilt graph, and equal to the bit.
        const QString file = m_dir.filePath("graph.ffm");
        Result train = run({"train", "--dataset", m_dataDir, "--model", "cnn-small", "--algo", "bp-int8", "--epochs",
                            "1", "--batch", "16", "--train-limit", "160", "--test-limit", "100", "--threads", "1",
                            "--json", "--no-db", "--save", file});
        QVERIFY2(train.exitCode == 0, qPrintable(train.err));
        const QJsonObject summary = train.events.last();
        QCOMPARE(summary["status"].toString(), QString("completed"));
        QVERIFY(summary["test_acc"].isDouble());
        QVERIFY(!QFile::exists(file + ".partial"));

        Result eval = run({"eval", file, "--test-limit", "100", "--threads", "1", "--json"});
        QVERIFY2(eval.exitCode == 0, qPrintable(eval.err));
        QCOMPARE(eval.events.last()["event"].toString(), QString("eval"));
        QCOMPARE(eval.events.last()["algo"].toString(), QString("bp-int8"));
        QCOMPARE(eval.events.last()["test_examples"].toInt(), 100);
        QCOMPARE(eval.events.last()["test_acc"].toDouble(), summary["test_acc"].toDouble());

        // Asked for another model: refused with the first difference and both values.
        Result other = run({"eval", file, "--model", "mlp", "--layers", "784,32", "--algo", "bp-fp32"});
        QCOMPARE(other.exitCode, 1);
        QVERIFY2(other.err.contains(file + " holds another model than the one asked for: model name: \"cnn-small\" in "
                                    + file + ", \"mlp\" in the model asked for"),
                 qPrintable(other.err));
        // The MLP reader on the graph file, and a damaged graph file through eval.
        QByteArray bytes;
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::ReadOnly));
            bytes = f.readAll();
        }
        bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 1);
        const QString damaged = m_dir.filePath("damaged.ffm");
        {
            QFile f(damaged);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(bytes);
        }
        Result corrupt = run({"eval", damaged});
        QCOMPARE(corrupt.exitCode, 1);
        QVERIFY2(corrupt.err.contains(damaged + ": model file is corrupt or truncated (checksum mismatch)"),
                 qPrintable(corrupt.err));
    }

    // A model described layer by layer (the spec's model object), written here: stem conv 4
    // stride 2 without bias + BN + ReLU; a residual conv 4 with bias, then ReLU; 2x2 max pooling.
    QString describedSpec(const QString &name, const QByteArray &extra = {})
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write(R"({"algorithm": "bp-fp32", "model": {"name": "small-cnn", "blocks": [
            {"name": "stem", "layers": [{"type": "conv2d", "out": 4, "kernel": 3, "stride": 2, "padding": 1, "bias": false},
                                        {"type": "batch_norm"}, {"type": "relu"}]},
            {"name": "res", "residual": true, "layers": [{"type": "conv2d", "out": 4, "kernel": 3, "padding": 1}],
             "after_add": [{"type": "relu"}]},
            {"name": "pool", "layers": [{"type": "max_pool", "kernel": 2}, {"type": "flatten"}]}]},
          "training": {"epochs": 1, "batch": 16}, "dataset": {"train_limit": 320, "test_limit": 100})"
                + extra + "}");
        return path;
    }

    void showsADescribedModel()
    {
        const QString spec = describedSpec("described-show.json");
        Result r = run({"model", "show", spec, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject o = r.events[0];
        QCOMPARE(o["model"].toString(), QString("small-cnn"));
        QCOMPARE(o["input_shape"].toArray(), (QJsonArray{1, 28, 28})); // the spec's dataset, Fashion-MNIST
        // From the layer sizes: 28 -> 14 (stride 2, padding 1) -> 7 (2x2 pooling), 4 channels.
        const qint64 side = (28 + 2 - 3) / 2 + 1, pooled = side / 2;
        const qint64 parameters = 9 * 1 * 4 + 2 * 4 + (9 * 4 * 4 + 4) + (4 * pooled * pooled * 10 + 10);
        const qint64 macs = side * side * 4 * 9 + side * side * 4 * 9 * 4 + 4 * pooled * pooled * 10;
        QCOMPARE(o["parameters"].toInteger(), parameters);
        QCOMPARE(o["macs"].toInteger(), macs);
        QStringList names;
        for (const QJsonValue &l : o["layers"].toArray())
            names << l.toObject()["name"].toString();
        QCOMPARE(names, (QStringList{"stem.conv1", "stem.bn1", "stem.relu1", "res.conv1", "res.add", "res.relu1",
                                     "pool.maxpool1", "pool.flatten1", "head.fc1"}));
        Result text = run({"model", "show", spec});
        QVERIFY2(text.out.contains("Model: \"small-cnn\"") && text.out.contains("res.add (residual_add)"),
                 qPrintable(text.out));
    }

    // Trained and saved, the file evaluated to the same accuracy; the run's stored spec run again
    // rebuilds the same model and, with the same seed, data and one thread, the same accuracy.
    void trainsADescribedModel()
    {
        const QString spec = describedSpec("described-train.json");
        const QString file = m_dir.filePath("described.ffm");
        const QString db = m_dir.filePath("described.sqlite");
        Result train = run({"train", spec, "--dataset", m_dataDir, "--threads", "1", "--json", "--db", db, "--save", file});
        QVERIFY2(train.exitCode == 0, qPrintable(train.err));
        const QJsonObject summary = train.events.last();
        QCOMPARE(summary["status"].toString(), QString("completed"));
        for (const auto &e : train.events)
            if (e["event"].toString() == "start")
                QCOMPARE(e["units"].toArray(), (QJsonArray{"stem", "res", "pool", "head"}));

        Result eval = run({"eval", file, "--test-limit", "100", "--threads", "1", "--json"});
        QVERIFY2(eval.exitCode == 0, qPrintable(eval.err));
        QCOMPARE(eval.events.last()["test_examples"].toInt(), 100);
        QCOMPARE(eval.events.last()["test_acc"].toDouble(), summary["test_acc"].toDouble());

        Result shown = run({"runs", "show", "1", "--json", "--db", db});
        QVERIFY2(shown.exitCode == 0, qPrintable(shown.err));
        const QString stored = m_dir.filePath("described-stored.json");
        {
            QFile f(stored);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(shown.events[0]["spec"].toString().toUtf8());
        }
        QCOMPARE(run({"model", "show", stored, "--json"}).events, run({"model", "show", spec, "--json"}).events);
        Result again = run({"run", stored, "--json", "--db", db});
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        bool completed = false;
        for (const auto &e : again.events) {
            if (e["event"].toString() == "summary") {
                completed = e["status"].toString() == "completed";
                QCOMPARE(e["test_acc"].toDouble(), summary["test_acc"].toDouble());
            }
        }
        QVERIFY2(completed, qPrintable(again.out + again.err));
        auto trainLoss = [](const Result &r) {
            for (const auto &e : r.events)
                if (e["event"].toString() == "epoch")
                    return e["train_loss"].toDouble();
            return -1.0;
        };
        QVERIFY(trainLoss(train) > 0);
        QCOMPARE(trainLoss(again), trainLoss(train));
    }

    // Shapes that do not chain are refused before the first step, the layer and both shapes named.
    void refusesADescribedModelThatDoesNotChain()
    {
        const QString path = m_dir.filePath("described-bad.json");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"algorithm": "bp-fp32", "model": {"layers": [{"type": "flatten"}, {"type": "conv2d", "out": 2, "kernel": 3}]}})");
        f.close();
        Result r = run({"train", path, "--dataset", m_dataDir, "--threads", "1", "--json", "--no-db"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("conv2d \"conv1.conv1\": input %1x1x1 does not fit").arg(28 * 28)),
                 qPrintable(r.err));
        for (const auto &e : r.events)
            QVERIFY(e["event"].toString() != "epoch" && e["event"].toString() != "progress");
    }

    void helpListsCommandsAndFlags()
    {
        Result r = run({"help"});
        QCOMPARE(r.exitCode, 0);
        for (const char *word : {"train", "eval", "bench", "--algo", "--lookahead", "--save", "--json", "quick"})
            QVERIFY2(r.out.contains(word), word);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
