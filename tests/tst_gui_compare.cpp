// The workbench's compare view over a real store: one graph per run, runs of different models
// overlaid unit by unit (matched by name), and a comparison forgotten when another store opens.
#include "app/compare/run_comparison.h"
#include "app/export/result_table.h"
#include "app/spec/experiment_spec.h"
#include "app/spec/settings_table.h"
#include "app/store/run_store.h"
#include "app/store/store_error.h"
#include "ui/compare/compare_view.h"
#include "ui/compare/comparison_summary_model.h"
#include "ui/compare/config_diff_model.h"
#include "engine/train/graph_ff_trainer.h"
#include <QAbstractItemModelTester>
#include <QJsonDocument>
#include <QSignalSpy>
#include "support/qt_compat.h"
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <memory>
#include <qcustomplot.h>
#include <stdexcept>
#include "support/known_runs.h"

using namespace ffint8;
using namespace ffint8::testing;

class TestGuiCompare : public QObject
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

};

QTEST_MAIN(TestGuiCompare)
#include "tst_gui_compare.moc"
