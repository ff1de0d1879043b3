// Result tables against golden files (tests/golden/), for both layouts and all four formats, from a
// store filled with known runs; and the properties each format promises: RFC 4180 CSV, Markdown
// pipe tables, booktabs LaTeX, JSON. FFINT8_UPDATE_GOLDEN=1 rewrites the golden files.
#include "app/export/method_columns.h"
#include "app/export/result_table.h"
#include "app/spec/experiment_spec.h"
#include "app/store/run_store.h"
#include "app/store/store_error.h"
#include "support/cli_process.h"
#include "support/csv_fields.h"
#include "support/latex_compile.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace ffint8;
using ffint8::testing::CliResult;
using ffint8::testing::runCli;
using ffint8::testing::parseCsv;

class TestExport : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_db;
    QList<qint64> m_ids;

    struct KnownRun
    {
        QString name, algorithm;
        qint64 seed;
        bool lookahead;
        double accuracy, seconds, joules;
        qint64 engineBytes;
        // The target accuracy (a fraction; NaN: none), and where it was reached (0: not reached).
        double target = NAN;
        int targetEpoch = 0;
        double targetSeconds = NAN;
        QString status = QStringLiteral("completed");
    };

    qint64 add(RunStore &store, const KnownRun &k, int index, const QString &suite = QStringLiteral("table-v"))
    {
        RunRecord r;
        r.name = k.name;
        r.specJson = "{}";
        r.algorithm = k.algorithm;
        r.dataset = "fashion-mnist";
        r.backend = "cpu";
        r.board = "orin-nano";
        r.seed = k.seed;
        r.suite = suite;
        r.targetAccuracy = k.target;
        r.startedAt = QStringLiteral("2026-11-28T10:%1:00.000Z").arg(index, 2, 10, QChar('0'));
        const qint64 id = store.createRun(r);
        store.setParams(id, {{"model.layers", "784,1000,1000"}, {"training.batch", "32"}, {"training.optimizer", "adam"},
                             {"training.lr", k.algorithm.startsWith("bp") ? "0.001" : "0.03"},
                             {"ff.lookahead.enabled", k.lookahead ? "on" : "off"}});
        RunResult result;
        result.status = k.status;
        result.epochsDone = 20;
        result.testAccuracy = k.accuracy;
        result.trainSeconds = k.seconds;
        result.totalSeconds = k.seconds + 10;
        result.energyJoules = k.joules;
        result.peakEngineBytes = k.engineBytes;
        result.peakRssBytes = 300 * 1024 * 1024;
        result.targetEpoch = k.targetEpoch;
        result.targetSeconds = k.targetSeconds;
        store.finishRun(id, result);
        return id;
    }

    QList<qint64> addAll(RunStore &store, const QList<KnownRun> &runs, const QString &suite)
    {
        QList<qint64> ids;
        for (int i = 0; i < runs.size(); ++i)
            ids << add(store, runs[i], i, suite);
        return ids;
    }

    static QString golden(const QString &name) { return QStringLiteral(FFINT8_SOURCE_DIR "/tests/golden/") + name; }

    void compareWithGolden(const QString &text, const QString &name)
    {
        if (qEnvironmentVariableIsSet("FFINT8_UPDATE_GOLDEN")) {
            QFile out(golden(name));
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(text.toUtf8());
        }
        QFile file(golden(name));
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable("missing golden file " + golden(name)));
        const QString expected = QString::fromUtf8(file.readAll());
        QCOMPARE(text, expected);
    }

    QString table(TableLayout layout, TableFormat format, TableTime time = TableTime::Epochs)
    {
        RunStore store(m_db);
        return exportTable(store, m_ids, TableOptions{layout, format, QStringLiteral("bp-fp32"), time});
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_db = m_dir.filePath("tables.sqlite");
        RunStore store(m_db);
        // Targets of 85 %: bp-fp32 reached it in epochs 6 and 7, bp-int8 never did, ff-int8 in
        // epochs 15 and 17; the run without look-ahead had none.
        const QList<KnownRun> runs = {
            {"bp-fp32 seed 1", "bp-fp32", 1, true, 0.8945, 400.5, 2315.0, 20'000'000, 0.85, 6, 120.5},
            {"bp-fp32 seed 2", "bp-fp32", 2, true, 0.8925, 410.5, 2335.0, 20'000'000, 0.85, 7, 143.5},
            {"bp-int8", "bp-int8", 1, true, 0.5240, 326.1, NAN, 18'000'000, 0.85, 0, NAN},
            {"ff-int8 \"look-ahead\", 50% | a_b & {c}", "ff-int8", 1, true, 0.8659, 200.0, 1097.0, 9'000'000, 0.85, 15, 150.0},
            {"ff-int8 seed 2\nsecond line", "ff-int8", 2, true, 0.8641, 210.0, 1103.0, 9'000'000, 0.85, 17, 178.0},
            {"ff-int8 without look-ahead", "ff-int8", 1, false, 0.8512, 195.0, NAN, 9'000'000},
        };
        m_ids = addAll(store, runs, QStringLiteral("table-v"));
    }

    void matchesGoldenFiles_data()
    {
        QTest::addColumn<int>("layout");
        QTest::addColumn<int>("format");
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("time");
        // The paper layout with the time for all epochs is the same table as before there were targets.
        for (auto [layout, time, layoutName] : {std::tuple{TableLayout::Long, TableTime::Epochs, "long"},
                                                std::tuple{TableLayout::Paper, TableTime::Epochs, "paper"},
                                                std::tuple{TableLayout::Paper, TableTime::ToTarget, "paper-to-target"}})
            for (auto [format, suffix] : {std::pair{TableFormat::Csv, "csv"}, std::pair{TableFormat::Markdown, "md"},
                                          std::pair{TableFormat::Latex, "tex"}, std::pair{TableFormat::Json, "json"}})
                QTest::addRow("%s.%s", layoutName, suffix)
                    << int(layout) << int(format) << QStringLiteral("%1.%2").arg(layoutName, suffix) << int(time);
    }

    void matchesGoldenFiles()
    {
        QFETCH(int, layout);
        QFETCH(int, format);
        QFETCH(QString, file);
        QFETCH(int, time);
        compareWithGolden(table(TableLayout(layout), TableFormat(format), TableTime(time)), file);
    }

    void csvFollowsRfc4180()
    {
        const QString csv = table(TableLayout::Long, TableFormat::Csv);
        QVERIFY(csv.endsWith("\r\n"));
        const QList<QStringList> rows = parseCsv(csv);
        QCOMPARE(rows.size(), 1 + m_ids.size());
        for (const QStringList &row : rows)
            QCOMPARE(row.size(), rows.first().size());
        // The awkward names come back exactly.
        QCOMPARE(rows[4][1], QString("ff-int8 \"look-ahead\", 50% | a_b & {c}"));
        QCOMPARE(rows[5][1], QString("ff-int8 seed 2\nsecond line"));
    }

    void markdownRowsHaveEqualCells()
    {
        for (TableLayout layout : {TableLayout::Long, TableLayout::Paper}) {
            const QStringList lines = table(layout, TableFormat::Markdown).split('\n');
            QList<int> cellCounts;
            for (const QString &line : lines)
                if (line.startsWith('|')) {
                    QString unescaped = line;
                    unescaped.replace("\\\\", "").replace("\\|", "");
                    cellCounts << int(unescaped.count('|'));
                }
            QVERIFY(cellCounts.size() >= 3);
            for (int n : cellCounts)
                QCOMPARE(n, cellCounts.first());
        }
    }

    void paperLayoutSummarisesSeedsAndRatios()
    {
        const QString md = table(TableLayout::Paper, TableFormat::Markdown);
        // bp-fp32 over two seeds: 89.35 +- 0.14, 405.5 +- 7.1 s.
        QVERIFY2(md.contains(QString::fromUtf8("89.35±0.14 / 405.5±7.1 / 2325.0±14.1 / 19.1")), qPrintable(md));
        // ff-int8 with look-ahead (86.50 over two seeds) against bp-fp32: -2.85 points, 205/405.5 = 0.51x time.
        QVERIFY2(md.contains(QString::fromUtf8("-2.85 pt / 0.51× / 0.47× / 0.45×")), qPrintable(md));
        // No power source for bp-int8: no energy figure, and no ratio invented for it.
        QVERIFY2(md.contains(QString::fromUtf8("52.40 / 326.1 / — / 17.2")), qPrintable(md));
        QVERIFY(md.contains("ff-int8 no-lookahead"));
        const QJsonArray json = QJsonDocument::fromJson(table(TableLayout::Paper, TableFormat::Json).toUtf8()).array();
        QCOMPARE(json.size(), 1);
        QCOMPARE(json[0]["ff-int8 runs"].toInt(), 2);
        QVERIFY(json[0]["bp-int8 energy_j"].isNull());
        QCOMPARE(json[0]["bp-fp32 time_ratio"].toDouble(), 1.0);
    }

    // The paper layout's time to target: mean and spread over the runs that reached it, "n/r" where
    // none did, "—" where no run had a target; the ratios divide times to target.
    void paperLayoutShowsTimeToTarget()
    {
        const QString md = table(TableLayout::Paper, TableFormat::Markdown, TableTime::ToTarget);
        QVERIFY2(md.contains(QString::fromUtf8("training time to 85 % test accuracy s")), qPrintable(md));
        // bp-fp32: 120.5 and 143.5 s, mean 132.0, sd 23 / sqrt(2) = 16.3.
        QVERIFY2(md.contains(QString::fromUtf8("89.35±0.14 / 132.0±16.3 / 2325.0±14.1 / 19.1±0.0")), qPrintable(md));
        QVERIFY2(md.contains(QString::fromUtf8("52.40 / n/r / — / 17.2")), qPrintable(md));
        QVERIFY2(md.contains(QString::fromUtf8("86.50±0.13 / 164.0±19.8 / 1100.0±4.2 / 8.6±0.0")), qPrintable(md));
        QVERIFY2(md.contains(QString::fromUtf8("85.12 / — / — / 8.6")), qPrintable(md));
        // ff-int8 against bp-fp32: 164 / 132 = 1.24; bp-int8 never got there, so no ratio.
        QVERIFY2(md.contains(QString::fromUtf8("-2.85 pt / 1.24× / 0.47× / 0.45×")), qPrintable(md));
        QVERIFY2(md.contains(QString::fromUtf8("-36.95 pt / — / — / 0.90×")), qPrintable(md));
        QVERIFY2(md.contains("n/r: not reached"), qPrintable(md));
        const QString tex = table(TableLayout::Paper, TableFormat::Latex, TableTime::ToTarget);
        QVERIFY2(tex.contains("52.40 / n/r /") && tex.contains("n/r: not reached"), qPrintable(tex));

        // CSV: numbers only; an empty cell where no run reached it, the count of those that did.
        const QList<QStringList> rows = parseCsv(table(TableLayout::Paper, TableFormat::Csv, TableTime::ToTarget));
        QCOMPARE(rows.size(), 2);
        auto cell = [&](const QString &column) { return rows[1].value(rows[0].indexOf(column), QStringLiteral("missing")); };
        QCOMPARE(cell("bp-fp32 target_reached"), QString("2"));
        QCOMPARE(cell("bp-fp32 target_s"), QString("132"));
        QCOMPARE(cell("bp-int8 target_reached"), QString("0"));
        QCOMPARE(cell("bp-int8 target_s"), QString());
        QCOMPARE(cell("bp-int8 time_ratio"), QString());
        QCOMPARE(cell("ff-int8 no-lookahead target_reached"), QString());
        QCOMPARE(cell("ff-int8 time_ratio"), QString::number(164.0 / 132.0, 'g', 10));
        QVERIFY(!rows[0].contains("bp-fp32 train_s"));

        // The long layout has both times, and says "n/r" in text, nothing in CSV.
        const QList<QStringList> longRows = parseCsv(table(TableLayout::Long, TableFormat::Csv));
        auto longCell = [&](int row, const QString &column) { return longRows[row].value(longRows[0].indexOf(column), "missing"); };
        QCOMPARE(longCell(1, "train_s"), QString("400.5"));
        QCOMPARE(longCell(1, "target_acc_pct"), QString("85"));
        QCOMPARE(longCell(1, "target_epoch"), QString("6"));
        QCOMPARE(longCell(1, "target_s"), QString("120.5"));
        QCOMPARE(longCell(3, "target_acc_pct"), QString("85"));
        QCOMPARE(longCell(3, "target_epoch"), QString());
        QCOMPARE(longCell(3, "target_s"), QString());
        QCOMPARE(longCell(6, "target_acc_pct"), QString());
        const QString longMd = table(TableLayout::Long, TableFormat::Markdown);
        QVERIFY2(longMd.contains("| 85.00 | n/r | n/r |") && longMd.contains("n/r: the run's test accuracy did not reach"),
                 qPrintable(longMd));
    }

    // Only some runs of a cell reached the target: their time, marked (k/n); targets that differ
    // between runs are named under the table, not passed off as one.
    void partialAndMixedTargetsAreSaid()
    {
        const QString path = m_dir.filePath("partial.sqlite");
        QList<qint64> ids;
        {
            RunStore store(path);
            ids << add(store, {"bp a", "bp-fp32", 1, true, 0.81, 50.0, NAN, 1'048'576, 0.80, 2, 10.0}, 0, "partial");
            ids << add(store, {"bp b", "bp-fp32", 2, true, 0.79, 50.0, NAN, 1'048'576, 0.80, 0, NAN}, 1, "partial");
            ids << add(store, {"ff", "ff-int8", 1, true, 0.91, 40.0, NAN, 1'048'576, 0.90, 3, 5.0}, 2, "partial");
        }
        RunStore store(path);
        const QString md = exportTable(store, ids, TableOptions{TableLayout::Paper, TableFormat::Markdown, "bp-fp32", TableTime::ToTarget});
        QVERIFY2(md.contains("80.00±1.41 / 10.0 (1/2) /"), qPrintable(md));
        QVERIFY2(md.contains("91.00 / 5.0 /"), qPrintable(md));
        QVERIFY2(md.contains("each run's target test accuracy"), qPrintable(md));
        QVERIFY2(md.contains("The runs' targets differ: 80 %, 90 %."), qPrintable(md));
    }

    // Table V's CNN rows: runs of different model graphs are rows of their own, named by the model
    // they trained (their spec), never averaged together.
    void paperLayoutPutsEachModelInItsRow()
    {
        QTemporaryDir dir;
        RunStore store(dir.filePath("cnn.sqlite"));
        QList<qint64> ids;
        const QList<QPair<QString, double>> runs = {{"resnet-18", 0.80}, {"resnet-18", 0.82}, {"mobilenet-v2", 0.60}};
        for (int i = 0; i < runs.size(); ++i) {
            ExperimentSpec spec;
            spec.name = runs[i].first;
            spec.config.model = runs[i].first.toStdString();
            spec.config.seed = uint64_t(i + 1);
            RunRecord r;
            r.name = spec.name;
            r.specJson = QString::fromUtf8(QJsonDocument(specToJson(spec)).toJson(QJsonDocument::Compact));
            r.algorithm = "bp-fp32";
            r.dataset = "cifar10";
            r.seed = i + 1;
            const qint64 id = store.createRun(r);
            RunResult result;
            result.status = "completed";
            result.epochsDone = 1;
            result.testAccuracy = runs[i].second;
            result.trainSeconds = 10.0;
            store.finishRun(id, result);
            ids << id;
        }
        const QString md = exportTable(store, ids, TableOptions{TableLayout::Paper, TableFormat::Markdown, "bp-fp32"});
        QVERIFY2(md.contains(QString::fromUtf8("| resnet-18 (cifar10) | 81.00±1.41")), qPrintable(md));
        QVERIFY2(md.contains("| mobilenet-v2 (cifar10) | 60.00"), qPrintable(md));
        QVERIFY2(!md.contains("MLP"), qPrintable(md));
        const QString csv = exportTable(store, ids, TableOptions{TableLayout::Long, TableFormat::Csv, "bp-fp32"});
        QVERIFY2(csv.contains(",resnet-18,") && csv.contains(",mobilenet-v2,"), qPrintable(csv));
    }

    // FF with the class-groups loss is a method of its own: not averaged with the threshold loss's runs.
    void paperLayoutKeepsTheFfLossesApart()
    {
        QTemporaryDir dir;
        RunStore store(dir.filePath("losses.sqlite"));
        const QList<KnownRun> runs = {
            {"bp-fp32", "bp-fp32", 1, true, 0.9089, 109.6, NAN, 32'000'000},
            {"ff-int8 class-groups", "ff-int8", 1, true, 0.8775, 109.4, NAN, 58'000'000},
            {"ff-int8 threshold", "ff-int8", 1, true, 0.7486, 283.8, NAN, 90'000'000},
        };
        const QList<qint64> ids = addAll(store, runs, QStringLiteral("losses"));
        store.setParams(ids[1], {{"model.layers", "784,1000,1000"}, {"ff.loss", "class-groups"}});
        store.setParams(ids[2], {{"model.layers", "784,1000,1000"}, {"ff.loss", "threshold"}});
        const QString md = exportTable(store, ids, TableOptions{TableLayout::Paper, TableFormat::Markdown, "bp-fp32"});
        QVERIFY2(md.contains("| bp-fp32 | ff-int8 | ff-int8 class-groups |"), qPrintable(md));
        QVERIFY2(md.contains(QString::fromUtf8("| 90.89 / 109.6 / — / 30.5 | 74.86 / 283.8 / — / 85.8 | 87.75 / 109.4 / — / 55.3 |")),
                 qPrintable(md));
    }

    // Runs of one method and model that differ in a setting it reads are two experiments, each a column
    // named by where it differs from the method's most common settings; seeds, and settings the
    // method does not read, keep runs in one cell.
    void paperLayoutSplitsAMethodBySettings()
    {
        QTemporaryDir dir;
        RunStore store(dir.filePath("variants.sqlite"));
        const QList<KnownRun> runs = {
            {"bp-fp32 seed 1", "bp-fp32", 1, true, 0.90, 100.0, NAN, 32'000'000},
            {"bp-fp32 seed 2", "bp-fp32", 2, true, 0.92, 100.0, NAN, 32'000'000},
            {"ff-int8 paper lambda", "ff-int8", 1, true, 0.80, 60.0, NAN, 16'000'000},
            {"ff-int8 lambda 1 seed 1", "ff-int8", 1, true, 0.86, 70.0, NAN, 16'000'000},
            {"ff-int8 lambda 1 seed 2", "ff-int8", 2, true, 0.88, 70.0, NAN, 16'000'000},
            {"ff-int8 no look-ahead", "ff-int8", 1, false, 0.70, 50.0, NAN, 16'000'000},
            {"ff-int8 no look-ahead, other lambda", "ff-int8", 2, false, 0.72, 50.0, NAN, 16'000'000},
        };
        const QList<qint64> ids = addAll(store, runs, QStringLiteral("variants"));
        // BP-FP32 reads no FF setting: its seeds' different lambdas leave one cell.
        store.setParams(ids[0], {{"ff.lookahead.start", "0"}, {"training.seed", "1"}});
        store.setParams(ids[1], {{"ff.lookahead.start", "1"}, {"training.seed", "2"}});
        store.setParams(ids[2], {{"ff.lookahead.start", "0"}, {"ff.lookahead.cap", "0.1"}});
        for (int i : {3, 4})
            store.setParams(ids[i], {{"ff.lookahead.start", "1"}, {"ff.lookahead.cap", "1"}, {"training.seed", QString::number(i - 2)}});
        // Look-ahead off: its lambda is not read.
        store.setParams(ids[5], {{"ff.lookahead.start", "0"}});
        store.setParams(ids[6], {{"ff.lookahead.start", "1"}});
        const QString md = exportTable(store, ids, TableOptions{TableLayout::Paper, TableFormat::Markdown, "bp-fp32"});
        // A column named by its method alone holds the method's most common settings (lambda 1 here).
        QVERIFY2(md.contains("| model | bp-fp32 | ff-int8 (ff.lookahead.cap=0.1, ff.lookahead.start=0) | ff-int8 | "
                             "ff-int8 no-lookahead |"),
                 qPrintable(md));
        QVERIFY2(md.contains(QString::fromUtf8("| 91.00±1.41 / 100.0±0.0 / — / 30.5±0.0 | 80.00 / 60.0 / — / 15.3 | "
                                               "87.00±1.41 / 70.0±0.0 / — / 15.3±0.0 | 71.00±1.41 / 50.0±0.0 / — / 15.3±0.0 |")),
                 qPrintable(md));
        QVERIFY2(md.contains("ratios to bp-fp32"), qPrintable(md));
        QVERIFY2(md.contains("ff-int8: ff.lookahead.cap=1, ff.lookahead.start=1."), qPrintable(md));

        // A split baseline: the ratios go to its column of most common settings (on a tie, the
        // first seen), and the note says which those are.
        store.setParams(ids[1], {{"training.lr", "0.002"}});
        const QString split = exportTable(store, ids, TableOptions{TableLayout::Paper, TableFormat::Markdown, "bp-fp32"});
        QVERIFY2(split.contains("| model | bp-fp32 | bp-fp32 (training.lr=0.002) |"), qPrintable(split));
        QVERIFY2(split.contains("ratios to bp-fp32") && split.contains("bp-fp32: training.lr=0.001;"), qPrintable(split));
        QVERIFY2(split.contains("| -10.00 pt / 0.60"), qPrintable(split));
    }

    // The most common value of a setting, not the first seen, is the one a label leaves unsaid; runs
    // that differ get different labels even where each differs from it in another setting.
    void methodColumnsNameOnlyWhatDiffersFromTheUsual()
    {
        auto run = [](const QString &lr, const QString &epochs) {
            return ColumnRun{QStringLiteral("resnet-18"), QStringLiteral("ff-int8"),
                             {{"training.lr", lr}, {"training.epochs", epochs}, {"training.seed", lr + epochs}}};
        };
        const MethodColumns columns = methodColumns({run("0.004", "3"), run("0.001", "3"), run("0.001", "3"),
                                                     run("0.001", "5"), run("0.002", "5")});
        QCOMPARE(columns.labels, (QStringList{"ff-int8 (training.lr=0.004)", "ff-int8", "ff-int8", "ff-int8 (training.epochs=5)",
                                              "ff-int8 (training.epochs=5, training.lr=0.002)"}));
        QCOMPARE(columns.commonSettings, QStringList{"ff-int8: training.epochs=3, training.lr=0.001"});
        // Nothing splits: the method alone, and nothing to say.
        const MethodColumns one = methodColumns({run("0.001", "3"), run("0.001", "3")});
        QCOMPARE(one.labels, (QStringList{"ff-int8", "ff-int8"}));
        QVERIFY(one.commonSettings.isEmpty());
    }

    // A run that did not finish holds a part run's figures: the paper layout leaves it out and says
    // so (the CLI on stderr for CSV); a diverged run is a method's result and stays in.
    void paperLayoutLeavesOutRunsThatDidNotFinish()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath("unfinished.sqlite");
        QList<qint64> ids;
        {
            RunStore store(db);
            ids = addAll(store,
                         {{"bp-fp32", "bp-fp32", 1, true, 0.90, 100.0, NAN, 32'000'000},
                          {"bp-fp32 stopped", "bp-fp32", 1, true, 0.40, 5.0, NAN, 32'000'000, NAN, 0, NAN, "cancelled"},
                          {"bp-int8 collapsed", "bp-int8", 1, true, 0.10, 90.0, NAN, 30'000'000, NAN, 0, NAN, "diverged"},
                          {"ff-int8", "ff-int8", 1, true, 0.89, 70.0, NAN, 16'000'000}},
                         QStringLiteral("unfinished"));
            // The stopped run had another rate: kept, it would have split bp-fp32 in two.
            store.setParams(ids[1], {{"training.lr", "0.002"}});
            QStringList leftOut;
            const QString md = exportTable(store, ids, TableOptions{TableLayout::Paper, TableFormat::Markdown, "bp-fp32"}, &leftOut);
            QVERIFY2(md.contains("| model | bp-fp32 | bp-int8 | ff-int8 |"), qPrintable(md));
            QVERIFY2(md.contains("| 90.00 / 100.0 / — / 30.5 | 10.00 / 90.0 / — / 28.6 | 89.00 / 70.0 / — / 15.3 |"), qPrintable(md));
            QVERIFY2(md.contains("| -80.00 pt / 0.90"), qPrintable(md));
            QVERIFY2(md.contains(QStringLiteral("3 runs;")) && md.contains(QStringLiteral("Left out, not finished: run %1 (cancelled).").arg(ids[1])),
                     qPrintable(md));
            QCOMPARE(leftOut, QStringList{QStringLiteral("%1 (cancelled)").arg(ids[1])});
            // The long layout shows every run it is given.
            QVERIFY(exportTable(store, ids, TableOptions{TableLayout::Long, TableFormat::Csv, "bp-fp32"}).contains("bp-fp32 stopped"));
        }
        const CliResult csv = runCli({"export", "--suite", "unfinished", "--layout", "paper", "--db", db});
        QCOMPARE(csv.exitCode, 0);
        QVERIFY2(csv.err.contains(QStringLiteral("leaves out the runs that did not finish: %1 (cancelled)").arg(ids[1])), qPrintable(csv.err));
        QVERIFY2(csv.out.startsWith("model,bp-fp32 runs,"), qPrintable(csv.out));
    }

    // A lab's store: the same model and methods on two boards, a row for each board with --by-board,
    // and one row over both without.
    void paperLayoutByBoard()
    {
        QTemporaryDir dir;
        RunStore store(dir.filePath("lab.sqlite"));
        QList<qint64> ids;
        const struct { const char *board, *algorithm; double accuracy, seconds; } runs[] = {
            {"orin-nano", "bp-fp32", 0.90, 100.0}, {"orin-nano", "ff-int8", 0.89, 80.0},
            {"orin-nx", "bp-fp32", 0.92, 50.0}, {"orin-nx", "ff-int8", 0.91, 30.0}};
        for (const auto &k : runs) {
            RunRecord r;
            r.name = QStringLiteral("%1 on %2").arg(k.algorithm, k.board);
            r.specJson = "{}";
            r.algorithm = k.algorithm;
            r.dataset = "fashion-mnist";
            r.board = k.board;
            const qint64 id = store.createRun(r);
            store.setParams(id, {{"model.layers", "784,1000,1000"}});
            RunResult result;
            result.status = "completed";
            result.epochsDone = 1;
            result.testAccuracy = k.accuracy;
            result.trainSeconds = k.seconds;
            store.finishRun(id, result);
            ids << id;
        }
        TableOptions options{TableLayout::Paper, TableFormat::Markdown, "bp-fp32"};
        options.boardRows = true;
        const QString md = exportTable(store, ids, options);
        QVERIFY2(md.contains("| MLP 784-1000-1000 on orin-nano (fashion-mnist) | 90.00 / 100.0"), qPrintable(md));
        QVERIFY2(md.contains("| MLP 784-1000-1000 on orin-nx (fashion-mnist) | 92.00 / 50.0"), qPrintable(md));
        // Each board's ratios against its own baseline: 80/100 and 30/50.
        QVERIFY2(md.contains(QString::fromUtf8("| MLP 784-1000-1000 on orin-nano vs bp-fp32 | ")) && md.contains(QString::fromUtf8("0.80×")) &&
                     md.contains(QString::fromUtf8("0.60×")),
                 qPrintable(md));
        options.boardRows = false;
        const QString together = exportTable(store, ids, options);
        QVERIFY2(together.contains(QString::fromUtf8("| MLP 784-1000-1000 (fashion-mnist) | 91.00±1.41")), qPrintable(together));
        const QString csv = exportTable(store, ids, TableOptions{TableLayout::Long, TableFormat::Csv, "bp-fp32"});
        QVERIFY2(csv.contains(",cpu,orin-nx,") || csv.contains(",orin-nx,"), qPrintable(csv));
    }

    void latexIsABooktabsTable()
    {
        for (TableLayout layout : {TableLayout::Long, TableLayout::Paper}) {
            const QString tex = table(layout, TableFormat::Latex);
            for (const char *part : {"\\begin{tabular}", "\\toprule", "\\midrule", "\\bottomrule", "\\end{tabular}"})
                QVERIFY2(tex.contains(part), part);
            QCOMPARE(tex.count('{') - tex.count("\\{"), tex.count('}') - tex.count("\\}"));
            // Nothing a cell holds may act as LaTeX: every %, _ and # is escaped (the first line is a comment).
            static const QRegularExpression unescaped(R"((?<!\\)[%_#])");
            for (const QString &line : tex.split('\n').mid(1))
                QVERIFY2(!unescaped.match(line).hasMatch(), qPrintable(line));
            if (testing::pdflatexProgram().isEmpty())
                continue; // compiled where TeX is installed; the golden files hold what it compiled
            const testing::LatexRun run = testing::compileLatexTable(m_dir.path(), "table", tex);
            QVERIFY2(run.compiled, qPrintable(run.output));
        }
    }

    void unknownRunIsAnError()
    {
        RunStore store(m_db);
        try {
            exportTable(store, {m_ids.first(), 999}, TableOptions{});
            QFAIL("exporting a run that does not exist succeeded");
        } catch (const StoreError &e) {
            QVERIFY(QString::fromUtf8(e.what()).contains("no run 999"));
        }
    }

    void exportCommandWritesTheFile()
    {
        const QString out = m_dir.filePath("table.md");
        QProcess p;
        p.start(FFINT8_CLI_PATH, {"export", "--suite", "table-v", "--format", "md", "--layout", "paper", "--out", out, "--db", m_db});
        QVERIFY(p.waitForFinished(30000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(file.readAll()), table(TableLayout::Paper, TableFormat::Markdown));
        p.start(FFINT8_CLI_PATH, {"export", "--runs", "1,3-4", "--format", "yaml", "--db", m_db});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("'yaml' is not one of csv, md, latex, json"));

        p.start(FFINT8_CLI_PATH, {"export", "--suite", "table-v", "--format", "latex", "--layout", "paper", "--time", "to-target",
                                  "--db", m_db});
        QVERIFY(p.waitForFinished(30000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        QCOMPARE(QString::fromUtf8(p.readAllStandardOutput()), table(TableLayout::Paper, TableFormat::Latex, TableTime::ToTarget));
        p.start(FFINT8_CLI_PATH, {"export", "--suite", "table-v", "--time", "to-target", "--db", m_db});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("--time chooses the paper layout's time"));
        p.start(FFINT8_CLI_PATH, {"export", "--suite", "table-v", "--layout", "paper", "--time", "soon", "--db", m_db});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("--time: 'soon' is not one of epochs, to-target"));
    }
};

QTEST_GUILESS_MAIN(TestExport)
#include "tst_export.moc"
