// Formatting of the runs browser's table (see run_table_model.h).
#include "ui/browser/run_table_model.h"

#include "ui/compare/figure_format.h"

#include <QDateTime>
#include <cmath>

namespace ffint8 {

RunTableModel::RunTableModel(QObject *parent) : QAbstractTableModel(parent) { }

void RunTableModel::setRuns(const QList<RunRecord> &runs, const QList<QStringList> &tags)
{
    beginResetModel();
    m_runs = runs;
    m_tags = tags;
    m_tags.resize(m_runs.size());
    endResetModel();
}

qint64 RunTableModel::runId(int row) const
{
    return row >= 0 && row < m_runs.size() ? m_runs[row].id : 0;
}

QStringList RunTableModel::tags(int row) const
{
    return row >= 0 && row < m_tags.size() ? m_tags[row] : QStringList();
}

int RunTableModel::rowOfRun(qint64 runId) const
{
    for (int row = 0; row < m_runs.size(); ++row)
        if (m_runs[row].id == runId)
            return row;
    return -1;
}

int RunTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_runs.size());
}

int RunTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RunRecord &run = m_runs[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        return display(run, index.row(), index.column());
    case Qt::UserRole:
        return raw(run, index.row(), index.column());
    case Qt::ToolTipRole:
        // Why a run failed is the one thing a row cannot show in its cells.
        if (!run.message.isEmpty() && run.status != QLatin1String("completed"))
            return QStringLiteral("%1: %2").arg(run.status, run.message);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == IdColumn || (index.column() >= EpochsColumn && index.column() <= PeakEngineMemoryColumn))
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

QVariant RunTableModel::display(const RunRecord &run, int row, int column) const
{
    switch (column) {
    case IdColumn:
        return QString::number(run.id);
    case NameColumn:
        return run.name;
    case SuiteColumn:
        return run.suite;
    case BoardColumn:
        return run.board;
    case StatusColumn:
        return run.status;
    case AlgorithmColumn:
        return run.algorithm;
    case DatasetColumn:
        return run.dataset;
    case BackendColumn:
        return run.backend;
    case StartedColumn: {
        const QDateTime started = QDateTime::fromString(run.startedAt, Qt::ISODateWithMs);
        return started.isValid() ? started.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")) : run.startedAt;
    }
    case EpochsColumn:
        return QString::number(run.epochsDone);
    case TestAccuracyColumn:
        return formatPercent(run.testAccuracy);
    case TrainTimeColumn:
        return formatSeconds(run.trainSeconds);
    case EnergyColumn:
        return formatJoules(run.energyJoules);
    case PeakEngineMemoryColumn:
        return formatBytes(run.peakEngineBytes);
    case TagsColumn:
        return m_tags[row].join(QStringLiteral(", "));
    default:
        return {};
    }
}

QVariant RunTableModel::raw(const RunRecord &run, int row, int column) const
{
    // Unknown figures sort as the lowest value instead of as NaN, which QVariant cannot order.
    auto number = [](double v) { return std::isfinite(v) ? QVariant(v) : QVariant(-1.0); };
    switch (column) {
    case IdColumn:
        return run.id;
    case NameColumn:
        return run.name;
    case SuiteColumn:
        return run.suite;
    case BoardColumn:
        return run.board;
    case StatusColumn:
        return run.status;
    case AlgorithmColumn:
        return run.algorithm;
    case DatasetColumn:
        return run.dataset;
    case BackendColumn:
        return run.backend;
    case StartedColumn:
        return run.startedAt; // ISO 8601 in UTC sorts as text
    case EpochsColumn:
        return run.epochsDone;
    case TestAccuracyColumn:
        return number(run.testAccuracy);
    case TrainTimeColumn:
        return number(run.trainSeconds);
    case EnergyColumn:
        return number(run.energyJoules);
    case PeakEngineMemoryColumn:
        return run.peakEngineBytes;
    case TagsColumn:
        return m_tags[row].join(QStringLiteral(", "));
    default:
        return {};
    }
}

QVariant RunTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case IdColumn:
        return tr("Id");
    case NameColumn:
        return tr("Name");
    case SuiteColumn:
        return tr("Suite");
    case BoardColumn:
        return tr("Board");
    case StatusColumn:
        return tr("Status");
    case AlgorithmColumn:
        return tr("Algorithm");
    case DatasetColumn:
        return tr("Dataset");
    case BackendColumn:
        return tr("Backend");
    case StartedColumn:
        return tr("Started");
    case EpochsColumn:
        return tr("Epochs");
    case TestAccuracyColumn:
        return tr("Test accuracy (%)");
    case TrainTimeColumn:
        return tr("Train time");
    case EnergyColumn:
        return tr("Energy");
    case PeakEngineMemoryColumn:
        return tr("Peak engine memory");
    case TagsColumn:
        return tr("Tags");
    default:
        return {};
    }
}

} // namespace ffint8
