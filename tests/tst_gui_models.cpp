// The workbench's run browser, compare view and export dialog over a real store: their models pass
// QAbstractItemModelTester, the comparison logic gives the figures computed here from the runs'
// inputs, and the widgets' actions reach the store.
#include "app/compare/run_comparison.h"
#include "app/export/result_table.h"
#include "app/spec/experiment_spec.h"
#include "app/spec/settings_table.h"
#include "app/store/run_store.h"
#include "app/store/store_error.h"
#include "ui/browser/run_filter_bar.h"
#include "ui/browser/run_table_model.h"
#include "ui/browser/runs_browser.h"
#include "ui/compare/compare_view.h"
#include "ui/compare/comparison_summary_model.h"
#include "ui/compare/config_diff_model.h"
#include "ui/export/export_dialog.h"
#include "engine/train/graph_ff_trainer.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QJsonDocument>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include "support/qt_compat.h"

#include <QtTest>
#include <algorithm>
#include <cmath>
#include <memory>
#include <qcustomplot.h>
#include <stdexcept>

using namespace ffint8;

namespace {

// One run as the test writes it; the expectations below are computed from these inputs.
struct KnownEpoch
{
    double accuracy; // fraction; -1 for "not evaluated"
    double loss;
    double trainSeconds;
    double evalSeconds;
    std::vector<std::pair<double, double>> goodness; // (positive, negative) per layer; empty for BP
};

struct KnownRun
{
    QString name, status, algorithm, dataset, startedAt, message;
    QList<QPair<QString, QString>> params;
    QStringList tags;
    std::vector<KnownEpoch> epochs;
    double energyJoules; // NaN: no power source
    qint64 engineBytes, rssBytes;
    QStringList units = {}; // the names the run gives its units; none: their fallback names
};

constexpr qint64 kMiB = 1024 * 1024;

const QList<KnownRun> &knownRuns()
{
    static const QList<KnownRun> runs = {
        {"bp baseline",
         "completed",
         "bp-fp32",
         "fashion-mnist",
         "2026-11-20T10:00:00.000Z",
         "",
         {{"model.layers", "784,100,10"},
          {"training.batch", "32"},
          {"training.lr", "0.001"},
          {"training.optimizer", "adam"}},
         {"paper"},
         {{0.80, 0.50, 10.0, 1.0, {}}, {0.85, 0.40, 11.0, 1.5, {}}, {0.88, 0.30, 12.0, 1.0, {}}},
         330.0,
         20 * kMiB,
         300 * kMiB,
         {"fc1", "head"}},
        {"ff int8 look-ahead",
         "completed",
         "ff-int8",
         "fashion-mnist",
         "2026-11-22T09:30:00.000Z",
         "",
         {{"ff.lookahead.enabled", "on"},
          {"model.layers", "784,100,10"},
          {"training.batch", "32"},
          {"training.lr", "0.03"},
          {"training.optimizer", "adam"}},
         {"int8", "paper"},
         {{0.70, 2.0, 5.0, 0.5, {{4.0, 1.0}, {3.0, 2.5}}},
          {0.78, 1.6, 5.5, 0.5, {{5.0, 1.0}, {3.5, 2.0}}},
          {0.82, 1.3, 5.0, 0.6, {{6.0, 0.5}, {4.0, 1.5}}},
          {0.86, 1.1, 4.5, 0.5, {{6.5, 0.5}, {4.5, 1.0}}}},
         NAN,
         8 * kMiB,
         250 * kMiB,
         {"fc1", "fc2"}},
        {"ff fp32 diverged",
         "failed",
         "ff-fp32",
         "mnist",
         "2026-11-24T18:00:00.000Z",
         "loss became NaN in epoch 2",
         {{"model.layers", "784,100,10"},
          {"training.batch", "64"},
          {"training.lr", "0.3"},
          {"training.optimizer", "adam"}},
         {},
         {{0.095, 9.0, 3.0, 0.2, {{1.0, 1.0}, {0.5, 0.6}}}},
         NAN,
         0,
         0},
    };
    return runs;
}

EpochMetrics epochMetrics(const KnownEpoch &k, int epoch, int bpLayers)
{
    EpochMetrics e;
    e.epoch = epoch;
    e.trainLoss = k.loss;
    e.trainSeconds = k.trainSeconds;
    e.evalSeconds = k.evalSeconds;
    e.testAccuracy = k.accuracy;
    for (const auto &[pos, neg] : k.goodness) {
        LayerMetrics l;
        l.goodnessPos = pos;
        l.goodnessNeg = neg;
        l.loss = 0.1;
        e.layers.push_back(l);
    }
    for (int i = 0; k.goodness.empty() && i < bpLayers; ++i) {
        LayerMetrics l;
        l.gradNorm = 0.5 + i;
        e.layers.push_back(l);
    }
    return e;
}

qint64 addRun(RunStore &store, const KnownRun &k)
{
    RunRecord r;
    r.name = k.name;
    r.specJson = "{}";
    r.algorithm = k.algorithm;
    r.dataset = k.dataset;
    r.backend = "reference";
    r.startedAt = k.startedAt;
    const qint64 id = store.createRun(r);
    store.setParams(id, k.params);
    store.setUnits(id, k.units);
    double trainSeconds = 0.0;
    for (size_t i = 0; i < k.epochs.size(); ++i) {
        store.addEpoch(id, epochMetrics(k.epochs[i], int(i), 2));
        trainSeconds += k.epochs[i].trainSeconds;
    }
    for (const QString &tag : k.tags)
        store.addTag(id, tag);
    RunResult result;
    result.status = k.status;
    result.message = k.message;
    result.epochsDone = int(k.epochs.size());
    result.testAccuracy = k.epochs.back().accuracy;
    result.trainSeconds = trainSeconds;
    result.totalSeconds = trainSeconds + 5.0;
    result.energyJoules = k.energyJoules;
    result.peakEngineBytes = k.engineBytes;
    result.peakRssBytes = k.rssBytes;
    store.finishRun(id, result);
    return id;
}

double knownTrainSeconds(const KnownRun &k)
{
    double s = 0.0;
    for (const KnownEpoch &e : k.epochs)
        s += e.trainSeconds;
    return s;
}

QStringList columnTexts(const QAbstractItemModel &model, int column)
{
    QStringList texts;
    for (int row = 0; row < model.rowCount(); ++row)
        texts << model.index(row, column).data().toString();
    return texts;
}

} // namespace

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
        QTRY_COMPARE(shown->rowCount(), 1);
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

    // ---- compare view -------------------------------------------------------------------------------

    void compareViewPlotsOneGraphPerRun()
    {
        CompareView view;
        view.setStore(m_store.get());
        view.setRuns({m_ids[0], m_ids[1]});
        QCustomPlot *plot = view.plot();
        QCOMPARE(plot->graphCount(), 2);
        QCOMPARE(plot->graph(0)->data()->size(), int(known(0).epochs.size()));
        QCOMPARE(plot->graph(1)->data()->size(), int(known(1).epochs.size()));
        QVERIFY(plot->graph(1)->name().contains(known(1).name));
        QCOMPARE(plot->graph(1)->data()->at(2)->value, known(1).epochs[2].accuracy * 100.0);

        // The wall-time axis is cumulative.
        view.setXAxis(CurveAxis::WallSeconds);
        double wall = 0.0;
        for (size_t e = 0; e < known(1).epochs.size(); ++e) {
            wall += known(1).epochs[e].trainSeconds + known(1).epochs[e].evalSeconds;
            QCOMPARE(plot->graph(1)->data()->at(int(e))->key, wall);
        }

        // Goodness separation: the BP run has none, the FF run one point per epoch.
        view.setMetric(CurveMetric::GoodnessSeparation, "fc2");
        QCOMPARE(view.unit(), QString("fc2"));
        QVERIFY(view.metricCombo()->currentText().contains("fc2"));
        QCOMPARE(plot->graphCount(), 2);
        QCOMPARE(plot->graph(0)->data()->size(), 0);
        QCOMPARE(plot->graph(1)->data()->size(), int(known(1).epochs.size()));
        const auto [pos, neg] = known(1).epochs[0].goodness[1];
        QCOMPARE(plot->graph(1)->data()->at(0)->value, pos - neg);
        try {
            view.setMetric(CurveMetric::GoodnessSeparation, "head");
            QFAIL("a unit without separation figures was accepted");
        } catch (const std::invalid_argument &e) {
            const QString message = QString::fromUtf8(e.what());
            QVERIFY2(message.contains("'head'") && message.contains("fc1, fc2"), qPrintable(message));
        }

        // Summary against the bp-fp32 run by default, then against the FF run.
        QCOMPARE(view.baseline(), m_ids[0]);
        QCOMPARE(view.summaryModel()->rowCount(), 2);
        QVERIFY(view.summaryModel()->rows()[0].isBaseline);
        view.setBaseline(m_ids[1]);
        QVERIFY(view.summaryModel()->rows()[1].isBaseline);
        QCOMPARE(view.summaryModel()->rows()[0].timeRatio, knownTrainSeconds(known(0)) / knownTrainSeconds(known(1)));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, view.setBaseline(m_ids[2]));

        // The config diff lists only what differs, one column per run.
        QCOMPARE(view.configDiffModel()->rowCount(), 2);
        QCOMPARE(view.configDiffModel()->columnCount(), 3);
        QCOMPARE(view.configDiffModel()->index(1, 0).data().toString(), QString("training.lr"));
        QCOMPARE(view.configDiffModel()->index(0, 1).data().toString(), QString()); // run 0 lacks look-ahead

        // A run the store does not have is reported, not shown.
        QSignalSpy errors(&view, &CompareView::storeError);
        view.setRuns({m_ids[0], 999});
        QCOMPARE(errors.count(), 1);
        QVERIFY(errors.first().first().toString().contains("999"));
        QCOMPARE(plot->graphCount(), 0);
    }

    // FF runs of three models (an MLP, cnn-small on Fashion-MNIST, mobilenet-v2 on CIFAR-10) with
    // the units their trainers name: the summary names each model and its parameters, the config
    // diff shows the models apart, and a unit's curve is each run's unit of that name, wherever
    // it stands in that run's network (never the unit at the same index of another network).
    void compareViewOverlaysRunsOfDifferentModels()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        RunStore store(dir.filePath("models.sqlite"));
        struct Model
        {
            QString name, preset, dataset;
            Shape input;
        };
        const QList<Model> models = {{"mlp run", "", "fashion-mnist", Shape::image(1, 28, 28)},
                                     {"cnn run", "cnn-small", "fashion-mnist", Shape::image(1, 28, 28)},
                                     {"mobilenet run", "mobilenet-v2", "cifar10", Shape::image(3, 32, 32)}};
        QList<qint64> ids;
        QList<QStringList> unitsOf;
        constexpr int kEpochs = 2;
        // A unit's separation in a run's epoch: which run, which unit and which epoch, told apart.
        auto separationOf = [](int run, int unit, int epoch) { return 100.0 * run + unit + 0.25 * epoch; };
        for (int run = 0; run < models.size(); ++run) {
            ExperimentSpec spec;
            spec.name = models[run].name;
            spec.config.algorithm = Algorithm::FfInt8;
            spec.config.dataset = models[run].dataset.toStdString();
            spec.config.model = models[run].preset.toStdString();
            RunRecord r;
            r.name = spec.name;
            r.specJson = QString::fromUtf8(QJsonDocument(specToJson(spec)).toJson(QJsonDocument::Compact));
            r.algorithm = "ff-int8";
            r.dataset = models[run].dataset;
            const qint64 id = store.createRun(r);
            RunParams params;
            for (const Setting &setting : settingsTable())
                params.append({setting.path, setting.get(spec.config)});
            store.setParams(id, params);
            // The units as the trainer names them (the MLP's as the mlp graph's blocks).
            TrainConfig planned = spec.config;
            planned.inputShape = models[run].input;
            if (planned.model.empty())
                planned.model = "mlp";
            QStringList units;
            for (const FfUnitSpec &u : plannedFfUnits(planned))
                units << QString::fromStdString(u.name);
            store.setUnits(id, units);
            for (int e = 0; e < kEpochs; ++e) {
                EpochMetrics m;
                m.epoch = e;
                m.testAccuracy = 0.5 + 0.1 * run;
                for (int u = 0; u < units.size(); ++u) {
                    LayerMetrics l;
                    l.goodnessPos = separationOf(run, u, e);
                    l.goodnessNeg = 0.0;
                    m.layers.push_back(l);
                }
                store.addEpoch(id, m);
            }
            ids << id;
            unitsOf << units;
        }
        QCOMPARE(unitsOf[0], (QStringList{"fc1", "fc2"}));
        QCOMPARE(unitsOf[2].size(), 19);
        QVERIFY(unitsOf[1].contains("stem") && unitsOf[2].contains("stem"));

        CompareView view;
        view.setStore(&store);
        view.setRuns(ids);
        // The models and their parameters, by hand: the MLP 784-1000-1000 with its 10-class head;
        // cnn-small as tst_cli counts it (3x3 convolutions without bias before batch norms, the head
        // over the 2x2-pooled 7x7 map of 32 channels); mobilenet-v2 as its preset documents.
        ComparisonSummaryModel *summary = view.summaryModel();
        QCOMPARE(columnTexts(*summary, ComparisonSummaryModel::ModelColumn),
                 (QStringList{"mlp 784-1000-1000", "cnn-small", "mobilenet-v2"}));
        const qint64 mlp = 784 * 1000 + 1000 + 1000 * 1000 + 1000 + 1000 * 10 + 10;
        const qint64 cnn = (9 * 1 * 16 + 32) + (9 * 16 * 32 + 64) + 2 * (9 * 32 * 32 + 64) + (32 * 7 * 7 * 10 + 10);
        QCOMPARE(summary->index(0, ComparisonSummaryModel::ParametersColumn).data(Qt::UserRole).toDouble(), double(mlp));
        QCOMPARE(summary->index(1, ComparisonSummaryModel::ParametersColumn).data(Qt::UserRole).toDouble(), double(cnn));
        QCOMPARE(summary->index(2, ComparisonSummaryModel::ParametersColumn).data().toString(), QString("2,236,682"));

        // The config diff: the model's preset, the model as trained and its parameters, the dataset.
        ConfigDiffModel *diff = view.configDiffModel();
        QHash<QString, QStringList> rows;
        for (int row = 0; row < diff->rowCount(); ++row)
            for (int run = 0; run < ids.size(); ++run)
                rows[diff->index(row, 0).data().toString()] << diff->index(row, 1 + run).data().toString();
        QCOMPARE(rows.value("model (as trained)"), (QStringList{"mlp 784-1000-1000", "cnn-small", "mobilenet-v2"}));
        QCOMPARE(rows.value("model parameters"), (QStringList{"1,796,010", "39,098", "2,236,682"}));
        QCOMPARE(rows.value("model.preset"), (QStringList{"", "cnn-small", "mobilenet-v2"}));
        QCOMPARE(rows.value("dataset.name"), (QStringList{"fashion-mnist", "fashion-mnist", "cifar10"}));

        // Every unit of every run, by name: a run's curve is its own unit of that name, or none.
        QStringList offered;
        for (int i = 0; i < view.metricCombo()->count(); ++i)
            if (view.metricCombo()->itemText(i).startsWith("Goodness separation"))
                offered << view.metricCombo()->itemText(i);
        QCOMPARE(offered.size(), separationUnits(runCurves(store, ids)).size());
        for (const QString &unit : separationUnits(runCurves(store, ids))) {
            view.setMetric(CurveMetric::GoodnessSeparation, unit);
            QCOMPARE(view.plot()->graphCount(), int(ids.size()));
            for (int run = 0; run < ids.size(); ++run) {
                QCPGraph *graph = view.plot()->graph(run);
                const int index = int(unitsOf[run].indexOf(unit));
                if (index < 0) {
                    QCOMPARE(graph->data()->size(), 0);
                    continue;
                }
                QCOMPARE(graph->data()->size(), kEpochs);
                for (int e = 0; e < kEpochs; ++e)
                    QCOMPARE(graph->data()->at(e)->value, separationOf(run, index, e));
                // Its legend says where the unit stands in that run's network.
                QVERIFY2(graph->name().contains(QString("unit %1 of %2").arg(index + 1).arg(unitsOf[run].size())),
                         qPrintable(graph->name()));
            }
            // The choice says which runs have the unit.
            QStringList holders;
            for (int run = 0; run < ids.size(); ++run)
                if (unitsOf[run].contains(unit))
                    holders << QString("#%1").arg(ids[run]);
            QVERIFY2(view.metricCombo()->currentText().endsWith("(" + holders.join(", ") + ")"),
                     qPrintable(view.metricCombo()->currentText()));
        }
    }

    // Ids are per store: after the workbench opens another store, the same ids name other runs there,
    // so the comparison empties instead of showing them under the old runs' places.
    void compareViewForgetsTheRunsOfThePreviousStore()
    {
        RunStore other(m_dir.filePath("other.sqlite"));
        KnownRun stranger = known(2);
        stranger.name = "a run of another store";
        const QList<qint64> otherIds{addRun(other, stranger), addRun(other, stranger)};
        QCOMPARE(otherIds, (QList<qint64>{m_ids[0], m_ids[1]})); // the same ids, other runs
        CompareView view;
        view.setStore(m_store.get());
        view.setRuns({m_ids[0], m_ids[1]});
        QCOMPARE(view.plot()->graphCount(), 2);
        QSignalSpy errors(&view, &CompareView::storeError);
        view.setStore(&other);
        QVERIFY(view.runIds().isEmpty());
        QCOMPARE(view.plot()->graphCount(), 0);
        QCOMPARE(view.summaryModel()->rowCount(), 0);
        QCOMPARE(errors.count(), 0);
        // The same store again (a refresh) keeps the comparison.
        view.setRuns(otherIds);
        view.setStore(&other);
        QCOMPARE(view.runIds(), otherIds);
        QVERIFY(view.plot()->graph(0)->name().contains(stranger.name));
        view.setStore(nullptr);
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
