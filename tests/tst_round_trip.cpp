// Seeds over the whole unsigned 64-bit range and names of any characters, through every place they
// are kept or shown: spec JSON, the --seed flag, the run store, `runs show` and every export format.
#include "app/spec/experiment_spec.h"
#include "app/spec/spec_error.h"
#include "support/cli_process.h"
#include "support/csv_fields.h"
#include "support/synthetic_data.h"

#include <QJsonArray>
#include <QtTest>

#include <limits>

using namespace ffint8;
using namespace ffint8::testing;

namespace {

constexpr quint64 kMax = std::numeric_limits<quint64>::max();
constexpr quint64 kTwo63 = quint64(1) << 63;

// A name with every character that means something to a shell, CSV, Markdown, LaTeX, JSON or SQL,
// and some that are not Latin-1.
QString hardName()
{
    return QString::fromUtf8("it's \"q\" \\ & % $ # _ { } ~ ^ | < > , ; `x` '); DROP TABLE runs; -- \t tab é ü 中文 🚀");
}

ExperimentSpec specWithSeed(quint64 seed)
{
    ExperimentSpec spec;
    spec.name = hardName();
    spec.config.seed = seed;
    return spec;
}

} // namespace

class TestRoundTrip : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_data;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_data = clusterFolder(m_dir.path(), 200, 50);
        QVERIFY(!m_data.isEmpty());
    }

    void seedsRoundTripThroughSpecJson_data()
    {
        QTest::addColumn<quint64>("seed");
        for (quint64 seed : {quint64(0), quint64(1), quint64(1) << 53, (quint64(1) << 53) + 1, kTwo63 - 1, kTwo63,
                             kTwo63 + 1, kMax - 1, kMax})
            QTest::newRow(qPrintable(QString::number(seed))) << seed;
    }

    void seedsRoundTripThroughSpecJson()
    {
        QFETCH(quint64, seed);
        const QByteArray text = QJsonDocument(specToJson(specWithSeed(seed))).toJson();
        const ExperimentSpec back = parseSpecText(text, "written.json");
        QCOMPARE(quint64(back.config.seed), seed);
        QCOMPARE(back.name, hardName());
        // Above 2^53 a seed is a string, which every JSON reader keeps exactly; below, a number.
        const QJsonValue written = QJsonDocument::fromJson(text).object()["training"].toObject()["seed"];
        QCOMPARE(written.isString(), seed > (quint64(1) << 53));
    }

    void seedsAsWrittenByHand_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<QString>("expected"); // the seed, or the start of the error
        QTest::newRow("number") << QByteArray("42") << "42";
        QTest::newRow("largest signed number") << QByteArray("9223372036854775807") << "9223372036854775807";
        QTest::newRow("string") << QByteArray("\"18446744073709551615\"") << "18446744073709551615";
        QTest::newRow("number past 2^63") << QByteArray("18446744073709551615")
                                          << "bad.json:1:15: field 'training.seed': 1.8446744073709552e+19 is too large to be read exactly";
        QTest::newRow("negative") << QByteArray("-1") << "bad.json:1:15: field 'training.seed': -1 is not a non-negative integer";
        QTest::newRow("string past 2^64") << QByteArray("\"18446744073709551616\"")
                                          << "bad.json:1:15: field 'training.seed': expected an integer from 0 to 18446744073709551615";
        QTest::newRow("signed string") << QByteArray("\"+5\"") << "bad.json:1:15: field 'training.seed': expected an integer";
    }

    void seedsAsWrittenByHand()
    {
        QFETCH(QByteArray, value);
        QFETCH(QString, expected);
        const QByteArray text = "{\"training\": {\"seed\": " + value + "}}";
        try {
            const ExperimentSpec spec = parseSpecText(text, "bad.json");
            QCOMPARE(QString::number(quint64(spec.config.seed)), expected);
        } catch (const SpecError &e) {
            QVERIFY2(QString::fromUtf8(e.what()).startsWith(expected), e.what());
        }
    }

    // A real run with the largest seed and the hard name, from a spec file and from --seed: the
    // store, `runs show` (JSON and text) and every export give both back exactly.
    void seedAndNameRoundTripThroughStoreAndExports()
    {
        const QString db = m_dir.filePath("runs.sqlite");
        const QString specPath = m_dir.filePath("hard.json");
        ExperimentSpec spec = specWithSeed(kMax);
        spec.config.dataset = m_data.toStdString();
        spec.config.layers = {784, 16};
        spec.config.epochs = 1;
        spec.config.batch = 16;
        spec.config.threads = 1;
        spec.telemetrySource = "none";
        QFile file(specPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QJsonDocument(specToJson(spec)).toJson());
        file.close();

        const QList<QStringList> runs = {{"train", specPath, "--db", db, "--json"},
                                         {"train", specPath, "--db", db, "--json", "--seed", QString::number(kTwo63)}};
        const QList<quint64> seeds = {kMax, kTwo63};
        QStringList ids;
        for (const QStringList &args : runs) {
            const CliResult r = runCli(args);
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
            QVERIFY(!r.events.isEmpty());
            ids << QString::number(r.events.last()["run_id"].toInteger());
        }

        for (int i = 0; i < ids.size(); ++i) {
            const QString seed = QString::number(seeds[i]);
            const CliResult show = runCli({"runs", "show", ids[i], "--db", db, "--json"});
            QVERIFY2(show.exitCode == 0, qPrintable(show.err));
            const QJsonObject shown = show.events.value(0);
            QCOMPARE(shown["seed"].toString(), seed);
            QCOMPARE(shown["name"].toString(), hardName());
            // The spec the store kept reads back to the same seed and name.
            const ExperimentSpec stored = parseSpecText(shown["spec"].toString().toUtf8(), "stored spec");
            QCOMPARE(QString::number(quint64(stored.config.seed)), seed);
            QCOMPARE(stored.name, hardName());
            const CliResult text = runCli({"runs", "show", ids[i], "--db", db});
            QVERIFY2(text.out.contains("\nseed: " + seed + "\n"), qPrintable(text.out));
        }

        const QString both = ids.join(',');
        const CliResult json = runCli({"export", "--runs", both, "--format", "json", "--db", db});
        QVERIFY2(json.exitCode == 0, qPrintable(json.err));
        const QJsonArray rows = QJsonDocument::fromJson(json.out.toUtf8()).array();
        QCOMPARE(rows.size(), 2);
        const CliResult csv = runCli({"export", "--runs", both, "--format", "csv", "--db", db});
        const QList<QStringList> csvRows = parseCsv(csv.out);
        QCOMPARE(csvRows.size(), 3);
        const int seedColumn = int(csvRows[0].indexOf("seed")), nameColumn = int(csvRows[0].indexOf("name"));
        const CliResult md = runCli({"export", "--runs", both, "--format", "md", "--db", db});
        const CliResult tex = runCli({"export", "--runs", both, "--format", "latex", "--db", db});
        for (int i = 0; i < 2; ++i) {
            const QString seed = QString::number(seeds[i]);
            QCOMPARE(rows[i]["seed"].toString(), seed);
            QCOMPARE(rows[i]["name"].toString(), hardName());
            QCOMPARE(csvRows[i + 1][seedColumn], seed);
            QCOMPARE(csvRows[i + 1][nameColumn], hardName());
            QVERIFY2(md.out.contains("| " + seed + " |"), qPrintable(md.out));
            QVERIFY2(tex.out.contains(" & " + seed + " & "), qPrintable(tex.out));
        }
    }
};

QTEST_GUILESS_MAIN(TestRoundTrip)
#include "tst_round_trip.moc"
