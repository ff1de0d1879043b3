// Config diffs, baseline deltas and per-epoch curves of stored runs (see run_comparison.h).
#include "app/compare/run_comparison.h"

#include "app/compare/run_model.h"
#include "app/spec/model_summary.h"
#include "app/store/store_error.h"
#include "app/store/unit_metrics.h"
#include "engine/train/train_config.h"

#include <QMap>
#include <cmath>
#include <stdexcept>

namespace ffint8 {

namespace {

// A ratio only where both figures are known and the baseline's is positive.
double ratio(double value, double base)
{
    return std::isfinite(value) && std::isfinite(base) && base > 0 ? value / base : NAN;
}

// The store records 0 bytes where a run reported no memory figure.
double knownBytes(qint64 bytes)
{
    return bytes > 0 ? double(bytes) : NAN;
}

} // namespace

QList<ConfigDiffRow> configDiff(const QList<RunParams> &paramsPerRun)
{
    // QMap keeps the paths sorted, so the table reads like the spec's settings list.
    QMap<QString, QList<std::optional<QString>>> byPath;
    for (qsizetype run = 0; run < paramsPerRun.size(); ++run)
        for (const auto &[path, value] : paramsPerRun[run]) {
            auto &values = byPath[path];
            values.resize(paramsPerRun.size());
            values[run] = value;
        }
    QList<ConfigDiffRow> rows;
    for (auto it = byPath.cbegin(); it != byPath.cend(); ++it) {
        const QList<std::optional<QString>> &values = it.value();
        bool differs = false;
        for (const auto &v : values)
            differs = differs || v != values.first();
        if (differs)
            rows.append({it.key(), values});
    }
    return rows;
}

QList<ConfigDiffRow> configDiff(RunStore &store, const QList<qint64> &runIds)
{
    QList<RunParams> params;
    for (const RunRecord &run : loadRuns(store, runIds)) {
        RunParams p = store.params(run.id);
        const RunModel model = runModel(run);
        p.append({QStringLiteral("model (as trained)"), model.name});
        p.append({QStringLiteral("model parameters"),
                  model.parameters >= 0 ? groupedCount(model.parameters) : QStringLiteral("unknown: %1").arg(model.error)});
        params.append(p);
    }
    return configDiff(params);
}

QList<RunRecord> loadRuns(RunStore &store, const QList<qint64> &runIds)
{
    QList<RunRecord> runs;
    for (qint64 id : runIds) {
        std::optional<RunRecord> run = store.run(id);
        if (!run)
            throw StoreError(QStringLiteral("there is no run %1 in the store").arg(id));
        runs.append(*run);
    }
    return runs;
}

QList<ComparisonRow> compareRuns(const QList<RunRecord> &runs, qint64 baselineId)
{
    const RunRecord *base = nullptr;
    for (const RunRecord &r : runs)
        if (r.id == baselineId)
            base = &r;
    if (baselineId != 0 && !base) {
        QStringList ids;
        for (const RunRecord &r : runs)
            ids << QString::number(r.id);
        throw std::invalid_argument(QStringLiteral("baseline run %1 is not one of the compared runs (%2)")
                                        .arg(baselineId)
                                        .arg(ids.join(", "))
                                        .toStdString());
    }
    QList<ComparisonRow> rows;
    for (const RunRecord &r : runs) {
        ComparisonRow row;
        row.runId = r.id;
        row.name = r.name;
        row.algorithm = r.algorithm;
        const RunModel model = runModel(r);
        row.model = model.name;
        row.parameters = model.parameters >= 0 ? double(model.parameters) : NAN;
        row.isBaseline = base && r.id == base->id;
        row.testAccuracy = r.testAccuracy;
        row.trainSeconds = r.trainSeconds;
        row.energyJoules = r.energyJoules;
        row.peakEngineBytes = knownBytes(r.peakEngineBytes);
        row.peakRssBytes = knownBytes(r.peakRssBytes);
        row.targetAccuracy = r.targetAccuracy;
        row.targetEpoch = r.targetEpoch;
        row.targetSeconds = r.targetEpoch > 0 ? r.targetSeconds : NAN;
        if (base) {
            if (std::isfinite(r.testAccuracy) && std::isfinite(base->testAccuracy))
                row.accuracyDeltaPoints = (r.testAccuracy - base->testAccuracy) * 100.0;
            row.timeRatio = ratio(r.trainSeconds, base->trainSeconds);
            // Times to different targets are not compared.
            if (r.targetEpoch > 0 && base->targetEpoch > 0 && r.targetAccuracy == base->targetAccuracy)
                row.targetTimeRatio = ratio(r.targetSeconds, base->targetSeconds);
            row.energyRatio = ratio(r.energyJoules, base->energyJoules);
            row.engineMemoryRatio = ratio(row.peakEngineBytes, knownBytes(base->peakEngineBytes));
            row.rssRatio = ratio(row.peakRssBytes, knownBytes(base->peakRssBytes));
        }
        rows.append(row);
    }
    return rows;
}

RunCurves runCurves(const RunRecord &run, const std::vector<StoredEpoch> &epochs, const QStringList &units)
{
    RunCurves c;
    c.runId = run.id;
    c.name = run.name;
    Algorithm algorithm;
    c.forwardForward = algorithmFromName(run.algorithm.toStdString(), algorithm) && isForwardForward(algorithm);
    double wall = 0.0;
    for (const StoredEpoch &stored : epochs) {
        const EpochMetrics &e = stored.metrics;
        const qsizetype index = c.epoch.size();
        wall += e.trainSeconds + e.evalSeconds;
        c.epoch.append(e.epoch + 1);
        c.wallSeconds.append(wall);
        // The engine writes -1 for "not evaluated".
        c.testAccuracy.append(e.testAccuracy >= 0.0 ? e.testAccuracy * 100.0 : NAN);
        c.trainLoss.append(e.trainLoss);
        if (!c.forwardForward)
            continue;
        while (c.separation.size() < qsizetype(e.layers.size())) {
            const qsizetype unit = c.separation.size();
            c.units.append(unit < units.size() ? units[unit] : fallbackUnitName(int(unit)));
            c.separation.append(QVector<double>(index, NAN)); // a unit first seen late: unknown before
        }
        for (qsizetype unit = 0; unit < c.separation.size(); ++unit)
            c.separation[unit].append(unit < qsizetype(e.layers.size())
                                          ? unitSeparation(e.layers[size_t(unit)])
                                          : NAN);
    }
    return c;
}

QList<RunCurves> runCurves(RunStore &store, const QList<qint64> &runIds)
{
    QList<RunCurves> list;
    for (const RunRecord &run : loadRuns(store, runIds))
        list.append(runCurves(run, store.epochs(run.id), store.units(run.id)));
    return list;
}

CurveSeries curveSeries(const RunCurves &curves, CurveMetric metric, CurveAxis axis, const QString &unit)
{
    const QVector<double> &x = axis == CurveAxis::Epoch ? curves.epoch : curves.wallSeconds;
    const QVector<double> *y = nullptr;
    switch (metric) {
    case CurveMetric::TestAccuracy:
        y = &curves.testAccuracy;
        break;
    case CurveMetric::TrainLoss:
        y = &curves.trainLoss;
        break;
    case CurveMetric::GoodnessSeparation: {
        const qsizetype index = curves.units.indexOf(unit);
        if (index < 0)
            return {};
        y = &curves.separation[index];
        break;
    }
    }
    CurveSeries s;
    for (qsizetype i = 0; i < x.size(); ++i)
        if (std::isfinite((*y)[i])) {
            s.x.append(x[i]);
            s.y.append((*y)[i]);
        }
    return s;
}

QStringList separationUnits(const QList<RunCurves> &curves)
{
    QStringList units;
    for (const RunCurves &c : curves)
        for (const QString &unit : c.units)
            if (!units.contains(unit))
                units << unit;
    return units;
}

} // namespace ffint8
