// Comparing stored runs: which settings differ, how the results stand against a baseline run, and
// the per-epoch curves to overlay. Plain data in, plain data out, so the workbench's compare view
// only lays these out.
#pragma once

#include "app/store/run_store.h"

#include <QList>
#include <QPair>
#include <QString>
#include <QVector>
#include <optional>

namespace ffint8 {

// One setting whose values are not all equal across the compared runs.
struct ConfigDiffRow
{
    QString path; // the spec path, e.g. "training.lr"
    QList<std::optional<QString>> values; // one per run, in the runs' order; nullopt where a run lacks it
};

using RunParams = QList<QPair<QString, QString>>;

// The settings (sorted by path) whose values differ between the runs; a setting missing from a run
// differs from every value, the empty one included.
QList<ConfigDiffRow> configDiff(const QList<RunParams> &paramsPerRun);
// From the store, each run's recorded settings and, derived from its spec, "model (as trained)"
// and "model parameters" (run_model.h): runs of different models differ there even where
// model.preset does not say it (an MLP's widths, two described models of one name).
QList<ConfigDiffRow> configDiff(RunStore &store, const QList<qint64> &runIds);

// A run's final figures and their deltas to the baseline run. NaN means unknown: never a made-up zero.
struct ComparisonRow
{
    qint64 runId = 0;
    QString name;
    QString algorithm;
    QString model; // runModel(): "mobilenet-v2", "mlp 784-1000-1000", ...
    double parameters = NAN; // the model's, where its spec can be planned
    bool isBaseline = false;
    double testAccuracy = NAN; // fraction
    double trainSeconds = NAN;
    double energyJoules = NAN;
    double peakEngineBytes = NAN;
    double peakRssBytes = NAN;
    // The run's target test accuracy (fraction; NaN: none), the first epoch that reached it (0: not
    // reached) and the training seconds up to that epoch's end.
    double targetAccuracy = NAN;
    int targetEpoch = 0;
    double targetSeconds = NAN;
    double accuracyDeltaPoints = NAN; // (accuracy - baseline's) * 100
    double timeRatio = NAN; // value / baseline's value
    double targetTimeRatio = NAN; // time to the target / the baseline's, where both reached one
    double energyRatio = NAN;
    double engineMemoryRatio = NAN;
    double rssRatio = NAN;
};

// One row per run, in the order given. `baselineId` 0 leaves every delta unknown; any other id must be
// one of the runs (std::invalid_argument naming it otherwise).
QList<ComparisonRow> compareRuns(const QList<RunRecord> &runs, qint64 baselineId);

// The runs of those ids, in that order; StoreError naming the first id with no run.
QList<RunRecord> loadRuns(RunStore &store, const QList<qint64> &runIds);

enum class CurveMetric { TestAccuracy, TrainLoss, GoodnessSeparation };
enum class CurveAxis { Epoch, WallSeconds };

// Every per-epoch series of one run, one entry per stored epoch.
struct RunCurves
{
    qint64 runId = 0;
    QString name;
    bool forwardForward = false;
    QVector<double> epoch; // 1-based
    QVector<double> wallSeconds; // since the run started: the epochs' train + eval seconds so far
    QVector<double> testAccuracy; // percent; NaN where the epoch was not evaluated
    QVector<double> trainLoss;
    // FF runs only: per unit, goodness of positive minus negative data by epoch; units[i] names
    // separation[i]. Runs are compared unit by unit by name, so runs of different networks line up
    // where their units are called alike.
    QStringList units;
    QList<QVector<double>> separation; // [unit][epoch]
};

// `units` names the units of the epochs' `layers` (RunStore::units); units beyond them get their
// fallback names.
RunCurves runCurves(const RunRecord &run, const std::vector<StoredEpoch> &epochs, const QStringList &units = {});
QList<RunCurves> runCurves(RunStore &store, const QList<qint64> &runIds);

struct CurveSeries
{
    QVector<double> x;
    QVector<double> y;
};

// The points of one metric against one axis; epochs without a value for it are left out. `unit` (a
// unit's name) is for GoodnessSeparation; a run without that unit (a BP run) gives an empty series.
CurveSeries curveSeries(const RunCurves &curves, CurveMetric metric, CurveAxis axis, const QString &unit = {});
// Every unit any of the runs has separation figures for, by name, in the order they are first met.
QStringList separationUnits(const QList<RunCurves> &curves);

} // namespace ffint8
