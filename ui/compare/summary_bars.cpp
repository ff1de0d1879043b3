// The compared runs' summary bars (see summary_bars.h).
#include "ui/compare/summary_bars.h"

#include "ui/compare/run_colour.h"

#include <QVBoxLayout>
#include <cmath>
#include <qcustomplot.h>

namespace ffint8 {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

double figureOf(const RunRecord &run, SummaryBars::Figure figure)
{
    switch (figure) {
    case SummaryBars::TestAccuracy:
        return run.testAccuracy * 100.0;
    case SummaryBars::TrainTime:
        return run.trainSeconds;
    case SummaryBars::Energy:
        return run.energyJoules;
    case SummaryBars::PeakEngineMemory:
        return run.peakEngineBytes > 0 ? double(run.peakEngineBytes) / kMiB : NAN;
    default:
        return NAN;
    }
}

QString valueText(double value, SummaryBars::Figure figure)
{
    return QString::number(value, 'f', figure == SummaryBars::TestAccuracy ? 2 : 1);
}

} // namespace

QString SummaryBars::title(Figure figure)
{
    switch (figure) {
    case TestAccuracy:
        return tr("test accuracy (%)");
    case TrainTime:
        return tr("training time (s)");
    case Energy:
        return tr("energy (J)");
    case PeakEngineMemory:
        return tr("peak engine memory (MiB)");
    default:
        return {};
    }
}

SummaryBars::SummaryBars(QWidget *parent) : QWidget(parent), m_plot(new QCustomPlot(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    setMinimumSize(320, 240);

    // Four panels in a 2 x 2 grid, each a figure of Table V with its own scale.
    m_plot->plotLayout()->clear();
    QFont titleFont = font();
    titleFont.setBold(true);
    m_plot->plotLayout()->addElement(0, 0, new QCPTextElement(m_plot, tr("Summary of the compared runs"), titleFont));
    auto *grid = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(1, 0, grid);
    QFont small = font();
    small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.85));
    for (int f = 0; f < FigureCount; ++f) {
        auto *panel = new QCPAxisRect(m_plot);
        grid->addElement(f / 2, f % 2, panel);
        panel->axis(QCPAxis::atLeft)->setLabel(title(Figure(f)));
        panel->axis(QCPAxis::atLeft)->setLabelFont(small);
        panel->axis(QCPAxis::atLeft)->setTickLabelFont(small);
        panel->axis(QCPAxis::atBottom)->setTickLabelFont(small);
        panel->axis(QCPAxis::atBottom)->grid()->setVisible(false);
        m_panels[f] = panel;
    }
}

void SummaryBars::setRuns(const QList<RunRecord> &runs)
{
    m_plot->clearPlottables();
    m_plot->clearItems();
    for (int f = 0; f < FigureCount; ++f) {
        QCPAxisRect *panel = m_panels[f];
        QCPAxis *keys = panel->axis(QCPAxis::atBottom);
        QCPAxis *values = panel->axis(QCPAxis::atLeft);
        auto ticker = QSharedPointer<QCPAxisTickerText>::create();
        m_values[f].clear();
        double top = 0.0;
        for (qsizetype i = 0; i < runs.size(); ++i) {
            const double value = figureOf(runs[i], Figure(f));
            m_values[f] << value;
            ticker->addTick(double(i), QStringLiteral("#%1").arg(runs[i].id));
            if (!std::isfinite(value))
                continue;
            // One bars object per run: QCPBars has one colour, and each run keeps its curve's.
            auto *bars = new QCPBars(keys, values);
            bars->setWidth(0.7);
            bars->setPen(Qt::NoPen);
            bars->setBrush(runColour(i));
            bars->setName(runs[i].name);
            bars->addData(double(i), value);
            top = std::max(top, value);
            auto *label = new QCPItemText(m_plot);
            label->setClipAxisRect(panel);
            label->position->setAxes(keys, values);
            label->position->setCoords(double(i), value);
            label->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
            label->setFont(QFont(font().family(), std::max(6, int(font().pointSizeF() * 0.8))));
            label->setText(valueText(value, Figure(f)));
        }
        keys->setTicker(ticker);
        keys->setRange(-0.6, std::max<double>(0.6, double(runs.size()) - 0.4));
        // From zero, so the bars' lengths compare; room above the tallest for its value.
        values->setRange(0.0, top > 0.0 ? top * 1.18 : 1.0);
        const bool missing
            = std::any_of(m_values[f].cbegin(), m_values[f].cend(), [](double v) { return !std::isfinite(v); });
        m_notes[f] = !missing || runs.isEmpty() ? QString()
            : f == Energy                       ? tr("no energy where no power source was measured")
                                                : tr("not recorded for every run");
        if (!m_notes[f].isEmpty()) {
            auto *note = new QCPItemText(m_plot);
            note->setClipAxisRect(panel);
            note->position->setType(QCPItemPosition::ptAxisRectRatio);
            note->position->setAxisRect(panel);
            note->position->setCoords(0.5, 0.5);
            note->setColor(QColor(110, 110, 110));
            note->setText(m_notes[f]);
        }
    }
    m_plot->replot();
}

QList<double> SummaryBars::values(Figure figure) const
{
    return m_values[figure];
}

QString SummaryBars::note(Figure figure) const
{
    return m_notes[figure];
}

} // namespace ffint8
