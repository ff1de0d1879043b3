// Experiment specs: a versioned JSON file that sets any of the run settings (settings_table.h).
// Format "ffint8-experiment", version 1; documented in experiments/README.md.
#pragma once

#include "engine/train/train_config.h"

#include <QJsonObject>
#include <QString>

namespace ffint8 {

constexpr int kSpecVersion = 1;

struct ExperimentSpec
{
    QString name;
    QString description;
    QString sourcePath; // the file it came from, or empty
    TrainConfig config;
    // Where board power comes from while it trains ("telemetry": {"source", "interval_ms"}); the
    // command line's --telemetry and --telemetry-interval override these.
    QString telemetrySource = QStringLiteral("auto");
    int telemetryIntervalMs = 200;
};

// Reads a spec over the defaults of TrainConfig. Throws SpecError "FILE:LINE:COLUMN: message"
// naming the field and the valid keys or values.
ExperimentSpec parseSpecFile(const QString &path);
ExperimentSpec parseSpecText(const QByteArray &text, const QString &displayName);

// Applies one JSON value to the setting at `settingPath` ("training.lr") with the checks of a spec
// file; errors are located at `jsonPath` of `text` (suites use this for their overrides and sweeps).
void applySpecValue(TrainConfig &config, const QString &settingPath, const QJsonValue &value, const QByteArray &text,
                    const QString &displayName, const QString &jsonPath);

// The spec of a configuration, every setting written out (what a run records).
QJsonObject specToJson(const ExperimentSpec &spec);

} // namespace ffint8
