// The compare view (see compare_view.h).
#include "ui/compare/compare_view.h"

#include "app/store/store_error.h"
#include "ui/compare/comparison_summary_model.h"
#include "ui/compare/config_diff_model.h"
#include "ui/compare/run_colour.h"
#include "ui/compare/summary_bars.h"
#include "ui/plot/axis_ticks.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>
#include <qcustomplot.h>
#include <stdexcept>

namespace ffint8 {

namespace {

// The metric combo's item data: the CurveMetric, and for separation the unit's name.
constexpr int kMetricRole = Qt::UserRole;
constexpr int kUnitRole = Qt::UserRole + 1;

QTableView *makeTable(QAbstractItemModel *model, QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setModel(model);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->verticalHeader()->hide();
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    return view;
}

QString runLabel(const RunRecord &run)
{
    return QStringLiteral("#%1 %2").arg(run.id).arg(run.name);
}

// Whether the compared FF runs cut their networks into different units (different models): a unit's
// name then means a different place in each, so the view says which runs have it and where.
bool unitsDiffer(const QList<RunCurves> &curves)
{
    const RunCurves *first = nullptr;
    for (const RunCurves &c : curves) {
        if (!c.forwardForward)
            continue;
        if (first && c.units != first->units)
            return true;
        first = first ? first : &c;
    }
    return false;
}

} // namespace

CompareView::CompareView(QWidget *parent)
    : QWidget(parent),
      m_metric(new QComboBox(this)),
      m_xAxis(new QComboBox(this)),
      m_baseline(new QComboBox(this)),
      m_plot(new QCustomPlot(this)),
      m_bars(new SummaryBars(this)),
      m_summaryModel(new ComparisonSummaryModel(this)),
      m_diffModel(new ConfigDiffModel(this)),
      m_summaryView(makeTable(m_summaryModel, this)),
      m_diffView(makeTable(m_diffModel, this))
{
    m_xAxis->addItem(tr("Epoch"), int(CurveAxis::Epoch));
    m_xAxis->addItem(tr("Wall time (s)"), int(CurveAxis::WallSeconds));
    fillMetricCombo();

    // The legend in a row under the axes, runs side by side: inside them it covered the curves.
    m_plot->legend->setVisible(true);
    auto *legendRow = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(1, 0, legendRow);
    m_plot->axisRect()->insetLayout()->take(m_plot->legend);
    legendRow->addElement(0, 0, m_plot->legend);
    legendRow->setMargins(QMargins(0, 0, 0, 4));
    m_plot->legend->setFillOrder(QCPLegend::foColumnsFirst);
    m_plot->legend->setWrap(3);
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->plotLayout()->setRowStretchFactor(1, 0.001);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->setMinimumHeight(240);

    auto *controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Plot"), this));
    controls->addWidget(m_metric);
    controls->addWidget(new QLabel(tr("against"), this));
    controls->addWidget(m_xAxis);
    controls->addStretch(1);
    controls->addWidget(new QLabel(tr("Baseline"), this));
    controls->addWidget(m_baseline);

    auto *tabs = new QTabWidget(this);
    tabs->addTab(m_summaryView, tr("Summary"));
    tabs->addTab(m_diffView, tr("Differing settings"));

    // The curves and, beside them, the final figures as bars.
    auto *figures = new QSplitter(Qt::Horizontal, this);
    figures->setObjectName(QStringLiteral("compareFigures"));
    figures->addWidget(m_plot);
    figures->addWidget(m_bars);
    figures->setStretchFactor(0, 3);
    figures->setStretchFactor(1, 2);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(figures);
    splitter->addWidget(tabs);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(splitter, 1);

    connect(m_metric, &QComboBox::currentIndexChanged, this, &CompareView::replot);
    connect(m_xAxis, &QComboBox::currentIndexChanged, this, &CompareView::replot);
    connect(m_baseline, &QComboBox::currentIndexChanged, this, &CompareView::updateSummary);
}

void CompareView::setStore(RunStore *store)
{
    // Run ids are only meaningful in the store that gave them: in another store the same ids are other
    // runs (or none), so a new store empties the comparison rather than show strangers under old labels.
    const bool sameStore = store == m_store;
    m_store = store;
    setRuns(store && sameStore ? m_runIds : QList<qint64>());
}

void CompareView::setRuns(const QList<qint64> &runIds)
{
    m_runIds.clear();
    m_runs.clear();
    m_curves.clear();
    QList<ConfigDiffRow> diff;
    if (m_store && !runIds.isEmpty()) {
        try {
            m_runs = loadRuns(*m_store, runIds);
            m_curves = runCurves(*m_store, runIds);
            diff = configDiff(*m_store, runIds);
            m_runIds = runIds;
        } catch (const StoreError &e) {
            m_runs.clear();
            m_curves.clear();
            diff.clear();
            emit storeError(QString::fromStdString(e.what()));
        }
    }
    QStringList names;
    for (const RunRecord &run : m_runs)
        names << runLabel(run);
    m_diffModel->setDiff(names, diff);

    {
        const QSignalBlocker blocker(m_baseline);
        m_baseline->clear();
        int preferred = -1;
        for (const RunRecord &run : m_runs) {
            m_baseline->addItem(runLabel(run), run.id);
            if (preferred < 0 && run.algorithm == QLatin1String("bp-fp32"))
                preferred = m_baseline->count() - 1;
        }
        m_baseline->setCurrentIndex(preferred >= 0 ? preferred : (m_runs.isEmpty() ? -1 : 0));
    }
    fillMetricCombo();
    updateSummary();
    replot();
    m_bars->setRuns(m_runs);
}

void CompareView::fillMetricCombo()
{
    const int currentMetric = m_metric->currentData(kMetricRole).toInt();
    const QString currentUnit = m_metric->currentData(kUnitRole).toString();
    const QSignalBlocker blocker(m_metric);
    m_metric->clear();
    auto add = [this](const QString &text, CurveMetric metric, const QString &unit) {
        m_metric->addItem(text);
        m_metric->setItemData(m_metric->count() - 1, int(metric), kMetricRole);
        m_metric->setItemData(m_metric->count() - 1, unit, kUnitRole);
    };
    add(tr("Test accuracy (%)"), CurveMetric::TestAccuracy, QString());
    add(tr("Train loss"), CurveMetric::TrainLoss, QString());
    const bool differ = unitsDiffer(m_curves);
    for (const QString &unit : separationUnits(m_curves)) {
        QString text = tr("Goodness separation, %1").arg(unit);
        if (differ) {
            QStringList holders;
            for (const RunCurves &c : std::as_const(m_curves))
                if (c.units.contains(unit))
                    holders << QStringLiteral("#%1").arg(c.runId);
            text += QStringLiteral(" (%1)").arg(holders.join(QStringLiteral(", ")));
        }
        add(text, CurveMetric::GoodnessSeparation, unit);
    }
    int keep = 0;
    for (int i = 0; i < m_metric->count(); ++i)
        if (m_metric->itemData(i, kMetricRole).toInt() == currentMetric && m_metric->itemData(i, kUnitRole).toString() == currentUnit)
            keep = i;
    m_metric->setCurrentIndex(keep);
}

void CompareView::setMetric(CurveMetric metric, const QString &unit)
{
    const QString wanted = metric == CurveMetric::GoodnessSeparation ? unit : QString();
    for (int i = 0; i < m_metric->count(); ++i) {
        if (m_metric->itemData(i, kMetricRole).toInt() == int(metric) && m_metric->itemData(i, kUnitRole).toString() == wanted) {
            m_metric->setCurrentIndex(i);
            return;
        }
    }
    const QStringList units = separationUnits(m_curves);
    throw std::invalid_argument(QStringLiteral("no compared run has goodness figures for unit '%1' (%2)")
                                    .arg(unit, units.isEmpty() ? QStringLiteral("no unit has them")
                                                               : QStringLiteral("units with them: ") + units.join(", "))
                                    .toStdString());
}

CurveMetric CompareView::metric() const
{
    return CurveMetric(m_metric->currentData(kMetricRole).toInt());
}

QString CompareView::unit() const
{
    return m_metric->currentData(kUnitRole).toString();
}

void CompareView::setXAxis(CurveAxis axis)
{
    m_xAxis->setCurrentIndex(m_xAxis->findData(int(axis)));
}

CurveAxis CompareView::xAxis() const
{
    return CurveAxis(m_xAxis->currentData().toInt());
}

void CompareView::setBaseline(qint64 runId)
{
    const int index = m_baseline->findData(runId);
    if (index < 0)
        throw std::invalid_argument(QStringLiteral("run %1 is not one of the compared runs").arg(runId).toStdString());
    m_baseline->setCurrentIndex(index);
}

qint64 CompareView::baseline() const
{
    return m_baseline->currentData().toLongLong();
}

void CompareView::updateSummary()
{
    m_summaryModel->setRows(compareRuns(m_runs, baseline()));
}

void CompareView::replot()
{
    m_plot->clearGraphs();
    const CurveMetric curveMetric = metric();
    const CurveAxis axis = xAxis();
    for (qsizetype i = 0; i < m_curves.size(); ++i) {
        const CurveSeries series = curveSeries(m_curves[i], curveMetric, axis, unit());
        QCPGraph *graph = m_plot->addGraph();
        graph->setName(runLabel(m_runs[i]));
        // Runs of different models match a unit by name: each says where the unit is in its network.
        const qsizetype position = m_curves[i].units.indexOf(unit());
        if (curveMetric == CurveMetric::GoodnessSeparation && position >= 0 && unitsDiffer(m_curves))
            graph->setName(tr("%1: %2, unit %3 of %4")
                               .arg(runLabel(m_runs[i]), unit())
                               .arg(position + 1)
                               .arg(m_curves[i].units.size()));
        graph->setPen(QPen(runColour(i), 2));
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
        graph->setData(series.x, series.y, true);
        // A run without this metric (a BP run has no goodness) keeps no legend entry to mislead.
        if (series.x.isEmpty())
            graph->removeFromLegend();
    }
    m_plot->xAxis->setLabel(axis == CurveAxis::Epoch ? tr("epoch") : tr("wall time since the run started (s)"));
    setWholeNumberTicks(m_plot->xAxis, axis == CurveAxis::Epoch);
    m_plot->yAxis->setLabel(m_metric->currentText());
    m_plot->rescaleAxes();
    m_plot->replot();
}

} // namespace ffint8
