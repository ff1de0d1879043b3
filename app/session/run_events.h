// The JSON events of a run (one object per line with --json): a contract that scripts, the store
// and the GUI rely on. Field names are documented in README.md.
#pragma once

#include "app/spec/experiment_spec.h"
#include "engine/data/dataset.h"
#include "engine/train/metrics.h"
#include "engine/train/trainer.h"

#include <QJsonObject>

namespace ffint8 {

QJsonObject startEvent(const ExperimentSpec &spec, Trainer &trainer, const DatasetSplits &data);
QJsonObject progressEvent(const ProgressMetrics &p);
QJsonObject epochEvent(const EpochMetrics &e);
// The first epoch whose test accuracy reached the target (e.reachedTarget): its number, the target
// and the accuracy as fractions, and the run's training seconds up to its end.
QJsonObject targetReachedEvent(const TrainConfig &config, const EpochMetrics &e);
QJsonObject summaryEvent(const TrainConfig &config, const RunSummary &s);
QJsonObject memoryObject(const MemorySnapshot &m);

class TelemetryRecorder;
// Adds energy_j, mean_power_w, power_samples and energy_span_s over [from, to] to an event, where
// the recorder has a power source.
void addEnergy(QJsonObject &event, const TelemetryRecorder &telemetry, double from, double to);
QJsonObject telemetryObject(const TelemetryRecorder &telemetry);

// Writes one compact JSON line to stdout and flushes it.
void printEvent(const QJsonObject &event);

} // namespace ffint8
