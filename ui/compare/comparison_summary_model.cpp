// The compare view's summary table (see comparison_summary_model.h).
#include "ui/compare/comparison_summary_model.h"

#include "app/spec/model_summary.h"
#include "ui/compare/figure_format.h"

#include <QFont>
#include <cmath>

namespace ffint8 {

namespace {

double rawValue(const ComparisonRow &r, int column)
{
    switch (column) {
    case ComparisonSummaryModel::ParametersColumn:
        return r.parameters;
    case ComparisonSummaryModel::TestAccuracyColumn:
        return r.testAccuracy;
    case ComparisonSummaryModel::AccuracyDeltaColumn:
        return r.accuracyDeltaPoints;
    case ComparisonSummaryModel::TrainTimeColumn:
        return r.trainSeconds;
    case ComparisonSummaryModel::TimeRatioColumn:
        return r.timeRatio;
    case ComparisonSummaryModel::TimeToTargetColumn:
        return r.targetSeconds;
    case ComparisonSummaryModel::TargetTimeRatioColumn:
        return r.targetTimeRatio;
    case ComparisonSummaryModel::EnergyColumn:
        return r.energyJoules;
    case ComparisonSummaryModel::EnergyRatioColumn:
        return r.energyRatio;
    case ComparisonSummaryModel::PeakEngineMemoryColumn:
        return r.peakEngineBytes;
    case ComparisonSummaryModel::EngineMemoryRatioColumn:
        return r.engineMemoryRatio;
    case ComparisonSummaryModel::PeakRssColumn:
        return r.peakRssBytes;
    case ComparisonSummaryModel::RssRatioColumn:
        return r.rssRatio;
    default:
        return NAN;
    }
}

QString bytesText(double bytes)
{
    return std::isfinite(bytes) ? formatBytes(qint64(bytes)) : QString();
}

} // namespace

ComparisonSummaryModel::ComparisonSummaryModel(QObject *parent) : QAbstractTableModel(parent) { }

void ComparisonSummaryModel::setRows(const QList<ComparisonRow> &rows)
{
    beginResetModel();
    m_rows = rows;
    endResetModel();
}

int ComparisonSummaryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ComparisonSummaryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ComparisonSummaryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ComparisonRow &r = m_rows[index.row()];
    const int column = index.column();
    if (role == Qt::DisplayRole) {
        switch (column) {
        case RunColumn:
            return QStringLiteral("#%1 %2").arg(r.runId).arg(r.name);
        case AlgorithmColumn:
            return r.algorithm;
        case ModelColumn:
            return r.model;
        case ParametersColumn:
            return std::isfinite(r.parameters) ? groupedCount(qint64(r.parameters)) : QString();
        case TestAccuracyColumn:
            return formatPercent(r.testAccuracy);
        case AccuracyDeltaColumn:
            return formatDeltaPoints(r.accuracyDeltaPoints);
        case TrainTimeColumn:
            return formatSeconds(r.trainSeconds);
        case TimeToTargetColumn:
            if (std::isnan(r.targetAccuracy))
                return QString();
            return r.targetEpoch > 0 ? tr("%1 (epoch %2)").arg(formatSeconds(r.targetSeconds)).arg(r.targetEpoch)
                                     : tr("not reached");
        case EnergyColumn:
            return formatJoules(r.energyJoules);
        case PeakEngineMemoryColumn:
            return bytesText(r.peakEngineBytes);
        case PeakRssColumn:
            return bytesText(r.peakRssBytes);
        case TimeRatioColumn:
        case TargetTimeRatioColumn:
        case EnergyRatioColumn:
        case EngineMemoryRatioColumn:
        case RssRatioColumn:
            return formatRatio(rawValue(r, column));
        default:
            return {};
        }
    }
    if (role == Qt::UserRole) {
        if (column == RunColumn)
            return r.runId;
        if (column == AlgorithmColumn)
            return r.algorithm;
        if (column == ModelColumn)
            return r.model;
        const double v = rawValue(r, column);
        return std::isfinite(v) ? QVariant(v) : QVariant();
    }
    if (role == Qt::FontRole && r.isBaseline) {
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    if (role == Qt::TextAlignmentRole && (column >= TestAccuracyColumn || column == ParametersColumn))
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && column == TimeToTargetColumn && !std::isnan(r.targetAccuracy))
        return tr("Training time until the end of the first epoch with a test accuracy of at least %1")
            .arg(formatPercent(r.targetAccuracy) + QStringLiteral(" %"));
    if (role == Qt::ToolTipRole && r.isBaseline)
        return tr("The baseline: deltas and ratios are against this run");
    return {};
}

QVariant ComparisonSummaryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case RunColumn:
        return tr("Run");
    case AlgorithmColumn:
        return tr("Algorithm");
    case ModelColumn:
        return tr("Model");
    case ParametersColumn:
        return tr("Parameters");
    case TestAccuracyColumn:
        return tr("Test accuracy (%)");
    case AccuracyDeltaColumn:
        return tr("\u0394 accuracy");
    case TrainTimeColumn:
        return tr("Train time");
    case TimeRatioColumn:
        return tr("Time ratio");
    case TimeToTargetColumn:
        return tr("Time to target");
    case TargetTimeRatioColumn:
        return tr("Time-to-target ratio");
    case EnergyColumn:
        return tr("Energy");
    case EnergyRatioColumn:
        return tr("Energy ratio");
    case PeakEngineMemoryColumn:
        return tr("Peak engine memory");
    case EngineMemoryRatioColumn:
        return tr("Engine memory ratio");
    case PeakRssColumn:
        return tr("Peak RSS");
    case RssRatioColumn:
        return tr("RSS ratio");
    default:
        return {};
    }
}

} // namespace ffint8
