// The compare view: several runs' curves overlaid in one plot, their final figures as bars beside it
// and against a baseline run in a table, and the settings in which they differ.
#pragma once

#include "app/compare/run_comparison.h"

#include <QList>
#include <QWidget>

class QComboBox;
class QCustomPlot;
class QTableView;

namespace ffint8 {

class ComparisonSummaryModel;
class ConfigDiffModel;
class SummaryBars;

class CompareView : public QWidget
{
    Q_OBJECT

public:
    explicit CompareView(QWidget *parent = nullptr);

    // The store the runs are read from; nullptr or another store empties the view (the same store again
    // re-reads the runs). The store must outlive this widget or be unset.
    void setStore(ffint8::RunStore *store);
    // Reads the runs from the store (errors go to storeError) and shows them; the baseline becomes the
    // first bp-fp32 run, else the first run.
    void setRuns(const QList<qint64> &runIds);
    QList<qint64> runIds() const { return m_runIds; }

    // What the plot shows; `unit` (a unit's name) is for GoodnessSeparation. A unit no run has
    // separation figures for is refused (std::invalid_argument naming it and those that have).
    void setMetric(ffint8::CurveMetric metric, const QString &unit = {});
    ffint8::CurveMetric metric() const;
    QString unit() const; // empty unless the plot shows a unit's separation
    void setXAxis(ffint8::CurveAxis axis);
    ffint8::CurveAxis xAxis() const;
    // One of the compared runs (std::invalid_argument naming it otherwise).
    void setBaseline(qint64 runId);
    qint64 baseline() const;

    QCustomPlot *plot() const { return m_plot; }
    SummaryBars *summaryBars() const { return m_bars; }
    ComparisonSummaryModel *summaryModel() const { return m_summaryModel; }
    ConfigDiffModel *configDiffModel() const { return m_diffModel; }
    QComboBox *metricCombo() const { return m_metric; }
    QComboBox *xAxisCombo() const { return m_xAxis; }
    QComboBox *baselineCombo() const { return m_baseline; }

signals:
    void storeError(const QString &message);

private:
    void fillMetricCombo();
    void replot();
    void updateSummary();

    ffint8::RunStore *m_store = nullptr;
    QList<qint64> m_runIds;
    QList<RunRecord> m_runs;
    QList<RunCurves> m_curves;
    QComboBox *m_metric;
    QComboBox *m_xAxis;
    QComboBox *m_baseline;
    QCustomPlot *m_plot;
    SummaryBars *m_bars;
    ComparisonSummaryModel *m_summaryModel;
    ConfigDiffModel *m_diffModel;
    QTableView *m_summaryView;
    QTableView *m_diffView;
};

} // namespace ffint8
