// The workbench's run browser, comparison models and export dialog over a real store: their models
// pass QAbstractItemModelTester, the comparison logic gives the figures computed here from the runs'
// inputs, and the widgets' actions reach the store. The compare view itself: tst_gui_compare.
#include "app/compare/run_comparison.h"
#include "app/export/result_table.h"
#include "app/spec/experiment_spec.h"
#include "app/spec/settings_table.h"
#include "app/store/run_store.h"
#include "app/store/store_error.h"
#include "ui/browser/run_filter_bar.h"
#include "ui/browser/run_table_model.h"
#include "ui/browser/runs_browser.h"
#include "ui/compare/comparison_summary_model.h"
#include "ui/compare/config_diff_model.h"
#include "ui/compare/figure_format.h"
#include "ui/export/export_dialog.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QJsonDocument>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include "support/known_runs.h"
#include "support/qt_compat.h"
#include "support/gui_wait.h"

#include <QtTest>
#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>

using namespace ffint8;
using namespace ffint8::testing;

class TestGuiModels : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<RunStore> m_store;
    QList<qint64> m_ids; // in knownRuns()' order

    const KnownRun &known(int index) const { return knownRuns()[index]; }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_store = std::make_unique<RunStore>(m_dir.filePath("runs.sqlite"));
        for (const KnownRun &k : knownRuns())
            m_ids << addRun(*m_store, k);
    }

    // ---- models -------------------------------------------------------------------------------------

    void runTableModelIsAGoodModel()
    {
        RunTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QList<RunRecord> runs = m_store->runs();
        QList<QStringList> tags;
        for (const RunRecord &r : runs)
            tags << m_store->tags(r.id);
        model.setRuns(runs, tags);
        QCOMPARE(model.rowCount(), knownRuns().size());
        for (int row = 0; row < model.rowCount(); ++row) {
            const KnownRun &k = known(row);
            QCOMPARE(model.runId(row), m_ids[row]);
            QCOMPARE(model.index(row, RunTableModel::NameColumn).data().toString(), k.name);
            const double accuracy = k.epochs.back().accuracy;
            QCOMPARE(model.index(row, RunTableModel::TestAccuracyColumn).data(Qt::UserRole).toDouble(), accuracy);
            QCOMPARE(model.index(row, RunTableModel::TestAccuracyColumn).data().toString(),
                     QString::number(accuracy * 100.0, 'f', 2));
            QCOMPARE(model.index(row, RunTableModel::EpochsColumn).data(Qt::UserRole).toInt(), int(k.epochs.size()));
            QCOMPARE(model.index(row, RunTableModel::TrainTimeColumn).data(Qt::UserRole).toDouble(),
                     knownTrainSeconds(k));
            QCOMPARE(model.index(row, RunTableModel::PeakEngineMemoryColumn).data(Qt::UserRole).toLongLong(),
                     k.engineBytes);
            QStringList sortedTags = k.tags;
            sortedTags.sort();
            QCOMPARE(model.index(row, RunTableModel::TagsColumn).data().toString(), sortedTags.join(", "));
            // Only the failed run explains itself in a tool tip.
            const QString tip = model.index(row, RunTableModel::StatusColumn).data(Qt::ToolTipRole).toString();
            QCOMPARE(tip.contains(k.message) && !k.message.isEmpty(), k.status == "failed");
        }
        // Unknown figures show nothing rather than a made-up number.
        QCOMPARE(model.index(1, RunTableModel::EnergyColumn).data().toString(), QString());
        QCOMPARE(model.index(2, RunTableModel::PeakEngineMemoryColumn).data().toString(), QString());
        QCOMPARE(model.index(0, RunTableModel::PeakEngineMemoryColumn).data().toString(), QString("20.0 MiB"));
        model.setRuns({});
        QCOMPARE(model.rowCount(), 0);
    }

    void summaryAndDiffModelsAreGoodModels()
    {
        ComparisonSummaryModel summary;
        QAbstractItemModelTester summaryTester(&summary, QAbstractItemModelTester::FailureReportingMode::QtTest);
        summary.setRows(compareRuns(loadRuns(*m_store, m_ids), m_ids[0]));
        QCOMPARE(summary.rowCount(), m_ids.size());
        ConfigDiffModel diff;
        QAbstractItemModelTester diffTester(&diff, QAbstractItemModelTester::FailureReportingMode::QtTest);
        diff.setDiff({"a", "b", "c"}, configDiff(*m_store, m_ids));
        QCOMPARE(diff.columnCount(), 4);
        QVERIFY(diff.rowCount() > 0);
        diff.setDiff({}, {});
        QCOMPARE(diff.rowCount(), 0);
    }

    // ---- comparison logic ---------------------------------------------------------------------------

    void configDiffShowsExactlyTheDifferingSettings()
    {
        // Runs 0 and 1 differ in the learning rate and in look-ahead, which run 0 does not record.
        const QList<ConfigDiffRow> rows = configDiff(*m_store, {m_ids[0], m_ids[1]});
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows[0].path, QString("ff.lookahead.enabled"));
        QCOMPARE(rows[0].values, (QList<std::optional<QString>>{std::nullopt, QString("on")}));
        QCOMPARE(rows[1].path, QString("training.lr"));
        QCOMPARE(rows[1].values, (QList<std::optional<QString>>{QString("0.001"), QString("0.03")}));
        // All three: the batch size differs as well.
        QStringList paths;
        for (const ConfigDiffRow &r : configDiff(*m_store, m_ids))
            paths << r.path;
        QCOMPARE(paths, (QStringList{"ff.lookahead.enabled", "training.batch", "training.lr"}));
        // A missing setting differs even from an empty value; equal settings never show.
        const QList<ConfigDiffRow> empty = configDiff(QList<RunParams>{{{"x", ""}, {"y", "1"}}, {{"y", "1"}}});
        QCOMPARE(empty.size(), 1);
        QCOMPARE(empty[0].path, QString("x"));
        QCOMPARE(empty[0].values, (QList<std::optional<QString>>{QString(""), std::nullopt}));
        QVERIFY(configDiff(QList<RunParams>{{{"y", "1"}}, {{"y", "1"}}}).isEmpty());
    }

    void summaryDeltasAgainstTheBaseline()
    {
        const QList<ComparisonRow> rows = compareRuns(loadRuns(*m_store, m_ids), m_ids[0]);
        const KnownRun &base = known(0);
        const double baseAccuracy = base.epochs.back().accuracy;
        QVERIFY(rows[0].isBaseline);
        QVERIFY(!rows[1].isBaseline);
        QCOMPARE(rows[0].accuracyDeltaPoints, 0.0);
        QCOMPARE(rows[0].timeRatio, 1.0);
        QCOMPARE(rows[0].energyRatio, 1.0);
        for (int i = 1; i < rows.size(); ++i) {
            const KnownRun &k = known(i);
            QCOMPARE(rows[i].runId, m_ids[i]);
            QCOMPARE(rows[i].accuracyDeltaPoints, (k.epochs.back().accuracy - baseAccuracy) * 100.0);
            QCOMPARE(rows[i].timeRatio, knownTrainSeconds(k) / knownTrainSeconds(base));
            // No power source for these runs: no energy, and no ratio invented for it.
            QVERIFY(std::isnan(rows[i].energyJoules));
            QVERIFY(std::isnan(rows[i].energyRatio));
        }
        QCOMPARE(rows[1].engineMemoryRatio, double(known(1).engineBytes) / double(base.engineBytes));
        QCOMPARE(rows[1].rssRatio, double(known(1).rssBytes) / double(base.rssBytes));
        // The failed run recorded no memory: unknown, not zero.
        QVERIFY(std::isnan(rows[2].peakEngineBytes));
        QVERIFY(std::isnan(rows[2].engineMemoryRatio));

        // Against a baseline without energy, every energy ratio is blank, the baseline's own included.
        const QList<ComparisonRow> againstFf = compareRuns(loadRuns(*m_store, m_ids), m_ids[1]);
        for (const ComparisonRow &r : againstFf)
            QVERIFY(std::isnan(r.energyRatio));
        QCOMPARE(againstFf[0].accuracyDeltaPoints, (baseAccuracy - known(1).epochs.back().accuracy) * 100.0);

        // No baseline: no deltas at all.
        for (const ComparisonRow &r : compareRuns(loadRuns(*m_store, m_ids), 0))
            QVERIFY(std::isnan(r.accuracyDeltaPoints) && std::isnan(r.timeRatio));

        try {
            compareRuns(loadRuns(*m_store, m_ids), 4242);
            QFAIL("a baseline outside the compared runs was accepted");
        } catch (const std::invalid_argument &e) {
            QVERIFY2(QString(e.what()).contains("4242"), e.what());
        }
        try {
            loadRuns(*m_store, {m_ids[0], 999});
            QFAIL("loading a run that does not exist succeeded");
        } catch (const StoreError &e) {
            QVERIFY2(QString(e.what()).contains("999"), e.what());
        }
    }

    void summaryModelShowsDeltasAndBlanks()
    {
        ComparisonSummaryModel model;
        model.setRows(compareRuns(loadRuns(*m_store, m_ids), m_ids[0]));
        const double delta = (known(1).epochs.back().accuracy - known(0).epochs.back().accuracy) * 100.0;
        QCOMPARE(model.index(1, ComparisonSummaryModel::AccuracyDeltaColumn).data().toString(),
                 QStringLiteral("%1 pt").arg(delta, 0, 'f', 2));
        QCOMPARE(model.index(1, ComparisonSummaryModel::AccuracyDeltaColumn).data(Qt::UserRole).toDouble(), delta);
        QCOMPARE(model.index(1, ComparisonSummaryModel::EnergyRatioColumn).data().toString(), QString());
        QVERIFY(!model.index(1, ComparisonSummaryModel::EnergyRatioColumn).data(Qt::UserRole).isValid());
        QCOMPARE(model.index(0, ComparisonSummaryModel::EnergyRatioColumn).data().toString(),
                 QString::fromUtf8("1.00×"));
        QVERIFY(model.index(0, 0).data(Qt::FontRole).value<QFont>().bold());
    }

    // Time to a target accuracy beside time for every epoch: compared only where both runs reached
    // the same target; a run that missed it says so, a run without one shows nothing.
    void summaryShowsTimeToTarget()
    {
        QList<RunRecord> runs(4);
        for (int i = 0; i < runs.size(); ++i) {
            runs[i].id = i + 1;
            runs[i].algorithm = "bp-fp32";
            runs[i].trainSeconds = 100.0;
            runs[i].targetAccuracy = 0.85;
        }
        runs[0].targetEpoch = 3;
        runs[0].targetSeconds = 30.0;
        runs[1].targetEpoch = 5;
        runs[1].targetSeconds = 60.0;
        runs[2].targetEpoch = 0; // missed it
        runs[3].targetAccuracy = NAN; // had none
        const QList<ComparisonRow> rows = compareRuns(runs, 1);
        QCOMPARE(rows[0].targetTimeRatio, 1.0);
        QCOMPARE(rows[1].targetTimeRatio, 2.0);
        QCOMPARE(rows[1].targetEpoch, 5);
        QVERIFY(std::isnan(rows[2].targetSeconds) && std::isnan(rows[2].targetTimeRatio));
        QVERIFY(std::isnan(rows[3].targetTimeRatio));
        ComparisonSummaryModel model;
        model.setRows(rows);
        QCOMPARE(model.index(1, ComparisonSummaryModel::TimeToTargetColumn).data().toString(),
                 QString("%1 (epoch 5)").arg(formatSeconds(60.0)));
        QCOMPARE(model.index(1, ComparisonSummaryModel::TimeToTargetColumn).data(Qt::UserRole).toDouble(), 60.0);
        QCOMPARE(model.index(1, ComparisonSummaryModel::TargetTimeRatioColumn).data().toString(),
                 QString::fromUtf8("2.00×"));
        QCOMPARE(model.index(2, ComparisonSummaryModel::TimeToTargetColumn).data().toString(), QString("not reached"));
        QCOMPARE(model.index(3, ComparisonSummaryModel::TimeToTargetColumn).data().toString(), QString());
        // A different target is not compared.
        runs[1].targetAccuracy = 0.9;
        QVERIFY(std::isnan(compareRuns(runs, 1)[1].targetTimeRatio));
    }

    void curvesUseEpochsAndCumulativeWallTime()
    {
        const QList<RunCurves> curves = runCurves(*m_store, {m_ids[0], m_ids[1]});
        QCOMPARE(curves.size(), 2);
        for (int i = 0; i < 2; ++i) {
            const KnownRun &k = known(i);
            const RunCurves &c = curves[i];
            QCOMPARE(c.epoch.size(), qsizetype(k.epochs.size()));
            double wall = 0.0;
            for (size_t e = 0; e < k.epochs.size(); ++e) {
                wall += k.epochs[e].trainSeconds + k.epochs[e].evalSeconds;
                QCOMPARE(c.epoch[e], double(e + 1));
                QCOMPARE(c.wallSeconds[e], wall);
                QCOMPARE(c.testAccuracy[e], k.epochs[e].accuracy * 100.0);
                QCOMPARE(c.trainLoss[e], k.epochs[e].loss);
            }
        }
        QVERIFY(!curves[0].forwardForward);
        QVERIFY(curves[0].separation.isEmpty()); // BP has no goodness
        QVERIFY(curves[0].units.isEmpty());
        QVERIFY(curves[1].forwardForward);
        QCOMPARE(curves[1].units, known(1).units);
        QCOMPARE(curves[1].separation.size(), 2);
        for (size_t e = 0; e < known(1).epochs.size(); ++e)
            for (int unit = 0; unit < 2; ++unit) {
                const auto [pos, neg] = known(1).epochs[e].goodness[size_t(unit)];
                QCOMPARE(curves[1].separation[unit][e], pos - neg);
            }
        QCOMPARE(separationUnits(curves), known(1).units);

        const CurveSeries wallSeries
            = curveSeries(curves[1], CurveMetric::GoodnessSeparation, CurveAxis::WallSeconds, "fc2");
        QCOMPARE(wallSeries.x, curves[1].wallSeconds);
        QCOMPARE(wallSeries.y, curves[1].separation[1]);
        QVERIFY(curveSeries(curves[0], CurveMetric::GoodnessSeparation, CurveAxis::Epoch, "fc1").x.isEmpty());
        QVERIFY(curveSeries(curves[1], CurveMetric::GoodnessSeparation, CurveAxis::Epoch, "fc9").x.isEmpty());

        // A run that never named its units: its separation is filed under the fallback names, and
        // runs are lined up by name, so units of the same name share a curve choice.
        const QList<RunCurves> all = runCurves(*m_store, m_ids);
        QCOMPARE(all[2].units, (QStringList{"layer1", "layer2"}));
        QCOMPARE(separationUnits(all), (QStringList{"fc1", "fc2", "layer1", "layer2"}));
        const auto [pos, neg] = known(2).epochs[0].goodness[1];
        QCOMPARE(curveSeries(all[2], CurveMetric::GoodnessSeparation, CurveAxis::Epoch, "layer2").y,
                 (QVector<double>{pos - neg}));
    }

    void curvesLeaveOutUnevaluatedEpochs()
    {
        RunRecord run;
        run.id = 7;
        run.algorithm = "ff-int8";
        std::vector<StoredEpoch> epochs;
        const std::vector<KnownEpoch> inputs = {{0.5, 1.0, 2.0, 1.0, {{2.0, 1.0}}},
                                                {-1.0, 0.9, 2.0, 0.0, {{2.5, 1.0}}},
                                                {0.7, 0.8, 2.0, 1.0, {{3.0, 1.0}}}};
        for (size_t i = 0; i < inputs.size(); ++i)
            epochs.push_back(StoredEpoch{epochMetrics(inputs[i], int(i), 0), std::nullopt, std::nullopt});
        const RunCurves c = runCurves(run, epochs);
        const CurveSeries accuracy = curveSeries(c, CurveMetric::TestAccuracy, CurveAxis::WallSeconds);
        QCOMPARE(accuracy.x, (QVector<double>{3.0, 3.0 + 2.0 + 3.0}));
        QCOMPARE(accuracy.y, (QVector<double>{50.0, 70.0}));
        QCOMPARE(curveSeries(c, CurveMetric::TrainLoss, CurveAxis::Epoch).x, (QVector<double>{1, 2, 3}));
    }

    // ---- runs browser -------------------------------------------------------------------------------

    void browserFiltersNarrowTheRows()
    {
        RunsBrowser browser;
        browser.setStore(m_store.get());
        QAbstractItemModel *shown = browser.view()->model();
        QCOMPARE(shown->rowCount(), knownRuns().size());

        RunFilterBar *bar = browser.filterBar();
        QComboBox *algorithm = bar->algorithmCombo();
        QCOMPARE(algorithm->itemText(0), QString("any"));
        const int ffInt8 = algorithm->findText("ff-int8");
        QVERIFY(ffInt8 > 0);
        algorithm->setCurrentIndex(ffInt8);
        QCOMPARE(shown->rowCount(), 1);
        QCOMPARE(browser.model()->runId(0), m_ids[1]);
        algorithm->setCurrentIndex(0);
        QCOMPARE(shown->rowCount(), knownRuns().size());

        bar->statusCombo()->setCurrentIndex(bar->statusCombo()->findText("failed"));
        QCOMPARE(shown->rowCount(), 1);
        QCOMPARE(browser.model()->runId(0), m_ids[2]);
        bar->statusCombo()->setCurrentIndex(0);

        bar->tagCombo()->setCurrentIndex(bar->tagCombo()->findText("paper"));
        QCOMPARE(shown->rowCount(), 2);
        bar->tagCombo()->setCurrentIndex(0);

        // Typing is debounced: the table follows once the text settles.
        QSignalSpy changed(bar, &RunFilterBar::filterChanged);
        bar->textEdit()->setText("LOOK-AHEAD");
        QCOMPARE(changed.count(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(shown->rowCount(), 1, kSettleMs);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(browser.model()->runId(0), m_ids[1]);

        RunFilter since;
        since.since = "2026-11-21";
        bar->setFilter(since);
        QCOMPARE(shown->rowCount(), 2);
        RunFilter until;
        until.until = "2026-11-22"; // a date covers its whole day
        bar->setFilter(until);
        QCOMPARE(shown->rowCount(), 2);
        bar->setFilter({});
        QCOMPARE(shown->rowCount(), knownRuns().size());

        browser.setStore(nullptr);
        QCOMPARE(shown->rowCount(), 0);
    }

    void browserSortsAccuracyAsNumbers()
    {
        RunsBrowser browser;
        browser.setStore(m_store.get());
        browser.view()->sortByColumn(RunTableModel::TestAccuracyColumn, Qt::AscendingOrder);
        QList<int> order{0, 1, 2};
        std::sort(order.begin(), order.end(), [](int a, int b) {
            return knownRuns()[a].epochs.back().accuracy < knownRuns()[b].epochs.back().accuracy;
        });
        QStringList expected;
        for (int i : order)
            expected << QString::number(m_ids[i]);
        QCOMPARE(columnTexts(*browser.view()->model(), RunTableModel::IdColumn), expected);
        // As text "9.50" would sort after "88.00"; the failed run's 9.5 % must come first.
        QCOMPARE(browser.view()->model()->index(0, RunTableModel::TestAccuracyColumn).data().toString(),
                 QString("9.50"));
    }

    void browserActionsReachTheStore()
    {
        RunsBrowser browser;
        browser.setStore(m_store.get());
        QStringList asked;
        QStringList offeredTags;
        QString answer;
        BrowserAskers askers;
        askers.askText = [&](const QString &title, const QString &, const QString &initial, bool) {
            asked << title + ": " + initial;
            return std::optional<QString>(answer);
        };
        askers.askItem = [&](const QString &, const QString &, const QStringList &items) {
            offeredTags = items;
            return std::optional<QString>(answer);
        };
        browser.setAskers(askers);
        const qint64 id = m_ids[2];
        const QString oldName = known(2).name;

        browser.selectRuns({id});
        QCOMPARE(browser.selectedRunIds(), QList<qint64>{id});
        QVERIFY(browser.renameAction()->isEnabled());
        QVERIFY(!browser.compareAction()->isEnabled());
        answer = "diverged at lr 0.3";
        browser.renameAction()->trigger();
        QCOMPARE(asked.last(), "Rename run: " + oldName);
        QCOMPARE(m_store->run(id)->name, answer);
        QCOMPARE(browser.selectedRunIds(), QList<qint64>{id}); // the selection survives the refresh

        QSignalSpy errors(&browser, &RunsBrowser::storeError);
        answer = "   ";
        browser.renameSelected();
        QCOMPARE(errors.count(), 1);
        QVERIFY(errors.first().first().toString().contains("cannot be empty"));
        QCOMPARE(m_store->run(id)->name, QString("diverged at lr 0.3"));

        answer = "lr-sweep";
        browser.tagSelected();
        QVERIFY(m_store->tags(id).contains("lr-sweep"));
        QCOMPARE(browser.model()->tags(browser.model()->rowOfRun(id)), QStringList{"lr-sweep"});
        QVERIFY(browser.filterBar()->tagCombo()->findText("lr-sweep") > 0);

        answer = "NaN from the first batch of epoch 2";
        browser.addNoteToSelected();
        QCOMPARE(m_store->notes(id), QStringList{answer});

        answer = "lr-sweep";
        browser.removeTagFromSelected();
        QCOMPARE(offeredTags, QStringList{"lr-sweep"});
        QVERIFY(m_store->tags(id).isEmpty());

        m_store->renameRun(id, oldName);

        // Several runs at once: compare and export carry the ids in the table's order.
        browser.selectRuns({m_ids[0], m_ids[1]});
        QSignalSpy compare(&browser, &RunsBrowser::compareRequested);
        QSignalSpy exportSpy(&browser, &RunsBrowser::exportRequested);
        QVERIFY(browser.compareAction()->isEnabled());
        browser.compareAction()->trigger();
        browser.exportAction()->trigger();
        QCOMPARE(compare.count(), 1);
        QList<qint64> ids = compare.first().first().value<QList<qint64>>();
        std::sort(ids.begin(), ids.end());
        QCOMPARE(ids, (QList<qint64>{m_ids[0], m_ids[1]}));
        QCOMPARE(exportSpy.first().first().value<QList<qint64>>(), compare.first().first().value<QList<qint64>>());
    }

    void browserDeletesOnlyAfterYes()
    {
        KnownRun scratch = known(0);
        scratch.name = "scratch run to delete";
        const qint64 id = addRun(*m_store, scratch);
        RunsBrowser browser;
        browser.setStore(m_store.get());
        const int before = browser.view()->model()->rowCount();
        QStringList questions;
        bool yes = false;
        BrowserAskers askers;
        askers.confirm = [&](const QString &, const QString &question) {
            questions << question;
            return yes;
        };
        browser.setAskers(askers);
        browser.selectRuns({id});

        browser.deleteAction()->trigger();
        QCOMPARE(questions.size(), 1);
        QVERIFY2(questions.first().contains(scratch.name) && questions.first().contains(QString::number(id)),
                 qPrintable(questions.first()));
        QVERIFY(m_store->run(id).has_value());
        QCOMPARE(browser.view()->model()->rowCount(), before);

        yes = true;
        browser.deleteSelected();
        QCOMPARE(questions.size(), 2);
        QVERIFY(!m_store->run(id).has_value());
        QCOMPARE(browser.view()->model()->rowCount(), before - 1);
        QVERIFY(browser.selectedRunIds().isEmpty());
    }

    // ---- export dialog ------------------------------------------------------------------------------

    void exportDialogWritesWhatExportTableMakes()
    {
        ExportDialog dialog(m_store.get(), m_ids);
        dialog.setTableLayout(TableLayout::Long);
        dialog.setTableFormat(TableFormat::Csv);
        const QString path = m_dir.filePath("table.csv");
        QString error;
        QVERIFY2(dialog.exportTo(path, &error), qPrintable(error));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString expected
            = exportTable(*m_store, m_ids, TableOptions{TableLayout::Long, TableFormat::Csv, "bp-fp32"});
        QCOMPARE(QString::fromUtf8(file.readAll()), expected);
        QCOMPARE(dialog.previewText(), expected);

        // The paper layout with its baseline, and the file's suffix following the format.
        dialog.setOutputPath(m_dir.filePath("table.csv"));
        dialog.setTableLayout(TableLayout::Paper);
        dialog.setTableFormat(TableFormat::Latex);
        dialog.setBaseline("ff-int8");
        QCOMPARE(dialog.outputPath(), m_dir.filePath("table.tex"));
        QCOMPARE(dialog.previewText(),
                 exportTable(*m_store, m_ids, TableOptions{TableLayout::Paper, TableFormat::Latex, "ff-int8"}));
        // The paper layout's time to the target accuracy, as `ffint8 export --time to-target` makes it.
        dialog.setTableTime(TableTime::ToTarget);
        const QString toTarget = exportTable(
            *m_store, m_ids, TableOptions{TableLayout::Paper, TableFormat::Latex, "ff-int8", TableTime::ToTarget});
        QCOMPARE(dialog.previewText(), toTarget);
        QVERIFY(toTarget != exportTable(*m_store, m_ids, TableOptions{TableLayout::Paper, TableFormat::Latex, "ff-int8"}));
        QVERIFY(dialog.options().time == TableTime::ToTarget);
        // A row per model and board, as `ffint8 export --by-board` makes it.
        dialog.setRowsByBoard(true);
        TableOptions byBoard{TableLayout::Paper, TableFormat::Latex, "ff-int8", TableTime::ToTarget};
        byBoard.boardRows = true;
        QCOMPARE(dialog.previewText(), exportTable(*m_store, m_ids, byBoard));
        QVERIFY(dialog.previewText() != toTarget);
    }

    void exportDialogReportsAFileItCannotWrite()
    {
        ExportDialog dialog(m_store.get(), m_ids);
        const QString path = m_dir.filePath("no such folder/table.csv");
        QString error;
        QVERIFY(!dialog.exportTo(path, &error));
        QVERIFY2(error.contains(path), qPrintable(error));
        QVERIFY(!QFile::exists(path));
    }
};

QTEST_MAIN(TestGuiModels)
#include "tst_gui_models.moc"
