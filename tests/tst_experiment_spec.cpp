// Experiment specs: every shipped spec parses; bad ones are refused with line, column and field.
#include "app/cli/command_line.h"
#include "app/spec/experiment_spec.h"
#include "app/spec/method_spec.h"
#include "app/spec/settings_table.h"
#include "app/spec/spec_error.h"
#include "app/spec/suite.h"
#include "support/qt_compat.h"

#include <QtTest>

using namespace ffint8;

class TestExperimentSpec : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    static QString errorOf(const QByteArray &text)
    {
        try {
            parseSpecText(text, "spec.json");
        } catch (const SpecError &e) {
            return QString::fromUtf8(e.what());
        }
        return {};
    }

private slots:
    void shippedSpecsParse_data()
    {
        QTest::addColumn<QString>("path");
        QDir dir(FFINT8_SOURCE_DIR "/experiments");
        const QStringList files = dir.entryList({"*.json"}, QDir::Files);
        QVERIFY(files.contains("quick.json"));
        for (const QString &f : files) {
            QFile file(dir.filePath(f));
            QVERIFY(file.open(QIODevice::ReadOnly));
            if (!file.readAll().contains("\"ffint8-suite\"")) // suites: tst_suite
                QTest::newRow(qPrintable(f)) << dir.filePath(f);
        }
    }

    void shippedSpecsParse()
    {
        QFETCH(QString, path);
        ExperimentSpec spec = parseSpecFile(path);
        QVERIFY(!spec.name.isEmpty());
        QVERIFY(spec.config.layers.size() >= 2);
    }

    void readsEveryGroup()
    {
        ExperimentSpec s = parseSpecText(R"({"format": "ffint8-experiment", "version": 1, "name": "x",
            "algorithm": "ff-fp32", "model": {"layers": [784, 30, 20]},
            "dataset": {"name": "mnist", "train_limit": 100},
            "training": {"epochs": 2, "batch": 8, "optimizer": "sgd", "lr": 0.5, "momentum": 0.0, "seed": 77},
            "ff": {"goodness": "sum", "theta": 9.5, "negatives": "hardest",
                   "lookahead": {"enabled": false, "per_epoch": 0.01, "cap": 0.2}},
            "int8": {"master_weights": false}, "backend": {"name": "reference", "threads": 1}})", "x.json");
        const TrainConfig &c = s.config;
        QCOMPARE(int(c.algorithm), int(Algorithm::FfFp32));
        QVERIFY((c.layers == std::vector<int>{784, 30, 20}));
        QCOMPARE(QString::fromStdString(c.dataset), QString("mnist"));
        QCOMPARE(c.trainLimit, 100);
        QCOMPARE(c.epochs, 2);
        QCOMPARE(c.batch, 8);
        QCOMPARE(int(c.optimizer), int(OptimizerKind::Sgd));
        QCOMPARE(c.lr, 0.5f);
        QCOMPARE(c.momentum, 0.0f);
        QCOMPARE(c.seed, uint64_t(77));
        QCOMPARE(int(c.goodness), int(Goodness::Sum));
        QCOMPARE(c.theta, 9.5f);
        QCOMPARE(int(c.negatives), int(NegativeLabels::Hardest));
        QVERIFY(!c.lambda.enabled);
        QCOMPARE(c.lambda.perEpoch, 0.01f);
        QCOMPARE(c.lambda.cap, 0.2f);
        QVERIFY(!c.masterWeights);
        QCOMPARE(QString::fromStdString(c.backend), QString("reference"));
        QCOMPARE(c.threads, 1);
    }

    // A target in percent, kept exactly (a double: 86.3 % of 1000 examples is reached by 863 right),
    // through a spec, a flag and the spec a run records; 0 is none.
    void targetAccuracyIsAPercentage()
    {
        ExperimentSpec s = parseSpecText(R"({"training": {"target_accuracy": 86.3}})", "t.json");
        QCOMPARE(s.config.targetAccuracy, 86.3);
        QCOMPARE(parseSpecText("{}", "none.json").config.targetAccuracy, 0.0);
        const QJsonObject written = specToJson(s);
        QCOMPARE(written["training"].toObject()["target_accuracy"].toDouble(), 86.3);
        QCOMPARE(parseSpecText(QJsonDocument(written).toJson(), "w.json").config.targetAccuracy, 86.3);
        const Setting *flag = settingByFlag("--target-accuracy");
        QVERIFY(flag);
        QCOMPARE(flag->path, QString("training.target_accuracy"));
        applySetting(s, *flag, "100");
        QCOMPARE(s.config.targetAccuracy, 100.0);
        QVERIFY_THROWS_EXCEPTION(SpecError, applySetting(s, *flag, "100.5"));
        QVERIFY_THROWS_EXCEPTION(SpecError, applySetting(s, *flag, "nan"));
    }

    void writtenSpecReadsBackTheSame()
    {
        ExperimentSpec s = parseSpecFile(FFINT8_SOURCE_DIR "/experiments/quick.json");
        s.config.theta = 3.25f;
        s.config.negatives = NegativeLabels::Hardest;
        s.telemetrySource = "replay:/tmp/orin.log";
        s.telemetryIntervalMs = 500;
        QByteArray text = QJsonDocument(specToJson(s)).toJson();
        ExperimentSpec back = parseSpecText(text, "written.json");
        QCOMPARE(back.telemetrySource, s.telemetrySource);
        QCOMPARE(back.telemetryIntervalMs, 500);
        for (const auto &setting : settingsTable())
            QCOMPARE(setting.get(back.config), setting.get(s.config));
    }

    // A learning rate left out is the algorithm's own, whichever layer set the algorithm (spec,
    // flag, suite); one that was given stays, whatever the order of the settings.
    void learningRateFollowsTheAlgorithmUntilGiven()
    {
        QCOMPARE(parseSpecText(R"({"algorithm": "bp-fp32"})", "s.json").config.lr, 0.001f);
        QCOMPARE(parseSpecText(R"({"algorithm": "ff-fp32"})", "s.json").config.lr, 0.03f);
        QCOMPARE(parseSpecText(R"({"algorithm": "bp-int8", "training": {"lr": 0.03}})", "s.json").config.lr, 0.03f);
        QCOMPARE(defaultLearningRate(Algorithm::BpUi8), 0.001f);
        QCOMPARE(defaultLearningRate(Algorithm::FfInt8), 0.03f);

        auto lrOf = [](const QStringList &args) { return parseTrainArguments(args, ExtraFlags{}).spec.config.lr; };
        QCOMPARE(lrOf({"--algo", "bp-fp32"}), 0.001f);
        QCOMPARE(lrOf({"--preset", "quick", "--algo", "bp-ui8"}), 0.001f); // the preset leaves lr to its method
        QCOMPARE(lrOf({"--preset", "quick"}), 0.03f);
        QCOMPARE(lrOf({"--lr", "0.01", "--algo", "bp-fp32"}), 0.01f);
        QCOMPARE(lrOf({"--algo", "bp-fp32", "--lr", "0.02"}), 0.02f);
        const QString withLr = m_dir.filePath("with-lr.json");
        QFile file(withLr);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"algorithm": "ff-int8", "training": {"lr": 0.05}})");
        file.close();
        QCOMPARE(lrOf({withLr, "--algo", "bp-fp32"}), 0.05f);

        const QString suitePath = m_dir.filePath("suite.json");
        QFile suiteFile(suitePath);
        QVERIFY(suiteFile.open(QIODevice::WriteOnly));
        suiteFile.write(R"({"format": "ffint8-suite", "version": 1, "name": "lr", "base": "quick", "runs": [
            {"name": "bp", "set": {"algorithm": "bp-fp32"}},
            {"name": "bp own", "set": {"training.lr": 0.005, "algorithm": "bp-fp32"}},
            {"name": "ff", "set": {"algorithm": "ff-fp32"}},
            {"name": "swept", "sweep": {"algorithm": ["bp-int8", "ff-int8"]}}]})");
        suiteFile.close();
        const Suite suite = parseSuiteFile(suitePath);
        QCOMPARE(suite.runs.size(), 5);
        QList<float> rates;
        for (const ExperimentSpec &run : suite.runs)
            rates << run.config.lr;
        QCOMPARE(rates, (QList<float>{0.001f, 0.005f, 0.03f, 0.001f, 0.03f}));
    }

    // A comparison's methods (compare, bench): a rate given for the spec's own method carries over
    // to the methods of the same default only; the others, and every method where none was given,
    // train at their own default.
    void methodsOfAComparisonTakeTheirFamilysRate()
    {
        auto rateOf = [](const QByteArray &spec, Algorithm method) {
            return specForMethod(parseSpecText(spec, "s.json"), method).config.lr;
        };
        const QByteArray ffGiven = R"({"algorithm": "ff-int8", "training": {"lr": 0.05}})";
        QCOMPARE(rateOf(ffGiven, Algorithm::FfFp32), 0.05f);
        QCOMPARE(rateOf(ffGiven, Algorithm::BpUi8), defaultLearningRate(Algorithm::BpUi8));
        const QByteArray bpGiven = R"({"algorithm": "bp-fp32", "training": {"lr": 0.005}})";
        QCOMPARE(rateOf(bpGiven, Algorithm::BpInt8), 0.005f);
        QCOMPARE(rateOf(bpGiven, Algorithm::FfInt8), defaultLearningRate(Algorithm::FfInt8));
        for (Algorithm method : {Algorithm::FfFp32, Algorithm::BpFp32})
            QCOMPARE(rateOf(R"({"algorithm": "ff-int8"})", method), defaultLearningRate(method));
        // A rate that carried over stays a given one; where it did not, the default is not given.
        QVERIFY(specForMethod(parseSpecText(ffGiven, "s.json"), Algorithm::FfFp32).learningRateGiven);
        QVERIFY(!specForMethod(parseSpecText(ffGiven, "s.json"), Algorithm::BpFp32).learningRateGiven);
    }

    void errorsNameLineColumnAndField_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("malformed") << QByteArray("{\n  \"algorithm\": \"ff-int8\",\n  \"model\": {\"layers\": [784,]}\n}")
                                   << "spec.json:3:";
        QTest::newRow("unknown field") << QByteArray("{\n  \"training\": {\n    \"epochz\": 3\n  }\n}")
                                       << "spec.json:3:5: field 'training.epochz': unknown field; valid here: epochs, batch";
        QTest::newRow("bad choice") << QByteArray("{\"algorithm\": \"ff-int4\"}")
                                    << "spec.json:1:2: field 'algorithm': 'ff-int4' is not one of ff-fp32, ff-int8, bp-fp32, bp-int8, bp-ui8";
        QTest::newRow("wrong type") << QByteArray("{\n\"training\": {\"lr\": \"fast\"}}")
                                    << "spec.json:2:14: field 'training.lr': expected a number";
        QTest::newRow("not an integer") << QByteArray("{\"training\": {\"epochs\": 2.5}}")
                                        << "field 'training.epochs': expected an integer";
        QTest::newRow("layers") << QByteArray("{\"model\": {\"layers\": [784]}}")
                                << "field 'model.layers': '784' needs at least two widths";
        QTest::newRow("out of range") << QByteArray("{\"training\": {\"batch\": 0}}")
                                      << "field 'training.batch': 0 is out of range";
        QTest::newRow("target above 100") << QByteArray("{\n  \"training\": {\"target_accuracy\": 150}}")
                                          << "spec.json:2:16: field 'training.target_accuracy': 150 is out of range [0, 100]";
        QTest::newRow("negative target") << QByteArray("{\"training\": {\"target_accuracy\": -5}}")
                                         << "field 'training.target_accuracy': -5 is out of range [0, 100]";
        QTest::newRow("target as text") << QByteArray("{\"training\": {\"target_accuracy\": \"85%\"}}")
                                        << "field 'training.target_accuracy': expected a number";
        QTest::newRow("version") << QByteArray("{\"version\": 9}") << "field 'version': version 9; this build reads version 1";
        QTest::newRow("format") << QByteArray("{\"format\": \"other\"}") << "field 'format'";
        QTest::newRow("not an object") << QByteArray("[1, 2]") << "spec.json:1:1: an experiment spec is a JSON object";
        QTest::newRow("unknown group") << QByteArray("{\"optimiser\": {}}") << "valid here: format, version, name, description, telemetry, store, algorithm, model";
        QTest::newRow("validation") << QByteArray("{\"model\": {\"layers\": [8, 4]}}") << "layers[0]";
        QTest::newRow("telemetry source") << QByteArray("{\n \"telemetry\": {\"source\": \"watts\"}}")
                                          << "spec.json:2:16: field 'telemetry.source': expected one of auto, tegrastats, ina3221, nvml, rapl, none or replay:LOGFILE";
        QTest::newRow("telemetry interval") << QByteArray("{\"telemetry\": {\"interval_ms\": 0}}")
                                            << "field 'telemetry.interval_ms': expected a whole number of milliseconds";
        QTest::newRow("telemetry field") << QByteArray("{\"telemetry\": {\"period\": 5}}")
                                         << "field 'telemetry.period': unknown field; valid here: source, interval_ms";
    }

    void errorsNameLineColumnAndField()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, expected);
        QString error = errorOf(text);
        QVERIFY2(error.contains(expected), qPrintable("got: " + error));
    }
};

QTEST_APPLESS_MAIN(TestExperimentSpec)
#include "tst_experiment_spec.moc"
