// The unit x step heatmap of the live view.
#include "ui/plot/unit_heatmap.h"

#include "ui/plot/plot_frame.h"

#include <QFontMetrics>
#include <QMouseEvent>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

namespace ffint8 {

namespace {

// Separation below 0 (negative data looks better than positive) in red, above in blue, 0 pale:
// the sign is what a reader looks for first. Cells without a figure are left transparent.
QCPColorGradient divergingGradient()
{
    QCPColorGradient g;
    g.setColorStopAt(0.0, QColor(178, 24, 43));
    g.setColorStopAt(0.5, QColor(247, 247, 247));
    g.setColorStopAt(1.0, QColor(33, 102, 172));
    g.setNanHandling(QCPColorGradient::nhTransparent);
    return g;
}

QCPColorGradient sequentialGradient()
{
    QCPColorGradient g(QCPColorGradient::gpThermal);
    g.setNanHandling(QCPColorGradient::nhTransparent);
    return g;
}

// The pixels one unit's row needs for its name to be legible.
int rowPixels(const QFont &font)
{
    return QFontMetrics(font).height() + 2;
}

} // namespace

UnitHeatmap::UnitHeatmap(QWidget *parent)
    : QWidget(parent), m_plot(new QCustomPlot(this)), m_throttle([this] { redraw(); })
{
    setMinimumSize(240, 220);
    m_title = frameLivePlot(this, m_plot, QString());

    m_map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    m_map->setInterpolate(false);
    m_map->setTightBoundary(false);
    m_scale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(1, 1, m_scale);
    m_scale->setType(QCPAxis::atRight);
    m_map->setColorScale(m_scale);
    // The scale's bar runs alongside the map, not the whole widget.
    auto *group = new QCPMarginGroup(m_plot);
    m_plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    m_scale->setMarginGroup(QCP::msBottom | QCP::msTop, group);

    m_plot->xAxis->setLabel(tr("step (batches)"));
    m_plot->yAxis->setRangeReversed(true); // the first unit at the top, as a table lists them
    m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    m_plot->yAxis->grid()->setVisible(false);
    m_plot->xAxis->grid()->setVisible(false);
    m_plot->setPlottingHint(QCP::phCacheLabels, true);

    m_message = addCentredMessage(m_plot);

    connect(m_plot, &QCustomPlot::mousePress, this, [this](QMouseEvent *event) {
        if (m_units.isEmpty() || !m_plot->axisRect()->rect().contains(event->pos()))
            return;
        const int unit = int(std::lround(m_plot->yAxis->pixelToCoord(event->pos().y())));
        if (unit >= 0 && unit < int(m_units.size()))
            emit unitClicked(unit);
    });
    setTitleAndScale(tr("Separation by unit and step"), tr("separation"), Scale::Diverging);
    // A new height means other rows: the names may fit where they were thinned out, or not.
    m_plot->installEventFilter(this);
}

bool UnitHeatmap::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_plot && event->type() == QEvent::Resize)
        m_throttle.request();
    return QWidget::eventFilter(watched, event);
}

UnitHeatmap::~UnitHeatmap() = default;

void UnitHeatmap::setUnits(const QStringList &names)
{
    m_units = names;
    m_buffer.setUnitCount(int(names.size()));
    // Every name legible up to about 30 units; beyond, the plot area scrolls rather than growing
    // without end, and the names thin out (updateUnitTicks).
    const int wanted = int(names.size()) * rowPixels(m_plot->yAxis->tickLabelFont()) + 120;
    setMinimumHeight(std::clamp(wanted, 220, 600));
    m_throttle.request();
}

void UnitHeatmap::setTitleAndScale(const QString &title, const QString &scaleLabel, Scale scale)
{
    m_title->setText(title);
    m_scale->axis()->setLabel(scaleLabel);
    m_scaleKind = scale;
    m_map->setGradient(scale == Scale::Diverging ? divergingGradient() : sequentialGradient());
    m_map->setDataScaleType(scale == Scale::Logarithmic ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    m_scale->axis()->setTicker(scale == Scale::Logarithmic
                                   ? QSharedPointer<QCPAxisTicker>(QSharedPointer<QCPAxisTickerLog>::create())
                                   : QSharedPointer<QCPAxisTicker>::create());
    m_throttle.request();
}

void UnitHeatmap::append(qint64 step, const std::vector<double> &values)
{
    m_buffer.append(step, values);
    m_throttle.request();
}

void UnitHeatmap::clear()
{
    m_buffer.clear();
    m_throttle.request();
}

void UnitHeatmap::setMessage(const QString &text)
{
    m_messageText = text;
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
    m_throttle.request();
}

QString UnitHeatmap::title() const
{
    return m_title->text();
}

void UnitHeatmap::redrawNow()
{
    m_throttle.now();
}

QStringList UnitHeatmap::unitAxisLabels() const
{
    const auto ticker = m_plot->yAxis->ticker().dynamicCast<QCPAxisTickerText>();
    QStringList labels;
    for (int u = 0; u < int(m_units.size()); ++u)
        labels << (ticker ? ticker->ticks().value(double(u)) : QString());
    return labels;
}

void UnitHeatmap::updateUnitTicks()
{
    const auto ticker = m_plot->yAxis->ticker().dynamicCast<QCPAxisTickerText>();
    if (!ticker)
        return;
    // Every n-th name where the rows are lower than a line of text; a widget not laid out yet is
    // taken at its minimum height.
    const int laidOut = m_plot->axisRect()->height();
    const int height = laidOut > 20 ? laidOut : minimumHeight() - 120;
    const int units = int(m_units.size());
    const int every = units > 0
        ? std::max(1, int(std::ceil(double(units * rowPixels(m_plot->yAxis->tickLabelFont())) / std::max(1, height))))
        : 1;
    QMap<double, QString> ticks;
    for (int u = 0; u < units; u += every)
        ticks.insert(double(u), m_units[u]);
    ticker->setTicks(ticks);
}

void UnitHeatmap::redraw()
{
    const int units = int(m_units.size());
    const int columns = m_buffer.columnCount();
    const double width = double(m_buffer.stepsPerColumn());
    // A colour map needs two cells a side to know their size: a lone column or unit gets a second,
    // empty one beyond what the axes show.
    const int keySize = std::max(2, columns);
    const int valueSize = std::max(2, units);
    QCPColorMapData *data = m_map->data();
    data->setSize(keySize, valueSize);
    data->setRange(QCPRange(m_buffer.columnCentre(0), m_buffer.columnCentre(keySize - 1)), QCPRange(0, valueSize - 1));
    double lo = INFINITY, hi = -INFINITY, largest = 0.0;
    for (int c = 0; c < keySize; ++c) {
        for (int u = 0; u < valueSize; ++u) {
            const double v = m_buffer.value(c, u);
            data->setCell(c, u, v);
            if (!std::isfinite(v) || (m_scaleKind == Scale::Logarithmic && v <= 0))
                continue;
            lo = std::min(lo, v);
            hi = std::max(hi, v);
            largest = std::max(largest, std::abs(v));
        }
    }
    if (m_scaleKind == Scale::Diverging) {
        const double m = largest > 0 ? largest : 1.0;
        m_map->setDataRange(QCPRange(-m, m));
    } else if (lo <= hi) {
        m_map->setDataRange(lo < hi ? QCPRange(lo, hi) : QCPRange(lo / 2, hi * 2));
    }
    m_plot->xAxis->setRange(0.5, std::max(1.0, double(columns)) * width + 0.5);
    m_plot->yAxis->setRange(-0.5, std::max(1, units) - 0.5);
    m_plot->plotLayout()->update(QCPLayoutElement::upPreparation);
    m_plot->plotLayout()->update(QCPLayoutElement::upMargins);
    m_plot->plotLayout()->update(QCPLayoutElement::upLayout);
    updateUnitTicks();
    m_plot->replot(QCustomPlot::rpImmediateRefresh);
}

} // namespace ffint8
