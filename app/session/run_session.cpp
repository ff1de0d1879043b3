// A run from spec to store.
#include "app/session/run_session.h"

#include "app/session/prepared_run.h"
#include "app/session/run_events.h"
#include "app/spec/settings_table.h"
#include "app/spec/spec_error.h"
#include "app/store/run_writer.h"
#include "app/store/store_error.h"
#include "app/system/process_memory.h"
#include "app/system/writable_path.h"
#include "app/telemetry/telemetry_recorder.h"
#include "engine/io/graph_model_file.h"
#include "engine/io/model_file.h"
#include "engine/train/graph_trainer.h"
#include "engine/train/training_run.h"

#include <QFile>
#include <QJsonDocument>
#include <QSqlDatabase>

#include <chrono>
#include <cmath>
#include <optional>

namespace ffint8 {

namespace {

// An epoch's record is committed before the epoch is reported, so that a run killed at any moment
// keeps every epoch it reported. Bounded, so that a database locked elsewhere costs the training at
// most this per epoch (the writer keeps the rows and retries).
constexpr int kEpochFlushMs = 1000;

QList<QPair<QString, QString>> paramsOf(const TrainConfig &config)
{
    QList<QPair<QString, QString>> params;
    for (const Setting &s : settingsTable())
        params.append({s.path, s.get(config)});
    return params;
}

QString versionsOf(const Backend &backend)
{
    const QJsonObject versions{{"ffint8", QStringLiteral(FFINT8_VERSION)},
                               {"qt", QString::fromLatin1(qVersion())},
                               {"backend", QString::fromStdString(backend.description())}};
    return QString::fromUtf8(QJsonDocument(versions).toJson(QJsonDocument::Compact));
}

// What is known of a run before it is prepared; the dataset and backend as asked for.
RunRecord recordOf(const SessionOptions &options)
{
    const TrainConfig &config = options.spec.config;
    RunRecord record;
    record.name = options.spec.name;
    record.specJson = QString::fromUtf8(QJsonDocument(specToJson(options.spec)).toJson(QJsonDocument::Compact));
    record.algorithm = algorithmName(config.algorithm);
    record.dataset = QString::fromStdString(config.dataset);
    record.backend = QString::fromStdString(config.backend);
    record.suite = options.suite;
    record.board = options.board;
    record.seed = config.seed;
    record.targetAccuracy = config.targetAccuracy > 0 ? config.targetAccuracy / 100.0 : NAN;
    return record;
}

} // namespace

RunSession::RunSession(SessionOptions options, QObject *parent) : QObject(parent), m_options(std::move(options))
{
    qRegisterMetaType<ffint8::ProgressMetrics>();
    qRegisterMetaType<ffint8::EpochMetrics>();
    qRegisterMetaType<ffint8::RunSummary>();
    qRegisterMetaType<std::vector<ffint8::PowerPoint>>();
}

RunSession::~RunSession()
{
    stop();
    wait();
}

void RunSession::start()
{
    m_running.store(true);
    m_thread = std::thread([this] { execute(); });
}

RunSummary RunSession::runHere()
{
    m_running.store(true);
    return execute();
}

void RunSession::wait()
{
    if (m_thread.joinable())
        m_thread.join();
}

void RunSession::pause()
{
    if (m_paused.exchange(true))
        return;
    if (TrainingRun *run = m_run.load())
        run->pause();
    emit pausedChanged(true);
}

void RunSession::resume()
{
    if (!m_paused.exchange(false))
        return;
    if (TrainingRun *run = m_run.load())
        run->resume();
    emit pausedChanged(false);
}

// Called from signal handlers too (Ctrl-C on the command line): atomic stores only.
void RunSession::stop()
{
    m_stopRequested.store(true);
    if (TrainingRun *run = m_run.load())
        run->cancel();
}

// What a run holds from its preparation to its end. Members are destroyed in reverse: the loop
// before the trainer it drives, the trainer before the backend it gives its tensors back to.
struct RunSession::Active
{
    std::shared_ptr<const DatasetSplits> data;
    PreparedRun prepared;
    std::unique_ptr<RunWriter> writer;
    std::shared_ptr<TelemetryRecorder> telemetry;
    std::unique_ptr<TrainingRun> run;
    qint64 runId = 0;
    size_t samplesFrom = 0; // the first power sample not yet passed on
    QString storeFailure;   // set when the store can take no more: the run stops and fails
    bool failed = false;    // fail() was called: end() records the failure
};

QJsonObject RunSession::withRunId(QJsonObject event) const
{
    if (m_active && m_active->runId)
        event["run_id"] = m_active->runId;
    return event;
}

void RunSession::passOnSamples()
{
    Active &a = *m_active;
    std::vector<PowerPoint> fresh = a.telemetry->log().pointsFrom(a.samplesFrom);
    if (fresh.empty())
        return;
    a.samplesFrom += fresh.size();
    emit powerSamples(fresh);
    if (a.writer)
        a.writer->addSamples(a.runId, std::move(fresh));
}

// Time the run's own thread spends handing records to the writer (the store's direct cost).
void RunSession::timedStoreCall(const std::function<void()> &call)
{
    const auto begin = std::chrono::steady_clock::now();
    call();
    m_storeSeconds.store(m_storeSeconds.load() + std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count());
}

void RunSession::stopIfStoreFull()
{
    Active &a = *m_active;
    if (a.writer && a.storeFailure.isEmpty() && !(a.storeFailure = a.writer->fatalProblem()).isEmpty())
        a.run->cancel();
}

RunSummary RunSession::execute()
{
    if (begin()) {
        while (trainNextEpoch()) {
        }
    }
    return end();
}

void RunSession::fail(const QString &message, bool usage)
{
    m_failedOnUsage = usage;
    m_summary.status = RunStatus::Failed;
    m_summary.message = message.toStdString();
    if (m_active)
        m_active->failed = true;
    emit failed(message);
}

bool RunSession::begin()
{
    m_running.store(true);
    m_active = std::make_unique<Active>();
    Active &a = *m_active;
    const TrainConfig &config = m_options.spec.config;
    try {
        // Checked before anything is recorded or trained: found after training, it would lose the
        // model and record the run failed.
        if (!m_options.savePath.isEmpty()) {
            const QString why = whyNotWritable(m_options.savePath);
            if (!why.isEmpty())
                throw SpecError("--save: " + why + " (checked before training)");
        }
        if (!m_options.databasePath.isEmpty())
            a.writer = std::make_unique<RunWriter>(m_options.databasePath, [this](const QString &message, bool) {
                emit storeProblem(message);
            });
        std::optional<TelemetryChoice> choice;
        if (!m_sharedTelemetry)
            choice = chooseTelemetry(m_options.telemetry, m_options.tegrastatsProgram, m_options.telemetryIntervalMs,
                                     m_options.sysfsRoot, m_options.replaySpeed);
        // The process's peak so far is an earlier run's (a suite's, a comparison's), unless runs
        // share it now.
        if (!m_sharesProcess)
            resetPeakRss();
        a.data = m_sharedData ? m_sharedData : std::make_shared<const DatasetSplits>(loadRunData(config));
        const DatasetSplits &data = *a.data;
        a.prepared = prepareRun(config, data);
        Trainer &trainer = *a.prepared.trainer;
        if (a.writer) {
            RunRecord record = recordOf(m_options);
            record.dataset = QString::fromStdString(data.train.name);
            record.backend = QString::fromStdString(trainer.backend().name());
            record.device = QString::fromStdString(trainer.backend().description());
            record.versions = versionsOf(trainer.backend());
            QStringList units;
            for (const std::string &name : trainer.unitNames())
                units << QString::fromStdString(name);
            a.runId = a.writer->createRun(record, paramsOf(config), m_options.tags, units);
            m_runId.store(a.runId);
        }
        a.telemetry = m_sharedTelemetry ? m_sharedTelemetry : std::make_shared<TelemetryRecorder>(*choice);
        // A shared source has been recording for the runs before this one: this run's samples start now.
        a.samplesFrom = size_t(a.telemetry->log().size());
        const TelemetryRecorder &telemetry = *a.telemetry;
        if (a.writer)
            a.writer->setPowerSource(a.runId, telemetry.choice().source,
                                     telemetry.active() ? std::optional<int>(telemetry.choice().intervalMs) : std::nullopt);

        a.run = std::make_unique<TrainingRun>(trainer, data);
        TrainingRun &run = *a.run;
        RunCallbacks callbacks;
        callbacks.onProgress = [this](const ProgressMetrics &p) {
            Active &a = *m_active;
            if (a.writer)
                timedStoreCall([&] { a.writer->addProgress(a.runId, StoredProgress{qint64(p.epoch) * p.batchesPerEpoch + p.batch, p}); });
            passOnSamples();
            QJsonObject event = withRunId(progressEvent(p));
            event["algo"] = algorithmName(m_options.spec.config.algorithm); // runs in turn interleave their events
            emit progress(p, event);
            stopIfStoreFull();
        };
        callbacks.onEpoch = [this](const EpochMetrics &e) {
            Active &a = *m_active;
            QJsonObject event = withRunId(epochEvent(e));
            event["algo"] = algorithmName(m_options.spec.config.algorithm);
            addEnergy(event, *a.telemetry, e.monotonicStart, e.monotonicEnd);
            passOnSamples();
            EpochEnergy energy;
            if (event.contains("energy_j")) {
                energy.joules = event["energy_j"].toDouble();
                energy.meanWatts = event["mean_power_w"].toDouble();
                m_trainingEnergy = (std::isnan(m_trainingEnergy) ? 0.0 : m_trainingEnergy) + *energy.joules;
            }
            if (a.writer) {
                timedStoreCall([&] {
                    a.writer->addEpoch(a.runId, e, energy);
                    a.writer->flush(kEpochFlushMs);
                });
            }
            emit epochFinished(e, event);
            if (e.reachedTarget)
                emit targetReached(e, withRunId(targetReachedEvent(m_options.spec.config, e)));
            stopIfStoreFull();
        };
        run.setCallbacks(callbacks);

        QJsonObject start = withRunId(startEvent(m_options.spec, trainer, data));
        start["telemetry"] = telemetryObject(telemetry);
        emit started(a.runId, start);
        if (m_paused.load())
            run.pause();
        m_run.store(&run);
        if (m_stopRequested.load())
            run.cancel();
        run.start();
        return true;
    } catch (const SpecError &e) {
        fail(QString::fromUtf8(e.what()), true);
    } catch (const std::exception &e) {
        fail(QString::fromUtf8(e.what()), false);
    }
    return false;
}

bool RunSession::trainNextEpoch()
{
    if (!m_active || !m_active->run || m_active->failed)
        return false;
    try {
        return m_active->run->trainNextEpoch();
    } catch (const std::exception &e) {
        m_summary = m_active->run->summary();
        fail(QString::fromUtf8(e.what()), false);
    }
    return false;
}

RunSummary RunSession::end()
{
    m_run.store(nullptr);
    if (m_active && m_active->run && !m_active->failed) {
        m_summary = m_active->run->summary();
        try {
            return finishTrained();
        } catch (const SpecError &e) {
            fail(QString::fromUtf8(e.what()), true);
        } catch (const std::exception &e) {
            fail(QString::fromUtf8(e.what()), false);
        }
    }
    return finishFailed();
}

RunSummary RunSession::finishTrained()
{
    Active &a = *m_active;
    const TrainConfig &config = m_options.spec.config;
    RunSummary &summary = m_summary;
    // A shared source records on for the other runs; the group stops it.
    if (!m_sharedTelemetry)
        a.telemetry->stop();
    passOnSamples();
    if (!a.storeFailure.isEmpty()) {
        summary.status = RunStatus::Failed;
        summary.message = QStringLiteral("the run store could not be written, so the run was stopped: %1").arg(a.storeFailure).toStdString();
    }
    if (!m_options.savePath.isEmpty() && summary.status == RunStatus::Completed) {
        try {
            const std::string path = m_options.savePath.toStdString();
            Trainer &trainer = *a.prepared.trainer;
            // A graph is saved as version 2 with its description and named state; an MLP stays
            // version 1, which every earlier build reads.
            if (auto *graph = dynamic_cast<GraphTrainer *>(&trainer))
                saveGraphModel(path, GraphModelFile{graph->config(), graph->modelSpec(), graph->exportState()});
            else
                saveModel(path, ModelFile{config, trainer.parameters()});
        } catch (...) {
            // A disk that filled during training: the half-written file beside the target goes.
            QFile::remove(m_options.savePath + ".partial");
            throw;
        }
    }
    QJsonObject event = withRunId(summaryEvent(config, summary));
    if (m_sharesProcess) {
        // Its whole span holds the other runs' turns too: its own energy is its epochs'.
        if (!std::isnan(m_trainingEnergy))
            event["energy_j"] = m_trainingEnergy;
    } else {
        addEnergy(event, *a.telemetry, summary.monotonicStart, summary.monotonicEnd);
    }
    event["telemetry"] = telemetryObject(*a.telemetry);
    if (!a.telemetry->problem().isEmpty())
        event["telemetry_problem"] = a.telemetry->problem();
    finishRecord(a.writer.get(), a.runId);
    event["peak_rss_bytes"] = m_result.peakRssBytes > 0 ? QJsonValue(m_result.peakRssBytes) : QJsonValue(QJsonValue::Null);
    a.writer.reset(); // writes what is buffered before the run is reported finished
    m_active.reset(); // the trainer's memory goes before the next run of a group is prepared
    m_running.store(false);
    emit finished(summary, event);
    return summary;
}

RunSummary RunSession::finishFailed()
{
    const TrainConfig &config = m_options.spec.config;
    qint64 runId = m_active ? m_active->runId : 0;
    std::unique_ptr<RunWriter> writer = m_active ? std::move(m_active->writer) : nullptr;
    if (writer) {
        try {
            if (!runId) { // failed before it was recorded: record it, so the store says why
                runId = writer->createRun(recordOf(m_options), paramsOf(config), m_options.tags);
                m_runId.store(runId);
            }
            finishRecord(writer.get(), runId);
        } catch (const std::exception &e) {
            emit storeProblem(QString::fromUtf8(e.what()));
        }
        writer.reset();
    } else {
        finishRecord(nullptr, runId);
    }
    m_active.reset();
    QJsonObject event = summaryEvent(config, m_summary);
    if (runId)
        event["run_id"] = runId;
    m_running.store(false);
    emit finished(m_summary, event);
    return m_summary;
}

void RunSession::finishRecord(RunWriter *writer, qint64 runId)
{
    const RunSummary &summary = m_summary;
    RunResult &result = m_result;
    result.status = QString::fromLatin1(runStatusName(summary.status));
    result.message = QString::fromStdString(summary.message);
    result.epochsDone = summary.epochsCompleted;
    result.testAccuracy = summary.testAccuracy < 0 ? NAN : summary.testAccuracy;
    result.validationAccuracy = summary.validationAccuracy < 0 ? NAN : summary.validationAccuracy;
    result.trainSeconds = summary.trainSeconds;
    result.totalSeconds = summary.totalSeconds;
    result.energyJoules = m_trainingEnergy;
    result.peakEngineBytes = qint64(summary.memory.peakTotal);
    result.targetEpoch = summary.targetEpoch;
    result.targetSeconds = summary.targetSeconds;
    result.peakRssBytes = m_sharesProcess ? 0 : qint64(readProcessMemory().peakRssBytes); // 0: unknown
    if (writer && runId)
        writer->finishRun(runId, result);
}

} // namespace ffint8
