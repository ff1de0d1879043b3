// JSON events of a run.
#include "app/session/run_events.h"

#include "app/system/process_memory.h"
#include "app/telemetry/telemetry_recorder.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>
#include <cstdio>

namespace ffint8 {

namespace {

QJsonArray layerArray(const std::vector<LayerMetrics> &layers)
{
    // Only the figures a trainer has: FF layers carry g_pos, g_neg and loss; BP layers grad_norm,
    // deviation (INT8) and, at the head, loss.
    QJsonArray a;
    for (const auto &l : layers) {
        QJsonObject o;
        auto put = [&o](const char *key, double v) {
            if (!std::isnan(v))
                o[key] = v;
        };
        put("g_pos", l.goodnessPos);
        put("g_neg", l.goodnessNeg);
        put("loss", l.loss);
        put("grad_norm", l.gradNorm);
        put("deviation", l.deviation);
        a.append(o);
    }
    return a;
}

QJsonValue fraction(double v) { return v < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(v); }

} // namespace

QJsonObject memoryObject(const MemorySnapshot &m)
{
    QJsonObject peak, current;
    for (size_t i = 0; i < size_t(MemoryCategory::Count); ++i) {
        peak[memoryCategoryName(MemoryCategory(i))] = qint64(m.peak[i]);
        current[memoryCategoryName(MemoryCategory(i))] = qint64(m.current[i]);
    }
    return QJsonObject{{"total_bytes", qint64(m.total)}, {"peak_total_bytes", qint64(m.peakTotal)},
                       {"current", current}, {"peak", peak}};
}

QJsonObject startEvent(const ExperimentSpec &spec, Trainer &trainer, const DatasetSplits &data)
{
    QJsonArray quantisers;
    for (const auto &q : trainer.quantisers())
        quantisers.append(QJsonObject{{"tensor", QString::fromStdString(q.tensor)},
                                      {"scheme", QString::fromStdString(q.scheme)},
                                      {"granularity", QString::fromStdString(q.granularity)},
                                      {"rounding", QString::fromStdString(q.rounding)},
                                      {"codes", QString::fromStdString(q.codes)}});
    // The names of the units whose figures every progress and epoch event's `layers` list, in order.
    QJsonArray units;
    for (const std::string &name : trainer.unitNames())
        units.append(QString::fromStdString(name));
    const TrainConfig &c = trainer.config();
    return QJsonObject{{"event", "start"},
                       {"algo", algorithmName(c.algorithm)},
                       {"backend", QString::fromStdString(trainer.backend().name())},
                       {"backend_description", QString::fromStdString(trainer.backend().description())},
                       {"dataset", QString::fromStdString(data.train.name)},
                       {"dataset_dir", QString::fromStdString(data.sourceDir)},
                       {"train_examples", data.train.count},
                       {"validation_examples", data.validation.count},
                       {"test_examples", data.test.count},
                       {"quantisers", quantisers},
                       {"units", units},
                       {"spec", specToJson(spec)}};
}

QJsonObject progressEvent(const ProgressMetrics &p)
{
    return QJsonObject{{"event", "progress"},           {"epoch", p.epoch + 1},
                       {"batch", p.batch},              {"batches", p.batchesPerEpoch},
                       {"train_loss", p.trainLoss},     {"samples_per_s", p.samplesPerSecond},
                       {"elapsed_s", p.elapsedSeconds}, {"layers", layerArray(p.layers)}};
}

QJsonObject epochEvent(const EpochMetrics &e)
{
    return QJsonObject{{"event", "epoch"},
                       {"epoch", e.epoch + 1},
                       {"train_loss", e.trainLoss},
                       {"test_acc", fraction(e.testAccuracy)},
                       {"val_acc", fraction(e.validationAccuracy)},
                       {"seconds", e.trainSeconds},
                       {"eval_seconds", e.evalSeconds},
                       {"samples_per_s", e.samplesPerSecond},
                       {"lambda", double(e.lambda)},
                       {"lr", double(e.learningRate)},
                       {"peak_engine_bytes", qint64(e.memory.peakTotal)},
                       {"rss_bytes", qint64(readProcessMemory().rssBytes)},
                       {"layers", layerArray(e.layers)}};
}

QJsonObject targetReachedEvent(const TrainConfig &config, const EpochMetrics &e)
{
    return QJsonObject{{"event", "target_reached"},
                       {"algo", algorithmName(config.algorithm)},
                       {"epoch", e.epoch + 1},
                       {"target_acc", config.targetAccuracy / 100.0},
                       {"test_acc", fraction(e.testAccuracy)},
                       {"seconds_train", e.runTrainSeconds}};
}

QJsonObject summaryEvent(const TrainConfig &config, const RunSummary &s)
{
    QJsonObject event{{"event", "summary"},
                      {"status", runStatusName(s.status)},
                      {"message", QString::fromStdString(s.message)},
                      {"algo", algorithmName(config.algorithm)},
                      {"test_acc", fraction(s.testAccuracy)},
                      {"val_acc", fraction(s.validationAccuracy)},
                      {"epochs", s.epochsCompleted},
                      {"seconds_train", s.trainSeconds},
                      {"seconds_total", s.totalSeconds},
                      {"peak_engine_bytes", qint64(s.memory.peakTotal)},
                      {"peak_rss_bytes", qint64(readProcessMemory().peakRssBytes)},
                      {"memory", memoryObject(s.memory)}};
    // With a target: where it was reached, null for a run that never did.
    if (config.targetAccuracy > 0) {
        event["target_acc"] = config.targetAccuracy / 100.0;
        event["target_epoch"] = s.targetEpoch > 0 ? QJsonValue(s.targetEpoch) : QJsonValue(QJsonValue::Null);
        event["target_seconds"] = s.targetEpoch > 0 ? QJsonValue(s.targetSeconds) : QJsonValue(QJsonValue::Null);
    }
    return event;
}

void addEnergy(QJsonObject &event, const TelemetryRecorder &telemetry, double from, double to)
{
    if (!telemetry.active())
        return;
    const EnergySummary e = telemetry.log().energyBetween(from, to);
    if (e.samples == 0 && telemetry.log().size() == 0)
        return; // the source gave nothing yet: no figure rather than an invented one
    event["energy_j"] = e.joules;
    event["mean_power_w"] = e.meanWatts;
    event["power_samples"] = e.samples;
    event["energy_span_s"] = e.spanSeconds;
}

QJsonObject telemetryObject(const TelemetryRecorder &telemetry)
{
    QJsonObject o{{"source", telemetry.choice().source}, {"reason", telemetry.choice().reason}};
    if (telemetry.active())
        o["interval_ms"] = telemetry.choice().intervalMs;
    return o;
}

void printEvent(const QJsonObject &event)
{
    QByteArray line = QJsonDocument(event).toJson(QJsonDocument::Compact);
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

} // namespace ffint8
