// The live view of a network of many named units: the bounded heatmap grid, the unit x step heatmap
// with the units' names on its axis, and the curves of the chosen units (offscreen platform).
#include "app/session/run_session.h"
#include "app/store/run_store.h"
#include "ui/live/live_view.h"
#include "ui/live/unit_colours.h"
#include "ui/live/unit_picker.h"
#include "ui/plot/heatmap_buffer.h"
#include "ui/plot/live_plot.h"
#include "ui/plot/unit_heatmap.h"
#include "support/gui_wait.h"

#include <QJsonArray>
#include <QListWidget>
#include <QToolButton>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <qcustomplot.h>

using namespace ffint8;
using ffint8::testing::kSettleMs;

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
        QTRY_COMPARE_WITH_TIMEOUT(heatmap->unitAxisLabels(), names, kSettleMs);
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

    // A run of 24 units followed live, its events fed as the session emits them (a session that is
    // never started: the view cannot tell): 2000 reports of every unit. The picker chooses all, none,
    // the default three or a range; the curves' colours come from a colour map, one per unit, shown
    // beside each name in the picker; past a dozen entries the legends give way to a note; every
    // curve is decimated to the plot's width however long the run.
    void liveViewFollowsTwentyFourUnitsOfEvents()
    {
        SessionOptions options;
        options.spec.name = QStringLiteral("twenty-four units");
        options.telemetry = QStringLiteral("none");
        RunSession session(options);
        LiveView view;
        view.resize(1200, 900);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.attach(&session);

        const QStringList names = unitNames();
        QJsonArray units;
        for (const QString &n : names)
            units.append(n);
        emit session.started(7, QJsonObject{{"units", units}, {"algo", "ff-int8"}, {"dataset", "cifar10"}});
        constexpr int kReports = 2000;
        for (int i = 1; i <= kReports; ++i) {
            ProgressMetrics p;
            p.batch = i;
            p.batchesPerEpoch = kReports;
            p.trainLoss = 1.0 / i;
            for (int u = 0; u < kUnits; ++u) {
                LayerMetrics m;
                m.goodnessPos = goodnessPos(u, i);
                m.goodnessNeg = goodnessNeg(u, i);
                p.layers.push_back(m);
            }
            emit session.progress(p, QJsonObject());
        }
        QCOMPARE(view.units(), names);
        LivePlot *goodness = view.plotNamed("goodness");
        LivePlot *separation = view.plotNamed("separation");
        QCOMPARE(goodness->seriesCount(), 2 * kUnits);
        QCOMPARE(separation->seriesCount(), kUnits);
        QCOMPARE(view.heatmap()->unitAxisLabels().size(), kUnits);
        UnitPicker *picker = view.unitPicker();
        QCOMPARE(picker->units(), names);
        QCOMPARE(picker->selected(), (QList<int>{0, 11, 23}));
        QCOMPARE(picker->countText(), QString("Curves of 3 of 24 units"));

        // One colour per unit, the same on its curves and its swatch in the picker; no two alike,
        // neighbours told apart, none too light to see on white.
        QList<QColor> colours;
        for (int u = 0; u < kUnits; ++u) {
            const QColor c = separation->customPlot()->graph(u)->pen().color();
            QCOMPARE(c, unitColour(u, kUnits));
            QCOMPARE(goodness->customPlot()->graph(2 * u)->pen().color(), c);
            QCOMPARE(goodness->customPlot()->graph(2 * u + 1)->pen().color(), c);
            QCOMPARE(picker->list()->item(u)->data(Qt::DecorationRole).value<QColor>(), c);
            QVERIFY(0.2126 * c.redF() + 0.7152 * c.greenF() + 0.0722 * c.blueF() <= 0.56);
            colours << c;
        }
        auto distance = [](const QColor &a, const QColor &b) {
            return std::abs(a.red() - b.red()) + std::abs(a.green() - b.green()) + std::abs(a.blue() - b.blue());
        };
        for (int a = 0; a < kUnits; ++a)
            for (int b = a + 1; b < kUnits; ++b)
                QVERIFY2(distance(colours[a], colours[b]) >= (b == a + 1 ? 20 : 1),
                         qPrintable(QString("units %1 and %2").arg(a).arg(b)));

        // Every unit: 24 curves, 48 goodness curves, each decimated to about two points per pixel
        // column; the legends give way to a note, since 24 names run below a plot's axes.
        QTest::mouseClick(picker->findChild<QToolButton *>("unitsAll"), Qt::LeftButton);
        QCOMPARE(picker->selected().size(), kUnits);
        QCOMPARE(picker->countText(), QString("Curves of 24 of 24 units"));
        separation->redrawNow();
        goodness->redrawNow();
        QCOMPARE(legendNames(separation), QStringList());
        QVERIFY2(separation->legendNote().startsWith("24 curves"), qPrintable(separation->legendNote()));
        QVERIFY2(goodness->legendNote().startsWith("48 curves"), qPrintable(goodness->legendNote()));
        const int columns = separation->customPlot()->axisRect()->width();
        QVERIFY(columns > 100);
        for (int u = 0; u < kUnits; ++u) {
            QCOMPARE(separation->pointCount(u), qint64(kReports));
            QVERIFY(separation->isSeriesVisible(u));
            QVERIFY2(separation->drawnPointCount(u) > 0 && separation->drawnPointCount(u) <= 2 * columns + 4,
                     qPrintable(QString("unit %1: %2 points drawn").arg(u).arg(separation->drawnPointCount(u))));
        }
        // The last point drawn is the last report's, whatever the decimation dropped before it.
        const auto last = separation->customPlot()->graph(7)->data()->constEnd() - 1;
        QCOMPARE(last->key, double(kReports));
        QCOMPARE(last->value, goodnessPos(7, kReports) - goodnessNeg(7, kReports));

        // None, then a range: rows 4 to 9 selected (shift-click), one of them ticked ticks them all.
        QTest::mouseClick(picker->findChild<QToolButton *>("unitsNone"), Qt::LeftButton);
        QVERIFY(picker->selected().isEmpty());
        separation->redrawNow();
        QCOMPARE(legendNames(separation), QStringList());
        QCOMPARE(separation->legendNote(), QString());
        QListWidget *list = picker->list();
        list->setCurrentRow(4, QItemSelectionModel::ClearAndSelect);
        list->setCurrentRow(9, QItemSelectionModel::Select);
        for (int r = 5; r < 9; ++r)
            list->item(r)->setSelected(true);
        list->item(6)->setCheckState(Qt::Checked);
        QCOMPARE(picker->selected(), (QList<int>{4, 5, 6, 7, 8, 9}));
        separation->redrawNow();
        goodness->redrawNow();
        QCOMPARE(legendNames(separation), names.mid(4, 6));
        QCOMPARE(legendNames(goodness).size(), 12); // at the limit the legend still lists them
        QCOMPARE(goodness->legendNote(), QString());
        // A heatmap row toggles its unit alone, whatever rows the list has selected.
        view.unitPicker()->toggle(5);
        QCOMPARE(picker->selected(), (QList<int>{4, 6, 7, 8, 9}));
        QTest::mouseClick(picker->findChild<QToolButton *>("unitsDefault"), Qt::LeftButton);
        QCOMPARE(picker->selected(), (QList<int>{0, 11, 23}));
        separation->redrawNow();
        QCOMPARE(legendNames(separation), (QStringList{names[0], names[11], names[23]}));
    }

    // A run that names more units than it first reported: the colour map spreads over all of them.
    void unitColoursFollowTheUnitCount()
    {
        for (int u = 0; u < kPaletteUnits; ++u)
            QCOMPARE(unitColour(u, 4), unitColour(u, kPaletteUnits)); // a few units: the palette
        QVERIFY(unitColour(3, 11) != unitColour(3, 24));
        LiveView view;
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        RunStore store(dir.filePath("grow.sqlite"));
        const qint64 id = namedRun(store, "ff-fp32", {"a", "b"});
        StoredProgress p;
        p.step = 1;
        p.metrics.batch = 1;
        p.metrics.batchesPerEpoch = 1;
        p.metrics.layers.resize(14); // 14 units reported, 2 named
        store.addProgress(id, {p});
        view.showStoredRun(store, id);
        QCOMPARE(view.units().size(), 14);
        LivePlot *separation = view.plotNamed("separation");
        for (int u = 0; u < 14; ++u)
            QCOMPARE(separation->customPlot()->graph(u)->pen().color(), unitColour(u, 14));
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
