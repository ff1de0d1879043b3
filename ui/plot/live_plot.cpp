// One live plot: a QCustomPlot whose series live in bounded buffers and redraw on a coalescing timer.
#include "ui/plot/live_plot.h"

#include "ui/plot/axis_ticks.h"
#include "ui/plot/plot_frame.h"

#include <QElapsedTimer>
#include <QEvent>
#include <algorithm>
#include <limits>
#include <qcustomplot.h>

namespace ffint8 {

namespace {

struct Extent
{
    double lo = std::numeric_limits<double>::infinity();
    double hi = -std::numeric_limits<double>::infinity();
    void add(double v)
    {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    bool valid() const { return lo <= hi; }
};

// A little room around the data, and a visible span where all values are equal.
QCPRange paddedRange(const Extent &e)
{
    double span = e.hi - e.lo;
    if (span <= 0.0)
        span = std::max(std::abs(e.hi) * 0.1, 1e-9) * 2.0;
    return QCPRange(e.lo - span * 0.05, e.hi + span * 0.05);
}

} // namespace

LivePlot::LivePlot(const QString &title, const QString &xLabel, const QString &yLabel, QWidget *parent)
    : QWidget(parent), m_plot(new QCustomPlot(this)), m_throttle([this] { redraw(); })
{
    setMinimumSize(240, 160);
    m_title = frameLivePlot(this, m_plot, title);
    m_plot->xAxis->setLabel(xLabel);
    m_plot->yAxis->setLabel(yLabel);

    QFont small = font();
    small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.85));
    m_plot->legend->setFont(small);
    m_plot->legend->setBrush(Qt::NoBrush);
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->legend->setVisible(false);
    // The legend stands beside the axes, at their top: inside them it covered the first steps of the
    // curves, which are the ones a user watches while a run starts. A stretching empty cell below it
    // keeps it at its own height.
    auto *legendColumn = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(1, 1, legendColumn);
    m_plot->axisRect()->insetLayout()->take(m_plot->legend);
    legendColumn->addElement(0, 0, m_plot->legend);
    // Below the legend, the note that stands for it when it would list too many series.
    m_legendNote = new QCPTextElement(m_plot, QString(), small);
    m_legendNote->setTextFlags(Qt::AlignLeft | Qt::AlignTop);
    m_legendNote->setVisible(false);
    legendColumn->addElement(1, 0, m_legendNote);
    legendColumn->addElement(2, 0, new QCPLayoutElement(m_plot));
    legendColumn->setRowStretchFactor(0, 0.001);
    legendColumn->setRowStretchFactor(1, 0.001);
    legendColumn->setRowStretchFactor(2, 1.0);
    legendColumn->setMargins(QMargins(0, 0, 4, 0));
    m_plot->plotLayout()->setColumnStretchFactor(1, 0.001);
    m_plot->plotLayout()->setColumnSpacing(0);

    // Antialiased series lines doubled the redraw time (1400x600 px, gui latency bench), and the GUI
    // thread's worst delay with them; axes, grid and text keep their smooth defaults. Exported PNGs
    // are drawn antialiased (plot_export.cpp).
    m_plot->setNotAntialiasedElements(QCP::aePlottables);
    m_plot->setNoAntialiasingOnDrag(true);
    m_plot->setPlottingHint(QCP::phFastPolylines, true);
    m_plot->setPlottingHint(QCP::phCacheLabels, true);

    m_message = addCentredMessage(m_plot);

    // A new width means new pixel columns: the decimation must be redone.
    m_plot->installEventFilter(this);
}

LivePlot::~LivePlot() = default;

int LivePlot::addSeries(const QString &name, const QColor &color, Qt::PenStyle style, bool rightAxis, int capacity)
{
    if (rightAxis)
        m_plot->yAxis2->setVisible(true);
    auto series = std::make_unique<Series>(capacity);
    series->graph = m_plot->addGraph(m_plot->xAxis, rightAxis ? m_plot->yAxis2 : m_plot->yAxis);
    series->graph->setName(name);
    QPen pen(color, 1.5, style);
    series->graph->setPen(pen);
    m_series.push_back(std::move(series));
    markDirty(); // the redraw lists the series in the legend once it has points
    return int(m_series.size()) - 1;
}

void LivePlot::setSeriesVisible(int series, bool visible)
{
    Series &s = seriesAt(series);
    if (s.visible == visible)
        return;
    s.visible = visible;
    s.graph->setVisible(visible);
    markDirty();
}

bool LivePlot::isSeriesVisible(int series) const
{
    return seriesAt(series).visible;
}

void LivePlot::setSeriesColour(int series, const QColor &colour)
{
    QCPGraph *graph = seriesAt(series).graph;
    QPen pen = graph->pen();
    pen.setColor(colour);
    graph->setPen(pen);
    markDirty();
}

void LivePlot::setLegendLimit(int entries, const QString &overflowNote)
{
    m_legendLimit = entries;
    m_legendOverflow = overflowNote;
    markDirty();
}

QString LivePlot::legendNote() const
{
    return m_legendNote->visible() ? m_legendNote->text() : QString();
}

void LivePlot::setRightAxisLabel(const QString &label)
{
    m_plot->yAxis2->setLabel(label);
    m_plot->yAxis2->setVisible(true);
    markDirty();
}

void LivePlot::setMarkers(int series, bool on)
{
    QCPGraph *graph = seriesAt(series).graph;
    graph->setScatterStyle(on ? QCPScatterStyle(QCPScatterStyle::ssDisc, 5) : QCPScatterStyle());
    markDirty();
}

void LivePlot::append(int series, double x, double y)
{
    seriesAt(series).buffer.append(x, y);
    markDirty();
}

void LivePlot::setSeries(int series, const QVector<double> &xs, const QVector<double> &ys)
{
    SeriesBuffer &buffer = seriesAt(series).buffer;
    buffer.clear();
    const qsizetype n = std::min(xs.size(), ys.size());
    for (qsizetype i = 0; i < n; ++i)
        buffer.append(xs[i], ys[i]);
    markDirty();
}

void LivePlot::clear()
{
    for (auto &s : m_series)
        s->buffer.clear();
    markDirty();
}

void LivePlot::setIntegerX(bool on) { setWholeNumberTicks(m_plot->xAxis, on); }

void LivePlot::removeAllSeries()
{
    m_plot->clearGraphs();
    m_series.clear();
    m_plot->legend->setVisible(false);
    m_plot->yAxis2->setVisible(false);
    m_plot->yAxis2->setLabel(QString());
    markDirty();
}

void LivePlot::setMessage(const QString &text)
{
    m_messageText = text;
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
    markDirty();
}

void LivePlot::setTitleAndLabel(const QString &title, const QString &yLabel)
{
    m_title->setText(title);
    m_plot->yAxis->setLabel(yLabel);
    markDirty();
}

QString LivePlot::title() const
{
    return m_title->text();
}

QString LivePlot::seriesName(int series) const
{
    return seriesAt(series).graph->name();
}

qint64 LivePlot::pointCount(int series) const
{
    return seriesAt(series).buffer.receivedCount();
}

int LivePlot::drawnPointCount(int series) const
{
    return seriesAt(series).graph->dataCount();
}

size_t LivePlot::bufferBytes() const
{
    size_t bytes = 0;
    for (const auto &s : m_series)
        bytes += s->buffer.memoryBytes();
    return bytes;
}

LivePlot::Series &LivePlot::seriesAt(int series)
{
    Q_ASSERT(series >= 0 && series < int(m_series.size()));
    return *m_series[size_t(series)];
}

const LivePlot::Series &LivePlot::seriesAt(int series) const
{
    Q_ASSERT(series >= 0 && series < int(m_series.size()));
    return *m_series[size_t(series)];
}

bool LivePlot::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_plot && event->type() == QEvent::Resize)
        markDirty();
    return QWidget::eventFilter(watched, event);
}

void LivePlot::markDirty()
{
    m_throttle.request();
}

void LivePlot::redrawNow()
{
    m_throttle.now();
}

void LivePlot::redraw()
{
    QElapsedTimer clock;
    clock.start();

    // Ranges first, from each buffer's extremes (which its decimation keeps), then the layout they
    // give: wider tick labels narrow the axis rect, and the decimation needs its final pixel width.
    Extent x, left, right;
    for (const auto &s : m_series) {
        if (s->buffer.isEmpty() || !s->visible)
            continue;
        x.add(s->buffer.xMin());
        x.add(s->buffer.xMax());
        Extent &values = s->graph->valueAxis() == m_plot->yAxis2 ? right : left;
        values.add(s->buffer.minPoint().y());
        values.add(s->buffer.maxPoint().y());
    }
    if (x.valid())
        m_plot->xAxis->setRange(x.lo == x.hi ? QCPRange(x.lo - 0.5, x.hi + 0.5) : QCPRange(x.lo, x.hi));
    if (left.valid())
        m_plot->yAxis->setRange(paddedRange(left));
    if (right.valid())
        m_plot->yAxis2->setRange(paddedRange(right));
    // A series with no points (a run without a validation split, a machine without a power source)
    // is left out of the legend rather than named beside an empty plot, and so is a hidden one.
    // The legend is rebuilt in the order the series were added when one gains its first points.
    auto listed = [](const Series &s) { return s.visible && !s.buffer.isEmpty(); };
    int listedCount = 0;
    for (const auto &s : m_series)
        listedCount += listed(*s) ? 1 : 0;
    // Past the limit a legend would run below the axes: a note in its place, and an empty legend.
    const bool overflow = m_legendLimit > 0 && listedCount > m_legendLimit;
    bool changed = false;
    for (const auto &s : m_series)
        changed = changed || m_plot->legend->hasItemWithPlottable(s->graph) != (listed(*s) && !overflow);
    if (changed) {
        m_plot->legend->clearItems();
        for (const auto &s : m_series)
            if (listed(*s) && !overflow)
                s->graph->addToLegend();
    }
    m_plot->legend->setVisible(m_plot->legend->itemCount() > 0);
    m_legendNote->setText(overflow ? m_legendOverflow.arg(listedCount) : QString());
    m_legendNote->setVisible(overflow);
    // The legend stands beside the axes: it is settled before the layout that gives their width.
    m_plot->plotLayout()->update(QCPLayoutElement::upPreparation);
    m_plot->plotLayout()->update(QCPLayoutElement::upMargins);
    m_plot->plotLayout()->update(QCPLayoutElement::upLayout);

    // A plot never shown has not been laid out: its axes are a few pixels wide, which would decimate
    // an export of a hidden window to a point or two. It keeps at least its minimum width's columns.
    const int laidOut = m_plot->axisRect()->width();
    const int columns = std::max(1, isVisible() ? laidOut : std::max(laidOut, minimumWidth()));
    for (const auto &s : m_series) {
        QVector<QCPGraphData> data;
        if (listed(*s)) {
            const QVector<QPointF> points = s->buffer.pointsForWidth(x.lo, x.hi, columns);
            data.reserve(points.size());
            for (const QPointF &p : points)
                data.append(QCPGraphData(p.x(), p.y()));
        }
        s->graph->data()->set(data, true); // pointsForWidth returns the points in x order
    }

    m_plot->replot(QCustomPlot::rpImmediateRefresh);
    ++m_redrawCount;
    m_lastRedrawMs = double(clock.nsecsElapsed()) / 1e6;
    m_worstRedrawMs = std::max(m_worstRedrawMs, m_lastRedrawMs);
}

} // namespace ffint8
