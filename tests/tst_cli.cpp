// The ffint8 command line as users and scripts run it: flags, errors, JSON events, save and eval.
#include "support/synthetic_data.h"

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

    Result run(const QStringList &args, int timeoutMs = 120000)
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("FFINT8_DATA", m_dir.path());
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
        QTest::newRow("unknown command") << QStringList{"trian"} << 2 << "unknown command 'trian'; valid: train, run, runs, export, eval, bench, compare";
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
