// Suites: every shipped experiment parses, sweeps multiply out in order, errors name file, line,
// column and field, and `ffint8 run` records a suite's runs under its name and prints its table.
#include "app/spec/spec_error.h"
#include "app/spec/suite.h"
#include "app/store/run_store.h"
#include "support/synthetic_data.h"

#include <QProcess>
#include <QtTest>

using namespace ffint8;

class TestSuite : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString write(const QString &name, const QByteArray &text)
    {
        QFile f(m_dir.filePath(name));
        f.open(QIODevice::WriteOnly);
        f.write(text);
        return f.fileName();
    }

    static QString errorOf(const QString &path)
    {
        try {
            parseSuiteFile(path);
        } catch (const SpecError &e) {
            return QString::fromUtf8(e.what());
        }
        return {};
    }

private slots:
    void shippedExperimentsParse()
    {
        const QDir dir(FFINT8_SOURCE_DIR "/experiments");
        const QStringList files = dir.entryList({"*.json"});
        QVERIFY(files.contains("quick.json") && files.contains("paper-mlp-fashion.json") && files.contains("lookahead-ablation.json"));
        for (const QString &file : files) {
            const Suite suite = parseSuiteFile(dir.filePath(file));
            QVERIFY2(!suite.runs.isEmpty(), qPrintable(file));
        }
        const Suite table = parseSuiteFile(dir.filePath("paper-mlp-fashion.json"));
        QStringList algorithms;
        for (const ExperimentSpec &s : table.runs)
            algorithms << algorithmName(s.config.algorithm);
        QCOMPARE(algorithms, (QStringList{"bp-fp32", "bp-int8", "bp-ui8", "ff-int8", "ff-fp32", "ff-int8"}));
        QVERIFY(!table.runs.last().config.lambda.enabled);
        QCOMPARE(table.runs[0].config.lr, 0.001f);
        QCOMPARE(table.runs[0].config.layers, (std::vector<int>{784, 1000, 1000}));
        QCOMPARE(parseSuiteFile(dir.filePath("paper-mlp-mnist.json")).runs[3].config.dataset, std::string("mnist"));
        // Table V's CNN rows: every graph method on every CNN; the short one on padded Fashion-MNIST.
        for (const char *file : {"paper-cnn-cifar10.json", "paper-cnn-fashion.json"}) {
            const Suite cnn = parseSuiteFile(dir.filePath(file));
            QCOMPARE(cnn.runs.size(), 21);
            QStringList runs;
            for (const ExperimentSpec &s : cnn.runs)
                runs << QString::fromLatin1(algorithmName(s.config.algorithm)) + " " + QString::fromStdString(s.config.model);
            QCOMPARE(runs.count("ff-int8 resnet-18"), 2); // the threshold loss and the class-groups loss
            QCOMPARE(runs.count("bp-int8 mobilenet-v2"), 1);
            QCOMPARE(runs.count("bp-ui8 resnet-18"), 1);
            QCOMPARE(runs.count("ff-fp32 efficientnet-b0"), 2);
            QCOMPARE(cnn.runs[0].config.batch, 32);
            QCOMPARE(cnn.runs[0].config.lr, 0.001f);
            QCOMPARE(int(cnn.runs[4].config.ffPrediction), int(FfPrediction::Head));
            QCOMPARE(int(cnn.runs[4].config.ffLoss), int(FfLoss::Threshold));
            QCOMPARE(int(cnn.runs.last().config.ffLoss), int(FfLoss::ClassGroups));
            QCOMPARE(cnn.runs.last().config.predictFromLayer, -1);
        }
        const Suite shortCnn = parseSuiteFile(dir.filePath("paper-cnn-fashion.json"));
        QCOMPARE(shortCnn.runs[0].config.dataset, std::string("fashion-mnist"));
        QCOMPARE(shortCnn.runs[0].config.padTo, 32);
        QCOMPARE(parseSuiteFile(dir.filePath("paper-cnn-cifar10.json")).runs[0].config.dataset, std::string("cifar10"));
        // ResNet-18's learning on all of padded Fashion-MNIST: a cosine rate over three epochs, FF's
        // look-ahead at lambda 1 throughout, and once with the paper's schedule.
        const Suite learning = parseSuiteFile(dir.filePath("resnet-18-fashion.json"));
        QCOMPARE(learning.runs.size(), 5);
        for (const ExperimentSpec &s : learning.runs) {
            QCOMPARE(s.config.model, std::string("resnet-18"));
            QCOMPARE(s.config.trainLimit, 0);
            QCOMPARE(s.config.epochs, 3);
            QCOMPARE(int(s.config.lrSchedule), int(LrSchedule::Cosine));
            QCOMPARE(s.config.targetAccuracy, 92.0);
        }
        QCOMPARE(int(learning.runs[2].config.ffLoss), int(FfLoss::ClassGroups));
        QCOMPARE(learning.runs[2].config.algorithm, Algorithm::FfInt8);
        for (int epoch : {0, 1, 2}) {
            QCOMPARE(learning.runs[2].config.lambda.at(epoch), 1.0f);
            QCOMPARE(learning.runs[3].config.lambda.at(epoch), 1.0f);
        }
        QCOMPARE(learning.runs[4].config.algorithm, Algorithm::FfInt8);
        QCOMPARE(learning.runs[4].config.lambda.at(0), 0.0f);
        QCOMPARE(learning.runs[4].config.lambda.at(2), 0.002f);
    }

    void sweepsMultiplyOutInOrder()
    {
        const QString path = write("sweep.json", "{\n"
            "  \"format\": \"ffint8-suite\", \"version\": 1, \"name\": \"s\",\n"
            "  \"set\": { \"training.epochs\": 2 },\n"
            "  \"sweep\": { \"training.seed\": [1, 2] },\n"
            "  \"runs\": [\n"
            "    { \"name\": \"a\", \"set\": { \"algorithm\": \"ff-fp32\" } },\n"
            "    { \"name\": \"b\", \"sweep\": { \"training.lr\": [0.1, 0.01] } }\n"
            "  ]\n"
            "}");
        const Suite suite = parseSuiteFile(path);
        QStringList names;
        for (const ExperimentSpec &s : suite.runs)
            names << s.name;
        QCOMPARE(names, (QStringList{"a seed=1", "a seed=2", "b lr=0.1 seed=1", "b lr=0.1 seed=2", "b lr=0.01 seed=1", "b lr=0.01 seed=2"}));
        QCOMPARE(suite.runs[3].config.seed, uint64_t(2));
        QCOMPARE(suite.runs[3].config.lr, 0.1f);
        QCOMPARE(suite.runs[0].config.algorithm, Algorithm::FfFp32);
        QCOMPARE(suite.runs[5].config.epochs, 2);
    }

    void errorsNameLineColumnAndField_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown entry field") << QByteArray("{\"format\": \"ffint8-suite\", \"version\": 1,\n \"runs\": [\n  {\"name\": \"a\"},\n  {\"nmae\": \"b\"}]}")
                                             << ":4:4: field 'runs.1.nmae': unknown field; valid here: name, spec, set, sweep";
        QTest::newRow("unknown setting") << QByteArray("{\"format\": \"ffint8-suite\", \"version\": 1,\n \"set\": {\"training.rate\": 1}}")
                                         << ":2:10: field 'set.training.rate': 'training.rate' is not a setting; valid: algorithm,";
        QTest::newRow("bad sweep value") << QByteArray("{\"format\": \"ffint8-suite\", \"version\": 1,\n \"sweep\": {\"training.seed\": [1,\n  \"two\"]}}")
                                         << ":3:3: field 'sweep.training.seed.1': expected an integer";
        QTest::newRow("empty sweep") << QByteArray("{\"format\": \"ffint8-suite\", \"version\": 1, \"sweep\": {\"training.seed\": []}}")
                                     << ":1:52: field 'sweep.training.seed': expected a non-empty array";
        QTest::newRow("missing spec") << QByteArray("{\"format\": \"ffint8-suite\", \"version\": 1, \"runs\": [{\"spec\": \"nowhere.json\"}]}")
                                      << "field 'runs.0.spec': no spec nowhere.json";
        QTest::newRow("bad version") << QByteArray("{\"format\": \"ffint8-suite\", \"version\": 7}")
                                     << ":1:28: field 'version': this build reads suite version 1";
        QTest::newRow("malformed") << QByteArray("{\"format\": \"ffint8-suite\",\n \"version\": 1,,}") << ":2:16: malformed JSON";
    }

    void errorsNameLineColumnAndField()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, expected);
        const QString path = write("bad.json", text);
        const QString error = errorOf(path);
        QVERIFY2(error.startsWith(path) && error.contains(expected), qPrintable(error));
    }

    void runCommandRecordsTheSuite()
    {
        const QString data = m_dir.filePath("clusters");
        QVERIFY(QDir().mkpath(data));
        QVERIFY(testing::writeIdxClusters(data, 600, 100));
        const QString path = write("tiny.json", QStringLiteral("{\n"
            "  \"format\": \"ffint8-suite\", \"version\": 1, \"name\": \"tiny \\\"suite\\\"\",\n"
            "  \"set\": { \"dataset.name\": \"%1\", \"model.layers\": [784, 32, 32], \"training.epochs\": 2 },\n"
            "  \"runs\": [\n"
            "    { \"name\": \"bp\", \"set\": { \"algorithm\": \"bp-fp32\", \"training.lr\": 0.001 } },\n"
            "    { \"name\": \"ff\", \"sweep\": { \"training.seed\": [1, 2] } }\n"
            "  ]\n"
            "}").arg(data).toUtf8());
        const QString db = m_dir.filePath("suite.sqlite");
        QProcess p;
        p.start(FFINT8_CLI_PATH, {"run", path, "--db", db, "--telemetry", "none", "--tag", "smoke"});
        QVERIFY(p.waitForFinished(120000));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        QVERIFY2(out.contains("== run 3/3: ff seed=2") && out.contains("| id | name | suite |"), qPrintable(out));
        RunStore store(db);
        RunFilter filter;
        filter.suite = "tiny \"suite\"";
        const QList<RunRecord> runs = store.runs(filter);
        QCOMPARE(runs.size(), 3);
        QCOMPARE(runs[0].algorithm, QString("bp-fp32"));
        QCOMPARE(runs[2].seed, quint64(2));
        QCOMPARE(runs[2].epochsDone, 2);
        QVERIFY2(runs[0].testAccuracy > 0.5, qPrintable(QString::number(runs[0].testAccuracy)));
        QVERIFY(runs[2].testAccuracy >= 0.0 && runs[2].testAccuracy <= 1.0);
        QCOMPARE(store.tags(runs[1].id), QStringList{"smoke"});
        QCOMPARE(store.epochs(runs[1].id).size(), size_t(2));
        QVERIFY(!store.progress(runs[1].id).empty());
        // Its settings are recorded one by one, for tables and config diffs.
        bool found = false;
        for (const auto &[key, value] : store.params(runs[0].id))
            found = found || (key == "training.lr" && value.toDouble() == 0.001);
        QVERIFY(found);
    }

    void runsListFilters()
    {
        const QString db = m_dir.filePath("suite.sqlite");
        auto list = [&](const QStringList &args) {
            QProcess p;
            p.start(FFINT8_CLI_PATH, QStringList{"runs", "list", "--db", db} + args);
            p.waitForFinished(30000);
            return QString::fromUtf8(p.readAllStandardOutput()).split('\n', Qt::SkipEmptyParts).size();
        };
        QCOMPARE(list({}), 3);
        QCOMPARE(list({"--algo", "ff-int8"}), 2);
        QCOMPARE(list({"--text", "SEED=2"}), 1); // case-insensitive, in the name
        QCOMPARE(list({"--text", "%"}), 0);      // no wildcards: a literal search
        QCOMPARE(list({"--since", QDate::currentDate().toString(Qt::ISODate)}), 3);
        QCOMPARE(list({"--until", QDate::currentDate().addDays(-1).toString(Qt::ISODate)}), 0);
        QCOMPARE(list({"--suite", "tiny \"suite\"", "--tag", "smoke"}), 3);
    }
};

QTEST_GUILESS_MAIN(TestSuite)
#include "tst_suite.moc"
