// The runs browser's table: one row per stored run, formatted for reading, raw values for sorting.
#pragma once

#include "app/store/run_store.h"

#include <QAbstractTableModel>
#include <QList>
#include <QStringList>

namespace ffint8 {

class RunTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        IdColumn,
        NameColumn,
        SuiteColumn,
        BoardColumn,
        StatusColumn,
        AlgorithmColumn,
        DatasetColumn,
        BackendColumn,
        StartedColumn,
        EpochsColumn,
        TestAccuracyColumn,
        TrainTimeColumn,
        EnergyColumn,
        PeakEngineMemoryColumn,
        TagsColumn,
        ColumnCount
    };

    explicit RunTableModel(QObject *parent = nullptr);

    // `tags` holds each run's tags, in the runs' order (missing entries mean no tags).
    void setRuns(const QList<RunRecord> &runs, const QList<QStringList> &tags = {});
    const QList<RunRecord> &runs() const { return m_runs; }
    qint64 runId(int row) const;
    QStringList tags(int row) const;
    int rowOfRun(qint64 runId) const; // -1 where the run is not shown

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant display(const RunRecord &run, int row, int column) const;
    QVariant raw(const RunRecord &run, int row, int column) const;

    QList<RunRecord> m_runs;
    QList<QStringList> m_tags;
};

} // namespace ffint8
