// Result tables against golden files (tests/golden/), for both layouts and all four formats, from a
// store filled with known runs; and the properties each format promises: RFC 4180 CSV, Markdown
// pipe tables, booktabs LaTeX, JSON. FFINT8_UPDATE_GOLDEN=1 rewrites the golden files.
#include "app/export/result_table.h"
#include "app/store/run_store.h"
#include "app/store/store_error.h"
#include "support/csv_fields.h"
#include "support/latex_compile.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

using namespace ffint8;
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
    };

    qint64 add(RunStore &store, const KnownRun &k, int index)
    {
        RunRecord r;
        r.name = k.name;
        r.specJson = "{}";
        r.algorithm = k.algorithm;
        r.dataset = "fashion-mnist";
        r.backend = "cpu";
        r.seed = k.seed;
        r.suite = "table-v";
        r.startedAt = QStringLiteral("2026-11-28T10:%1:00.000Z").arg(index, 2, 10, QChar('0'));
        const qint64 id = store.createRun(r);
        store.setParams(id, {{"model.layers", "784,1000,1000"}, {"training.batch", "32"}, {"training.optimizer", "adam"},
                             {"training.lr", k.algorithm.startsWith("bp") ? "0.001" : "0.03"},
                             {"ff.lookahead.enabled", k.lookahead ? "on" : "off"}});
        RunResult result;
        result.status = "completed";
        result.epochsDone = 20;
        result.testAccuracy = k.accuracy;
        result.trainSeconds = k.seconds;
        result.totalSeconds = k.seconds + 10;
        result.energyJoules = k.joules;
        result.peakEngineBytes = k.engineBytes;
        result.peakRssBytes = 300 * 1024 * 1024;
        store.finishRun(id, result);
        return id;
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

    QString table(TableLayout layout, TableFormat format)
    {
        RunStore store(m_db);
        return exportTable(store, m_ids, TableOptions{layout, format, QStringLiteral("bp-fp32")});
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_db = m_dir.filePath("tables.sqlite");
        RunStore store(m_db);
        const QList<KnownRun> runs = {
            {"bp-fp32 seed 1", "bp-fp32", 1, true, 0.8945, 400.5, 2315.0, 20'000'000},
            {"bp-fp32 seed 2", "bp-fp32", 2, true, 0.8925, 410.5, 2335.0, 20'000'000},
            {"bp-int8", "bp-int8", 1, true, 0.5240, 326.1, NAN, 18'000'000},
            {"ff-int8 \"look-ahead\", 50% | a_b & {c}", "ff-int8", 1, true, 0.8659, 200.0, 1097.0, 9'000'000},
            {"ff-int8 seed 2\nsecond line", "ff-int8", 2, true, 0.8641, 210.0, 1103.0, 9'000'000},
            {"ff-int8 without look-ahead", "ff-int8", 1, false, 0.8512, 195.0, NAN, 9'000'000},
        };
        for (int i = 0; i < runs.size(); ++i)
            m_ids << add(store, runs[i], i);
    }

    void matchesGoldenFiles_data()
    {
        QTest::addColumn<int>("layout");
        QTest::addColumn<int>("format");
        QTest::addColumn<QString>("file");
        for (auto [layout, layoutName] : {std::pair{TableLayout::Long, "long"}, std::pair{TableLayout::Paper, "paper"}})
            for (auto [format, suffix] : {std::pair{TableFormat::Csv, "csv"}, std::pair{TableFormat::Markdown, "md"},
                                          std::pair{TableFormat::Latex, "tex"}, std::pair{TableFormat::Json, "json"}})
                QTest::addRow("%s.%s", layoutName, suffix) << int(layout) << int(format) << QStringLiteral("%1.%2").arg(layoutName, suffix);
    }

    void matchesGoldenFiles()
    {
        QFETCH(int, layout);
        QFETCH(int, format);
        QFETCH(QString, file);
        compareWithGolden(table(TableLayout(layout), TableFormat(format)), file);
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
    }
};

QTEST_GUILESS_MAIN(TestExport)
#include "tst_export.moc"
