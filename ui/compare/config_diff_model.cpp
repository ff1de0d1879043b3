// The compare view's config diff table (see config_diff_model.h).
#include "ui/compare/config_diff_model.h"

namespace ffint8 {

ConfigDiffModel::ConfigDiffModel(QObject *parent) : QAbstractTableModel(parent) { }

void ConfigDiffModel::setDiff(const QStringList &runNames, const QList<ConfigDiffRow> &rows)
{
    beginResetModel();
    m_runNames = runNames;
    m_rows = rows;
    endResetModel();
}

int ConfigDiffModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ConfigDiffModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(1 + m_runNames.size());
}

QVariant ConfigDiffModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ConfigDiffRow &row = m_rows[index.row()];
    if (index.column() == 0)
        return role == Qt::DisplayRole || role == Qt::UserRole ? QVariant(row.path) : QVariant();
    const std::optional<QString> value = row.values.value(index.column() - 1);
    switch (role) {
    case Qt::DisplayRole:
    case Qt::UserRole:
        return value ? *value : QString();
    case Qt::ToolTipRole:
        // An empty cell is ambiguous: the run may lack the setting or hold an empty value.
        return value ? QVariant()
                     : QVariant(tr("%1 does not record %2").arg(m_runNames.value(index.column() - 1), row.path));
    default:
        return {};
    }
}

QVariant ConfigDiffModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (section == 0)
        return tr("Setting");
    return m_runNames.value(section - 1);
}

} // namespace ffint8
