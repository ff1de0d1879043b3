// The live view of a network of many named units: the bounded heatmap grid, the unit x step heatmap
// with the units' names on its axis, and the curves of the chosen units (offscreen platform).
#include "app/store/run_store.h"
#include "ui/live/live_view.h"
#include "ui/live/unit_picker.h"
#include "ui/plot/heatmap_buffer.h"
#include "ui/plot/live_plot.h"
#include "ui/plot/unit_heatmap.h"

#include <QListWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <qcustomplot.h>

using namespace ffint8;

namespace {

constexpr int kUnits = 24;

QStringList unitNames()
{
    QStringList names{"stem"};
    for (int i = 1; i < kUnits - 1; ++i)
        names << QString("res%1.conv%2").arg((i - 1) / 2 + 1).arg((i - 1) % 2 + 1);
    names << "head";
    return names;
}

// The figures the test reports for a unit at a step; separation is their difference.
double goodnessPos(int unit, qint64 step)
{
    return 1.0 + 0.05 * unit + 0.002 * double(step);
}
double goodnessNeg(int unit, qint64 step)
{
    return 1.5 - 0.03 * unit + 0.001 * double(step) * (unit % 3);
}

// A run of `algorithm` with these units, recorded in `store`.
qint64 namedRun(RunStore &store, const QString &algorithm, const QStringList &units)
{
    RunRecord r;
    r.name = QStringLiteral("%1 units").arg(units.size());
    r.specJson = "{}";
    r.algorithm = algorithm;
    const qint64 id = store.createRun(r);
    store.setUnits(id, units);
    return id;
}

// The legend's entries, in order.
QStringList legendNames(const LivePlot *plot)
{
    QStringList names;
    QCPLegend *legend = plot->customPlot()->legend;
    for (int i = 0; i < legend->itemCount(); ++i)
        if (auto *item = qobject_cast<QCPPlottableLegendItem *>(legend->item(i)))
            names << item->plottable()->name();
    return names;
}

} // namespace

class TestGuiUnits : public QObject
{
    Q_OBJECT

private slots:
    // Against a brute-force grid: each step of (previous report, report] takes the report's value,
    // a column of w steps holds the mean over its steps with a value, and w is the least power of two
    // that fits the steps into the capacity's columns.
    void heatmapBufferKeepsColumnMeans()
    {
        constexpr int kCapacity = 8;
        HeatmapBuffer buffer(kCapacity);
        buffer.setUnitCount(2);
        std::vector<double> perStep[2]; // the brute force: each unit's value at every step from 1 (NaN: none)
        qint64 last = 0;
        for (qint64 step = 3; step <= 75; step += 3 + step % 4) {
            // Unit 1 has no figure in every third report.
            const std::vector<double> values{double(step) * 0.5, step % 9 == 0 ? NAN : -double(step)};
            buffer.append(step, values);
            for (int u = 0; u < 2; ++u)
                perStep[u].resize(size_t(step), values[size_t(u)]);
            last = step;

            qint64 width = 1;
            while ((last + width - 1) / width > kCapacity)
                width *= 2;
            QCOMPARE(buffer.stepsPerColumn(), width);
            QCOMPARE(buffer.columnCount(), int((last + width - 1) / width));
            QCOMPARE(buffer.lastStep(), last);
            for (int c = 0; c < buffer.columnCount(); ++c) {
                for (int u = 0; u < 2; ++u) {
                    double sum = 0.0;
                    int n = 0;
                    for (qint64 t = c * width + 1; t <= std::min(last, (c + 1) * width); ++t)
                        if (!std::isnan(perStep[u][size_t(t - 1)])) {
                            sum += perStep[u][size_t(t - 1)];
                            ++n;
                        }
                    const double expected = n > 0 ? sum / n : NAN;
                    const double got = buffer.value(c, u);
                    QVERIFY2(std::isnan(expected) ? std::isnan(got)
                                                  : std::abs(got - expected) <= 1e-12 * std::abs(expected),
                             qPrintable(QString("step %1, column %2, unit %3: %4, expected %5")
                                            .arg(last)
                                            .arg(c)
                                            .arg(u)
                                            .arg(got)
                                            .arg(expected)));
                }
                QCOMPARE(buffer.columnCentre(c), (double(c) + 0.5) * double(width) + 0.5);
            }
        }
        QVERIFY(buffer.stepsPerColumn() > 1); // the run outgrew the columns: they merged
        QVERIFY(std::isnan(buffer.value(buffer.columnCount(), 0)));
        buffer.clear();
        QCOMPARE(buffer.columnCount(), 0);
        QCOMPARE(buffer.unitCount(), 2);
    }

    void pickerDefaultsToFirstMiddleLast()
    {
        QCOMPARE(UnitPicker::defaultSelection(24), (QList<int>{0, 11, 23}));
        QCOMPARE(UnitPicker::defaultSelection(3), (QList<int>{0, 1, 2}));
        QCOMPARE(UnitPicker::defaultSelection(2), (QList<int>{0, 1}));
        QCOMPARE(UnitPicker::defaultSelection(1), (QList<int>{0}));
        QVERIFY(UnitPicker::defaultSelection(0).isEmpty());
    }

    // A stored FF run of 24 named units, shown as the Runs tab opens it: the heatmap has a row per
    // unit named on its axis and a column per step, each cell the unit's separation there; the curve
    // plots draw the chosen units only, named in their legends, and follow the user's choice.
    void liveViewShowsTwentyFourNamedUnits()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        RunStore store(dir.filePath("units.sqlite"));
        const QStringList names = unitNames();
        const qint64 id = namedRun(store, "ff-int8", names);
        constexpr int kReports = 30;
        constexpr qint64 kEvery = 10;
        std::vector<StoredProgress> reports;
        for (int i = 1; i <= kReports; ++i) {
            StoredProgress p;
            p.step = i * kEvery;
            p.metrics.batch = int(p.step);
            p.metrics.batchesPerEpoch = kReports * kEvery;
            p.metrics.trainLoss = 1.0 / i;
            for (int u = 0; u < kUnits; ++u) {
                LayerMetrics m;
                m.goodnessPos = goodnessPos(u, p.step);
                m.goodnessNeg = goodnessNeg(u, p.step);
                p.metrics.layers.push_back(m);
            }
            reports.push_back(p);
        }
        store.addProgress(id, reports);

        LiveView view;
        view.resize(1200, 900);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.showStoredRun(store, id);
        QCOMPARE(view.units(), names);

        // The heatmap: a row per unit, a column per step (300 steps fit the grid unmerged).
        UnitHeatmap *heatmap = view.heatmap();
        // The names need the rows the heatmap grows to for 24 units: its next redraws follow the resize.
        QTRY_COMPARE(heatmap->unitAxisLabels(), names);
        heatmap->redrawNow();
        QVERIFY(heatmap->title().contains("Separation"));
        QCPColorMapData *data = heatmap->colorMap()->data();
        QCOMPARE(data->valueSize(), kUnits);
        QCOMPARE(data->keySize(), int(kReports * kEvery));
        QCOMPARE(heatmap->buffer().stepsPerColumn(), qint64(1));
        QCOMPARE(data->valueRange().lower, 0.0);
        QCOMPARE(data->valueRange().upper, double(kUnits - 1));
        QCOMPARE(data->keyRange().lower, 1.0); // cells centred on their steps
        QCOMPARE(data->keyRange().upper, double(kReports * kEvery));
        for (int u : {0, 7, 11, 23})
            for (qint64 step : {qint64(1), qint64(10), qint64(11), qint64(155), qint64(300)}) {
                // A step takes the figure of the report that covers it: the next at or after it.
                const qint64 report = (step + kEvery - 1) / kEvery * kEvery;
                QCOMPARE(data->cell(int(step - 1), u), goodnessPos(u, report) - goodnessNeg(u, report));
            }
        // The units' names on their axis, the first at the top, every one legible at 24.
        QCPAxis *unitAxis = heatmap->customPlot()->yAxis;
        QVERIFY(unitAxis->rangeReversed());
        QCOMPARE(unitAxis->range().lower, -0.5);
        QCOMPARE(unitAxis->range().upper, kUnits - 0.5);
        QVERIFY(unitAxis->coordToPixel(0) < unitAxis->coordToPixel(kUnits - 1));
        QVERIFY(heatmap->height() >= kUnits * QFontMetrics(unitAxis->tickLabelFont()).height());
        // A diverging scale around 0, as wide as the largest separation.
        double largest = 0.0;
        for (int u = 0; u < kUnits; ++u)
            for (int i = 1; i <= kReports; ++i)
                largest = std::max(largest, std::abs(goodnessPos(u, i * kEvery) - goodnessNeg(u, i * kEvery)));
        const QCPRange scale = heatmap->colorMap()->dataRange();
        QCOMPARE(scale.upper, largest);
        QCOMPARE(scale.lower, -scale.upper);

        // The curves: first, middle and last unit by default, each named in the legends.
        QCOMPARE(view.unitPicker()->selected(), (QList<int>{0, 11, 23}));
        LivePlot *goodness = view.plotNamed("goodness");
        LivePlot *separation = view.plotNamed("separation");
        QCOMPARE(separation->seriesCount(), kUnits);
        QCOMPARE(goodness->seriesCount(), 2 * kUnits);
        goodness->redrawNow();
        separation->redrawNow();
        QCOMPARE(legendNames(separation), (QStringList{names[0], names[11], names[23]}));
        QCOMPARE(legendNames(goodness),
                 (QStringList{names[0] + " +", names[0] + " \u2212", names[11] + " +", names[11] + " \u2212",
                              names[23] + " +", names[23] + " \u2212"}));
        for (int u = 0; u < kUnits; ++u) {
            const bool chosen = u == 0 || u == 11 || u == 23;
            QCOMPARE(separation->isSeriesVisible(u), chosen);
            QCOMPARE(separation->pointCount(u), qint64(kReports)); // every unit keeps its history
            QCOMPARE(separation->drawnPointCount(u), chosen ? kReports : 0);
        }
        QCOMPARE(separation->customPlot()->graph(11)->data()->at(4)->value,
                 goodnessPos(11, 5 * kEvery) - goodnessNeg(11, 5 * kEvery));

        // Choosing another unit in the list, and one by clicking its row of the heatmap.
        view.unitPicker()->toggle(5);
        QCPAxis *stepAxis = heatmap->customPlot()->xAxis;
        const QPoint row7(int(stepAxis->coordToPixel(150)), int(unitAxis->coordToPixel(7)));
        QTest::mouseClick(heatmap->customPlot(), Qt::LeftButton, Qt::NoModifier, row7);
        QCOMPARE(view.unitPicker()->selected(), (QList<int>{0, 5, 7, 11, 23}));
        separation->redrawNow();
        QCOMPARE(legendNames(separation), (QStringList{names[0], names[5], names[7], names[11], names[23]}));
        QCOMPARE(separation->drawnPointCount(5), kReports); // its history, not just what came after
        view.unitPicker()->toggle(0);
        QCOMPARE(view.unitPicker()->list()->item(0)->checkState(), Qt::Unchecked);
        separation->redrawNow();
        QVERIFY(!legendNames(separation).contains(names[0]));
        QVERIFY(!separation->isSeriesVisible(0));
    }

    // A BP run's heatmap shows each unit's output-gradient norm on a log colour scale.
    void backpropHeatmapShowsGradientNorms()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        RunStore store(dir.filePath("bp.sqlite"));
        const qint64 id = namedRun(store, "bp-fp32", {"stem", "down", "res", "pool", "head"});
        StoredProgress p;
        p.step = 4;
        p.metrics.batch = 4;
        p.metrics.batchesPerEpoch = 4;
        for (int u = 0; u < 5; ++u) {
            LayerMetrics m;
            m.gradNorm = std::pow(10.0, -u);
            p.metrics.layers.push_back(m);
        }
        store.addProgress(id, {p});
        LiveView view;
        view.showStoredRun(store, id);
        UnitHeatmap *heatmap = view.heatmap();
        heatmap->redrawNow();
        QVERIFY(heatmap->title().contains("gradient norm"));
        QCOMPARE(heatmap->colorMap()->dataScaleType(), QCPAxis::stLogarithmic);
        QCOMPARE(heatmap->colorMap()->dataRange().lower, 1e-4);
        QCOMPARE(heatmap->colorMap()->dataRange().upper, 1.0);
        QCOMPARE(heatmap->unitAxisLabels(), (QStringList{"stem", "down", "res", "pool", "head"}));
        QCOMPARE(heatmap->colorMap()->data()->cell(3, 2), 1e-2); // step 4 of unit "res"
        QCOMPARE(view.plotNamed("goodness")->seriesCount(), 5);
    }
};

QTEST_MAIN(TestGuiUnits)
#include "tst_gui_units.moc"
