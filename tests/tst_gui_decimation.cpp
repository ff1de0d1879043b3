// Live plotting: bounded series buffers, pixel decimation, coalesced redraws, plot export, and the
// live view following a real run (offscreen platform).
#include "app/session/run_session.h"
#include "app/spec/experiment_spec.h"
#include "app/store/run_store.h"
#include "ui/live/live_view.h"
#include "ui/plot/live_plot.h"
#include "ui/plot/plot_export.h"
#include "ui/plot/series_buffer.h"
#include "ui/plot/unit_heatmap.h"
#include "support/gui_wait.h"

#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>
#include <cmath>
#include <map>
#include <qcustomplot.h>

using namespace ffint8;
using ffint8::testing::kSettleMs;

namespace {

// A deterministic wiggly signal with spikes, so that extremes sit at scattered places.
double signal(qint64 i)
{
    quint64 h = quint64(i) * 6364136223846793005ULL + 1442695040888963407ULL;
    h ^= h >> 29;
    const double noise = double(h % 10007) / 10007.0 - 0.5;
    return std::sin(double(i) * 0.0007) * 3.0 + noise;
}

int columnOf(double x, double xLo, double xHi, int columns)
{
    const double span = xHi - xLo;
    return std::clamp(span > 0 ? int(std::floor((x - xLo) / span * columns)) : 0, 0, columns - 1);
}

struct ColumnExtremes
{
    double low = INFINITY;
    double high = -INFINITY;
    int count = 0;
};

// Brute force: the lowest and highest y of the given points in each pixel column.
std::map<int, ColumnExtremes> extremesByColumn(const QVector<QPointF> &points, double xLo, double xHi, int columns)
{
    std::map<int, ColumnExtremes> out;
    for (const QPointF &p : points) {
        if (p.x() < xLo || p.x() > xHi)
            continue;
        ColumnExtremes &c = out[columnOf(p.x(), xLo, xHi, columns)];
        c.low = std::min(c.low, p.y());
        c.high = std::max(c.high, p.y());
        ++c.count;
    }
    return out;
}

// Checks the decimated points against the brute-force extremes of `reference` column by column.
void checkDecimation(const QVector<QPointF> &drawn, const QVector<QPointF> &reference, QPointF last, double xLo,
                     double xHi, int columns)
{
    for (qsizetype i = 1; i < drawn.size(); ++i)
        QVERIFY2(drawn[i].x() >= drawn[i - 1].x(), "decimated points must be in x order");
    const std::map<int, ColumnExtremes> expected = extremesByColumn(reference, xLo, xHi, columns);
    const std::map<int, ColumnExtremes> got = extremesByColumn(drawn, xLo, xHi, columns);
    QCOMPARE(got.size(), expected.size()); // every column with data has points, no other does
    const int lastColumn = columnOf(last.x(), xLo, xHi, columns);
    for (const auto &[column, e] : expected) {
        const ColumnExtremes &g = got.at(column);
        QCOMPARE(g.low, e.low);
        QCOMPARE(g.high, e.high);
        // Two per column (min and max); the column holding the last point may add it as a third.
        QVERIFY2(g.count <= (column == lastColumn ? 3 : 2),
                 qPrintable(QString("column %1 has %2 points").arg(column).arg(g.count)));
    }
    QVERIFY(drawn.size() <= 2 * columns + 1);
    QCOMPARE(drawn.last(), last);
}

ExperimentSpec smallSpec(int epochs, int trainLimit)
{
    ExperimentSpec spec = parseSpecFile(QStringLiteral(FFINT8_SOURCE_DIR "/experiments/quick.json"));
    spec.config.trainLimit = trainLimit;
    spec.config.testLimit = 500;
    spec.config.epochs = epochs;
    spec.config.metricsEvery = 5;
    spec.config.layers = {784, 100, 100};
    return spec;
}

int seriesNamed(const LivePlot *plot, const QString &name)
{
    for (int i = 0; i < plot->seriesCount(); ++i)
        if (plot->seriesName(i) == name)
            return i;
    return -1;
}

} // namespace

class TestGuiDecimation : public QObject
{
    Q_OBJECT

private slots:
    void bufferStaysBoundedAndKeepsExtremes()
    {
        const int capacity = 1024;
        SeriesBuffer buffer(capacity);
        const qint64 n = 1000000;
        QPointF lowest(0, INFINITY), highest(0, -INFINITY);
        size_t bytesAtHalf = 0;
        for (qint64 i = 0; i < n; ++i) {
            double y = signal(i);
            if (i == 123457)
                y = -50.25; // a single spike each way, in the middle of a bucket
            if (i == 876543)
                y = 75.5;
            const double x = double(i) * 0.5;
            if (y < lowest.y())
                lowest = QPointF(x, y);
            if (y > highest.y())
                highest = QPointF(x, y);
            buffer.append(x, y);
            QVERIFY(buffer.bucketCount() <= capacity);
            if (i == n / 2)
                bytesAtHalf = buffer.memoryBytes();
        }
        QCOMPARE(buffer.receivedCount(), n);
        QVERIFY(buffer.bucketCount() > capacity / 2); // merged, not emptied
        QCOMPARE(buffer.memoryBytes(), bytesAtHalf); // bounded: no growth over the second half
        QVERIFY(buffer.memoryBytes() < size_t(n) * sizeof(double)); // far below a copy of the series
        QCOMPARE(buffer.minPoint(), lowest);
        QCOMPARE(buffer.maxPoint(), highest);
        QCOMPARE(buffer.lastPoint(), QPointF(double(n - 1) * 0.5, signal(n - 1)));
        QCOMPARE(buffer.points().last(), buffer.lastPoint());
        QCOMPARE(buffer.xMin(), 0.0);
        QCOMPARE(buffer.xMax(), double(n - 1) * 0.5);
        const QVector<QPointF> drawn = buffer.pointsForWidth(800);
        QVERIFY(drawn.contains(lowest));
        QVERIFY(drawn.contains(highest));
    }

    void bufferDropsNonFiniteValues()
    {
        SeriesBuffer buffer(16);
        buffer.append(0, 1);
        buffer.append(1, std::nan(""));
        buffer.append(2, INFINITY);
        buffer.append(3, 2);
        QCOMPARE(buffer.receivedCount(), qint64(4));
        QCOMPARE(buffer.droppedCount(), qint64(2));
        QCOMPARE(buffer.points(), (QVector<QPointF>{{0, 1}, {3, 2}}));
    }

    void decimationKeepsEachColumnsExtremes_data()
    {
        QTest::addColumn<int>("capacity");
        QTest::addColumn<int>("count");
        QTest::addColumn<int>("columns");
        QTest::addColumn<bool>("window"); // a sub-range of x rather than all of it
        QTest::newRow("undecimated buffer") << 100000 << 20000 << 317 << false;
        QTest::newRow("merged buffer") << 512 << 100000 << 200 << false;
        QTest::newRow("more columns than buckets") << 256 << 5000 << 900 << false;
        QTest::newRow("window of the x range") << 100000 << 20000 << 250 << true;
    }

    void decimationKeepsEachColumnsExtremes()
    {
        QFETCH(int, capacity);
        QFETCH(int, count);
        QFETCH(int, columns);
        QFETCH(bool, window);
        SeriesBuffer buffer(capacity);
        QVector<QPointF> raw;
        for (int i = 0; i < count; ++i) {
            raw.append(QPointF(double(i) * 0.37 + 3.0, signal(i)));
            buffer.append(raw.last().x(), raw.last().y());
        }
        // Where nothing was merged the buffer holds every point, so the raw data is the reference;
        // after merging, the extremes of what it kept are (and the global ones survive, tested above).
        const bool merged = buffer.pointsPerBucket() > 1;
        const QVector<QPointF> reference = merged ? buffer.points() : raw;
        if (!window) {
            const QVector<QPointF> drawn = buffer.pointsForWidth(columns);
            checkDecimation(drawn, reference, raw.last(), buffer.xMin(), buffer.xMax(), columns);
            return;
        }
        const double xLo = raw[count / 4].x() + 0.1, xHi = raw[count / 2].x() + 0.1;
        QVector<QPointF> drawn = buffer.pointsForWidth(xLo, xHi, columns);
        // The nearest points outside each end come along so the line reaches the edges.
        QCOMPARE(drawn.first(), raw[count / 4]);
        QCOMPARE(drawn.last(), raw[count / 2 + 1]);
        drawn = drawn.mid(1, drawn.size() - 2);
        const std::map<int, ColumnExtremes> expected = extremesByColumn(raw, xLo, xHi, columns);
        const std::map<int, ColumnExtremes> got = extremesByColumn(drawn, xLo, xHi, columns);
        QCOMPARE(got.size(), expected.size());
        for (const auto &[column, e] : expected) {
            QCOMPARE(got.at(column).low, e.low);
            QCOMPARE(got.at(column).high, e.high);
            QVERIFY(got.at(column).count <= 2);
        }
    }

    void livePlotCoalescesRedraws()
    {
        LivePlot plot(QStringLiteral("burst"), QStringLiteral("x"), QStringLiteral("y"));
        const int series = plot.addSeries(QStringLiteral("s"), Qt::blue);
        plot.resize(640, 400);
        plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plot));
        QTest::qWait(100); // let the redraw of the empty plot happen
        const int before = plot.redrawCount();

        QElapsedTimer clock;
        clock.start();
        for (int i = 0; i < 10000; ++i)
            plot.append(series, i, signal(i));
        QCOMPARE(plot.redrawCount(), before); // append() never draws
        QTest::qWait(200);
        const double seconds = double(clock.elapsed()) / 1000.0;
        const int redraws = plot.redrawCount() - before;
        QVERIFY(redraws >= 1);
        QVERIFY2(redraws <= 1 + int(seconds * LivePlot::kMaxRedrawsPerSecond),
                 qPrintable(QString("%1 redraws in %2 s").arg(redraws).arg(seconds)));
        QCOMPARE(plot.pointCount(series), qint64(10000));
        const int width = plot.customPlot()->axisRect()->width();
        QVERIFY(plot.drawnPointCount(series) > 0);
        QVERIFY(plot.drawnPointCount(series) <= 2 * width + 1);

        // Nothing new: no more redraws.
        const int settled = plot.redrawCount();
        QTest::qWait(150);
        QCOMPARE(plot.redrawCount(), settled);
    }

    // Only series with points are named in the legend (a run without a validation split, a machine
    // without a power source), and an epoch axis ticks on whole epochs.
    void legendAndEpochTicks()
    {
        LivePlot plot(QStringLiteral("accuracy"), QStringLiteral("epoch"), QStringLiteral("%"));
        const int test = plot.addSeries(QStringLiteral("test"), Qt::blue);
        plot.addSeries(QStringLiteral("validation"), Qt::red, Qt::DashLine);
        plot.setIntegerX(true);
        plot.resize(600, 300);
        plot.redrawNow();
        QCustomPlot *custom = plot.customPlot();
        QVERIFY(!custom->legend->visible());
        for (int epoch = 1; epoch <= 3; ++epoch)
            plot.append(test, epoch, 70.0 + epoch);
        plot.redrawNow();
        QVERIFY(custom->legend->visible());
        QCOMPARE(custom->legend->itemCount(), 1);
        auto *item = dynamic_cast<QCPPlottableLegendItem *>(custom->legend->item(0));
        QVERIFY(item);
        QCOMPARE(item->plottable()->name(), QString("test"));
        const QVector<double> ticks = custom->xAxis->tickVector();
        QVERIFY(!ticks.isEmpty());
        for (double t : ticks)
            QCOMPARE(t, std::round(t));
    }

    void savePlotWritesEachFormat()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        LivePlot plot(QStringLiteral("export"), QStringLiteral("x"), QStringLiteral("y"));
        const int series = plot.addSeries(QStringLiteral("s"), Qt::red, Qt::DashLine);
        for (int i = 0; i < 500; ++i)
            plot.append(series, i, signal(i));
        plot.resize(500, 300);
        plot.redrawNow();
        QCustomPlot *custom = plot.customPlot();
        QString error;

        const QString png = dir.filePath("plot.PNG");
        QVERIFY2(savePlot(custom, png, &error), qPrintable(error));
        QImage image;
        QVERIFY(image.load(png, "png"));
        QCOMPARE(image.size(), custom->size());

        const QString pdf = dir.filePath("plot.pdf");
        QVERIFY2(savePlot(custom, pdf, &error), qPrintable(error));
        QFile pdfFile(pdf);
        QVERIFY(pdfFile.open(QIODevice::ReadOnly));
        QCOMPARE(pdfFile.read(5), QByteArray("%PDF-"));

        const QString svg = dir.filePath("plot.svg");
        QVERIFY2(savePlot(custom, svg, &error), qPrintable(error));
        QFile svgFile(svg);
        QVERIFY(svgFile.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&svgFile);
        QVERIFY(xml.readNextStartElement());
        QCOMPARE(xml.name().toString(), QString("svg"));
        int elements = 0;
        while (!xml.atEnd()) {
            if (xml.readNext() == QXmlStreamReader::StartElement)
                ++elements;
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY(elements > 10); // the plot was drawn into it, not just an empty frame

        const QString unknown = dir.filePath("plot.xyz");
        QVERIFY(!savePlot(custom, unknown, &error));
        QVERIFY2(error.contains(unknown) && error.contains("xyz"), qPrintable(error));
        QVERIFY(!QFile::exists(unknown));

        const QString nowhere = dir.filePath("no/such/folder/plot.png");
        QVERIFY(!savePlot(custom, nowhere, &error));
        QVERIFY2(error.contains(nowhere), qPrintable(error));
    }

    void liveViewFollowsARealRunAndShowsItStored()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        SessionOptions options;
        options.spec = smallSpec(2, 2000);
        options.spec.config.targetAccuracy = 1.0f; // percent: reached in the first epoch
        options.databasePath = dir.filePath("runs.sqlite");
        options.telemetry = QStringLiteral("none");
        RunSession session(options);

        LiveView view;
        view.resize(1200, 900);
        view.attach(&session);
        int progressEvents = 0;
        connect(&session, &RunSession::progress, &view, [&] { ++progressEvents; }); // queued, like the view's
        QSignalSpy ended(&view, &LiveView::runEnded);
        session.start();
        QVERIFY(ended.wait(180000));
        session.wait();

        QCOMPARE(ended.first().at(1).toString(), QString("completed"));
        const qint64 runId = ended.first().at(0).toLongLong();
        QVERIFY(runId > 0);
        QCOMPARE(runId, session.runId());
        QVERIFY2(view.statusText().startsWith("completed"), qPrintable(view.statusText()));
        // The target accuracy and the epoch that first reached it stay in the status line.
        QVERIFY2(view.statusText().contains("target 1.00 % reached in epoch 1 after"), qPrintable(view.statusText()));
        QVERIFY(view.titleText().contains(QString("run %1").arg(runId)));
        // The header names the backend and, on the cpu, the INT8 path the run took.
        QVERIFY2(view.backendText().contains("int8 "), qPrintable(view.backendText()));
        QVERIFY(progressEvents > 0);

        // The units as the trainer names them, from the run's start event, in the legends and the
        // heatmap, which holds a column per step reported.
        QCOMPARE(view.units(), (QStringList{"fc1", "fc2"}));
        LivePlot *goodness = view.plotNamed("goodness");
        QVERIFY(goodness);
        QCOMPARE(goodness->seriesCount(), 4); // two units, positive and negative
        QCOMPARE(goodness->seriesName(2), QString("fc2 +"));
        view.heatmap()->redrawNow();
        QCOMPARE(view.heatmap()->colorMap()->data()->valueSize(), 2);
        for (int s = 0; s < goodness->seriesCount(); ++s)
            QCOMPARE(goodness->pointCount(s), qint64(progressEvents));
        LivePlot *separation = view.plotNamed("separation");
        QCOMPARE(separation->seriesCount(), 2);
        QCOMPARE(separation->pointCount(0), qint64(progressEvents));
        LivePlot *accuracy = view.plotNamed("accuracy");
        const int test = seriesNamed(accuracy, "test");
        QVERIFY(test >= 0);
        QCOMPARE(accuracy->pointCount(test), qint64(2));
        LivePlot *memory = view.plotNamed("memory");
        QCOMPARE(memory->pointCount(seriesNamed(memory, "engine account, peak per epoch")), qint64(2));
        QVERIFY(memory->pointCount(seriesNamed(memory, "process RSS")) >= 1);
        QVERIFY2(view.plotNamed("power")->message().startsWith("no power source"),
                 qPrintable(view.plotNamed("power")->message()));
        // The redraw timer draws what arrived.
        QTRY_VERIFY_WITH_TIMEOUT(goodness->drawnPointCount(0) > 0, kSettleMs);
        QTRY_VERIFY_WITH_TIMEOUT(accuracy->drawnPointCount(test) == 2, kSettleMs);

        RunStore store(options.databasePath);
        LiveView stored;
        stored.showStoredRun(store, runId);
        const LivePlot *storedAccuracy = stored.plotNamed("accuracy");
        QCOMPARE(storedAccuracy->pointCount(seriesNamed(storedAccuracy, "test")), qint64(store.epochCount(runId)));
        QCOMPARE(store.epochCount(runId), 2);
        QCOMPARE(view.heatmap()->buffer().lastStep(), store.progress(runId).back().step);
        QCOMPARE(store.units(runId), view.units());
        QCOMPARE(stored.units(), view.units());
        QCOMPARE(stored.heatmap()->buffer().lastStep(), view.heatmap()->buffer().lastStep());
        QCOMPARE(stored.plotNamed("goodness")->seriesCount(), 4);
        QCOMPARE(stored.plotNamed("goodness")->pointCount(0), qint64(store.progress(runId).size()));
        QVERIFY2(stored.statusText().startsWith("completed"), qPrintable(stored.statusText()));
        QCOMPARE(stored.backendText(), store.run(runId)->device);
        QVERIFY(stored.backendText().contains("int8 "));
        QVERIFY(!stored.findChild<QPushButton *>("stopButton")->isEnabled());
    }

    void pauseAndStopControlTheRun()
    {
        SessionOptions options;
        options.spec = smallSpec(50, 6000); // far longer than the test lets it run
        options.telemetry = QStringLiteral("none");
        RunSession session(options);
        LiveView view;
        view.resize(1200, 900);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.attach(&session);
        int progressEvents = 0;
        connect(&session, &RunSession::progress, &view, [&] { ++progressEvents; });
        QSignalSpy ended(&view, &LiveView::runEnded);
        session.start();
        QTRY_VERIFY_WITH_TIMEOUT(progressEvents > 0, 120000);

        auto *pause = view.findChild<QPushButton *>("pauseButton");
        auto *stop = view.findChild<QPushButton *>("stopButton");
        QVERIFY(pause && stop);
        QTest::mouseClick(pause, Qt::LeftButton);
        QCOMPARE(pause->text(), QString("Resume"));
        QVERIFY(session.isPaused());
        QTest::qWait(300); // reports already on their way arrive
        const int whilePaused = progressEvents;
        QTest::qWait(500);
        QCOMPARE(progressEvents, whilePaused); // a paused run reports nothing
        QTest::mouseClick(pause, Qt::LeftButton);
        QCOMPARE(pause->text(), QString("Pause"));
        QTRY_VERIFY_WITH_TIMEOUT(progressEvents > whilePaused, 60000);

        QTest::mouseClick(stop, Qt::LeftButton);
        QVERIFY(ended.count() == 1 || ended.wait(60000));
        QCOMPARE(ended.first().at(1).toString(), QString("cancelled"));
        QVERIFY2(view.statusText().startsWith("cancelled"), qPrintable(view.statusText()));
        QVERIFY(!stop->isEnabled());
        QVERIFY(!pause->isEnabled());
        session.wait();
        QVERIFY(view.plotNamed("goodness")->pointCount(0) > 0);
    }
};

QTEST_MAIN(TestGuiDecimation)
#include "tst_gui_decimation.moc"
