// Experiment specs: a versioned JSON file that sets any of the run settings (settings_table.h).
// Format "ffint8-experiment", version 1; documented in experiments/README.md.
#pragma once

#include "engine/train/train_config.h"

#include <QJsonObject>
#include <QString>

#include <functional>

namespace ffint8 {

constexpr int kSpecVersion = 1;

struct ExperimentSpec
{
    QString name;
    QString description;
    QString sourcePath; // the file it came from, or empty
    TrainConfig config;
    // Whether training.lr was set (in the spec, a suite, a flag or the launcher); until it is, the
    // learning rate follows the algorithm's default (defaultLearningRate), so `--algo bp-fp32` alone
    // trains BP at BP's rate instead of FF's.
    bool learningRateGiven = false;
    // Where board power comes from while it trains ("telemetry": {"source", "interval_ms"}); the
    // command line's --telemetry and --telemetry-interval override these.
    QString telemetrySource = QStringLiteral("auto");
    int telemetryIntervalMs = 200;
    // Where its runs are recorded ("store": a file path or postgresql://USER@HOST:PORT/DBNAME; a
    // suite's "store" sets it for every run); the command line's --db overrides it. Empty: the
    // default store.
    QString store;
};

// Reads a spec over the defaults of TrainConfig. Throws SpecError "FILE:LINE:COLUMN: message"
// naming the field and the valid keys or values.
ExperimentSpec parseSpecFile(const QString &path);
ExperimentSpec parseSpecText(const QByteArray &text, const QString &displayName);
// A spec's or suite's "store" value: a non-empty text that StoreAddress reads; `fail` (which must
// throw) is told why not.
QString storeOf(const QJsonValue &value, const std::function<void(const QString &why)> &fail);

struct Setting;
// Applies one setting's text (a flag's or a field's value) to the spec and settles the learning rate:
// throws SpecError with the setter's reason. Every layer that sets settings goes through here.
void applySetting(ExperimentSpec &spec, const Setting &setting, const QString &text);
// Sets the learning rate to the algorithm's default unless one was given.
void settleLearningRate(ExperimentSpec &spec);

// Applies one JSON value to the setting at `settingPath` ("training.lr") with the checks of a spec
// file; errors are located at `jsonPath` of `text` (suites use this for their overrides and sweeps).
void applySpecValue(ExperimentSpec &spec, const QString &settingPath, const QJsonValue &value, const QByteArray &text,
                    const QString &displayName, const QString &jsonPath);

// The spec of a configuration, every setting written out (what a run records).
QJsonObject specToJson(const ExperimentSpec &spec);

} // namespace ffint8
