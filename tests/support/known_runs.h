// The runs the workbench's GUI tests write into a real store (their settings, epochs and figures),
// and the expectations those tests compute from them: shared by tst_gui_models and tst_gui_compare.
#pragma once

#include "app/spec/experiment_spec.h"
#include "app/spec/settings_table.h"
#include "app/store/run_store.h"

#include <QAbstractItemModel>
#include <QStringList>

#include <cmath>

namespace ffint8::testing {

// One run as the tests write it; their expectations are computed from these inputs.
struct KnownEpoch
{
    double accuracy; // fraction; -1 for "not evaluated"
    double loss;
    double trainSeconds;
    double evalSeconds;
    std::vector<std::pair<double, double>> goodness; // (positive, negative) per layer; empty for BP
};

struct KnownRun
{
    QString name, status, algorithm, dataset, startedAt, message;
    QList<QPair<QString, QString>> params;
    QStringList tags;
    std::vector<KnownEpoch> epochs;
    double energyJoules; // NaN: no power source
    qint64 engineBytes, rssBytes;
    QStringList units = {}; // the names the run gives its units; none: their fallback names
};

constexpr qint64 kMiB = 1024 * 1024;

inline const QList<KnownRun> &knownRuns()
{
    static const QList<KnownRun> runs = {
        {"bp baseline",
         "completed",
         "bp-fp32",
         "fashion-mnist",
         "2026-11-20T10:00:00.000Z",
         "",
         {{"model.layers", "784,100,10"},
          {"training.batch", "32"},
          {"training.lr", "0.001"},
          {"training.optimizer", "adam"}},
         {"paper"},
         {{0.80, 0.50, 10.0, 1.0, {}}, {0.85, 0.40, 11.0, 1.5, {}}, {0.88, 0.30, 12.0, 1.0, {}}},
         330.0,
         20 * kMiB,
         300 * kMiB,
         {"fc1", "head"}},
        {"ff int8 look-ahead",
         "completed",
         "ff-int8",
         "fashion-mnist",
         "2026-11-22T09:30:00.000Z",
         "",
         {{"ff.lookahead.enabled", "on"},
          {"model.layers", "784,100,10"},
          {"training.batch", "32"},
          {"training.lr", "0.03"},
          {"training.optimizer", "adam"}},
         {"int8", "paper"},
         {{0.70, 2.0, 5.0, 0.5, {{4.0, 1.0}, {3.0, 2.5}}},
          {0.78, 1.6, 5.5, 0.5, {{5.0, 1.0}, {3.5, 2.0}}},
          {0.82, 1.3, 5.0, 0.6, {{6.0, 0.5}, {4.0, 1.5}}},
          {0.86, 1.1, 4.5, 0.5, {{6.5, 0.5}, {4.5, 1.0}}}},
         NAN,
         8 * kMiB,
         250 * kMiB,
         {"fc1", "fc2"}},
        {"ff fp32 diverged",
         "failed",
         "ff-fp32",
         "mnist",
         "2026-11-24T18:00:00.000Z",
         "loss became NaN in epoch 2",
         {{"model.layers", "784,100,10"},
          {"training.batch", "64"},
          {"training.lr", "0.3"},
          {"training.optimizer", "adam"}},
         {},
         {{0.095, 9.0, 3.0, 0.2, {{1.0, 1.0}, {0.5, 0.6}}}},
         NAN,
         0,
         0},
    };
    return runs;
}

inline EpochMetrics epochMetrics(const KnownEpoch &k, int epoch, int bpLayers)
{
    EpochMetrics e;
    e.epoch = epoch;
    e.trainLoss = k.loss;
    e.trainSeconds = k.trainSeconds;
    e.evalSeconds = k.evalSeconds;
    e.testAccuracy = k.accuracy;
    for (const auto &[pos, neg] : k.goodness) {
        LayerMetrics l;
        l.goodnessPos = pos;
        l.goodnessNeg = neg;
        l.loss = 0.1;
        e.layers.push_back(l);
    }
    for (int i = 0; k.goodness.empty() && i < bpLayers; ++i) {
        LayerMetrics l;
        l.gradNorm = 0.5 + i;
        e.layers.push_back(l);
    }
    return e;
}

inline qint64 addRun(RunStore &store, const KnownRun &k)
{
    RunRecord r;
    r.name = k.name;
    r.specJson = "{}";
    r.algorithm = k.algorithm;
    r.dataset = k.dataset;
    r.backend = "reference";
    r.startedAt = k.startedAt;
    const qint64 id = store.createRun(r);
    store.setParams(id, k.params);
    store.setUnits(id, k.units);
    double trainSeconds = 0.0;
    for (size_t i = 0; i < k.epochs.size(); ++i) {
        store.addEpoch(id, epochMetrics(k.epochs[i], int(i), 2));
        trainSeconds += k.epochs[i].trainSeconds;
    }
    for (const QString &tag : k.tags)
        store.addTag(id, tag);
    RunResult result;
    result.status = k.status;
    result.message = k.message;
    result.epochsDone = int(k.epochs.size());
    result.testAccuracy = k.epochs.back().accuracy;
    result.trainSeconds = trainSeconds;
    result.totalSeconds = trainSeconds + 5.0;
    result.energyJoules = k.energyJoules;
    result.peakEngineBytes = k.engineBytes;
    result.peakRssBytes = k.rssBytes;
    store.finishRun(id, result);
    return id;
}

inline double knownTrainSeconds(const KnownRun &k)
{
    double s = 0.0;
    for (const KnownEpoch &e : k.epochs)
        s += e.trainSeconds;
    return s;
}

inline QStringList columnTexts(const QAbstractItemModel &model, int column)
{
    QStringList texts;
    for (int row = 0; row < model.rowCount(); ++row)
        texts << model.index(row, column).data().toString();
    return texts;
}

} // namespace ffint8::testing
