// The compare view's config diff: only the settings whose values differ, one column per run.
#pragma once

#include "app/compare/run_comparison.h"

#include <QAbstractTableModel>
#include <QStringList>

namespace ffint8 {

class ConfigDiffModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    explicit ConfigDiffModel(QObject *parent = nullptr);

    // `runNames` heads the value columns, one per run, in the order of each row's values.
    void setDiff(const QStringList &runNames, const QList<ConfigDiffRow> &rows);
    const QList<ConfigDiffRow> &rows() const { return m_rows; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    // Column 0: the setting's path; then each run's value, empty where the run lacks the setting.
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QStringList m_runNames;
    QList<ConfigDiffRow> m_rows;
};

} // namespace ffint8
