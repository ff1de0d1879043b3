// The compare view's summary table: each run's final figures beside its delta to the baseline run.
#pragma once

#include "app/compare/run_comparison.h"

#include <QAbstractTableModel>

namespace ffint8 {

class ComparisonSummaryModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        RunColumn,
        AlgorithmColumn,
        ModelColumn, // runs of different models side by side: which each trained
        ParametersColumn,
        TestAccuracyColumn,
        AccuracyDeltaColumn,
        TrainTimeColumn,
        TimeRatioColumn,
        TimeToTargetColumn, // "0:42 (epoch 3)", "not reached", or blank without a target
        TargetTimeRatioColumn,
        EnergyColumn,
        EnergyRatioColumn,
        PeakEngineMemoryColumn,
        EngineMemoryRatioColumn,
        PeakRssColumn,
        RssRatioColumn,
        ColumnCount
    };

    explicit ComparisonSummaryModel(QObject *parent = nullptr);

    void setRows(const QList<ComparisonRow> &rows);
    const QList<ComparisonRow> &rows() const { return m_rows; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    // DisplayRole: formatted, empty where unknown; Qt::UserRole: the number (accuracy as a fraction,
    // memory in bytes), or an invalid QVariant where unknown.
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<ComparisonRow> m_rows;
};

} // namespace ffint8
