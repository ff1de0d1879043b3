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

RunSummary RunSession::execute()
{
    const TrainConfig &config = m_options.spec.config;
    RunSummary summary;
    std::unique_ptr<RunWriter> writer;
    std::unique_ptr<TelemetryRecorder> telemetry;
    qint64 runId = 0;
    QString storeFailure; // set when the store can take no more: the run stops and fails
    auto samplesFrom = std::make_shared<size_t>(0);

    auto fail = [&](const QString &message, bool usage) {
        m_failedOnUsage = usage;
        summary.status = RunStatus::Failed;
        summary.message = message.toStdString();
        emit failed(message);
    };

    try {
        // Checked before anything is recorded or trained: found after training, it would lose the
        // model and record the run failed.
        if (!m_options.savePath.isEmpty()) {
            const QString why = whyNotWritable(m_options.savePath);
            if (!why.isEmpty())
                throw SpecError("--save: " + why + " (checked before training)");
        }
        if (!m_options.databasePath.isEmpty())
            writer = std::make_unique<RunWriter>(m_options.databasePath, [this](const QString &message, bool) {
                emit storeProblem(message);
            });
        const TelemetryChoice choice = chooseTelemetry(m_options.telemetry, m_options.tegrastatsProgram,
                                                       m_options.telemetryIntervalMs, m_options.sysfsRoot, m_options.replaySpeed);
        DatasetSplits data = loadRunData(config);
        PreparedRun prepared = prepareRun(config, data);
        Trainer &trainer = *prepared.trainer;
        if (writer) {
            RunRecord record;
            record.name = m_options.spec.name;
            record.specJson = QString::fromUtf8(QJsonDocument(specToJson(m_options.spec)).toJson(QJsonDocument::Compact));
            record.algorithm = algorithmName(config.algorithm);
            record.dataset = QString::fromStdString(data.train.name);
            record.backend = QString::fromStdString(trainer.backend().name());
            record.device = QString::fromStdString(trainer.backend().description());
            record.versions = versionsOf(trainer.backend());
            record.suite = m_options.suite;
            record.seed = config.seed;
            QStringList units;
            for (const std::string &name : trainer.unitNames())
                units << QString::fromStdString(name);
            runId = writer->createRun(record, paramsOf(config), m_options.tags, units);
            m_runId.store(runId);
        }
        telemetry = std::make_unique<TelemetryRecorder>(choice);
        if (writer)
            writer->setPowerSource(runId, choice.source, telemetry->active() ? std::optional<int>(choice.intervalMs) : std::nullopt);

        auto withRunId = [&](QJsonObject event) {
            if (runId)
                event["run_id"] = runId;
            return event;
        };
        auto passOnSamples = [&] {
            std::vector<PowerPoint> fresh = telemetry->log().pointsFrom(*samplesFrom);
            if (fresh.empty())
                return;
            *samplesFrom += fresh.size();
            emit powerSamples(fresh);
            if (writer)
                writer->addSamples(runId, std::move(fresh));
        };

        TrainingRun run(trainer, data);
        auto stopIfStoreFull = [&] {
            if (writer && storeFailure.isEmpty() && !(storeFailure = writer->fatalProblem()).isEmpty())
                run.cancel();
        };
        RunCallbacks callbacks;
        // Time the run's own thread spends handing records to the writer (the store's direct cost).
        auto timedStoreCall = [&](const std::function<void()> &call) {
            const auto begin = std::chrono::steady_clock::now();
            call();
            m_storeSeconds.store(m_storeSeconds.load() + std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count());
        };
        callbacks.onProgress = [&](const ProgressMetrics &p) {
            if (writer)
                timedStoreCall([&] { writer->addProgress(runId, StoredProgress{qint64(p.epoch) * p.batchesPerEpoch + p.batch, p}); });
            passOnSamples();
            emit progress(p, withRunId(progressEvent(p)));
            stopIfStoreFull();
        };
        callbacks.onEpoch = [&](const EpochMetrics &e) {
            QJsonObject event = withRunId(epochEvent(e));
            addEnergy(event, *telemetry, e.monotonicStart, e.monotonicEnd);
            passOnSamples();
            if (writer) {
                EpochEnergy energy;
                if (event.contains("energy_j")) {
                    energy.joules = event["energy_j"].toDouble();
                    energy.meanWatts = event["mean_power_w"].toDouble();
                    m_trainingEnergy = (std::isnan(m_trainingEnergy) ? 0.0 : m_trainingEnergy) + *energy.joules;
                }
                timedStoreCall([&] {
                    writer->addEpoch(runId, e, energy);
                    writer->flush(kEpochFlushMs);
                });
            } else if (event.contains("energy_j")) {
                m_trainingEnergy = (std::isnan(m_trainingEnergy) ? 0.0 : m_trainingEnergy) + event["energy_j"].toDouble();
            }
            emit epochFinished(e, event);
            stopIfStoreFull();
        };
        run.setCallbacks(callbacks);

        emit started(runId, withRunId([&] {
                         QJsonObject start = startEvent(m_options.spec, trainer, data);
                         start["telemetry"] = telemetryObject(*telemetry);
                         return start;
                     }()));
        if (m_paused.load())
            run.pause();
        m_run.store(&run);
        if (m_stopRequested.load())
            run.cancel();
        summary = run.run();
        m_run.store(nullptr);
        telemetry->stop();
        passOnSamples();
        if (!storeFailure.isEmpty()) {
            summary.status = RunStatus::Failed;
            summary.message = QStringLiteral("the run store could not be written, so the run was stopped: %1").arg(storeFailure).toStdString();
        }
        if (!m_options.savePath.isEmpty() && summary.status == RunStatus::Completed) {
            try {
                const std::string path = m_options.savePath.toStdString();
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
        addEnergy(event, *telemetry, summary.monotonicStart, summary.monotonicEnd);
        event["telemetry"] = telemetryObject(*telemetry);
        if (!telemetry->problem().isEmpty())
            event["telemetry_problem"] = telemetry->problem();
        finishRecord(writer.get(), runId, summary);
        writer.reset(); // writes what is buffered before the run is reported finished
        m_running.store(false);
        emit finished(summary, event);
        return summary;
    } catch (const SpecError &e) {
        fail(QString::fromUtf8(e.what()), true);
    } catch (const std::exception &e) {
        fail(QString::fromUtf8(e.what()), false);
    }
    m_run.store(nullptr);
    if (writer) {
        try {
            if (!runId) { // failed before it was recorded: record it, so the store says why
                RunRecord record;
                record.name = m_options.spec.name;
                record.specJson = QString::fromUtf8(QJsonDocument(specToJson(m_options.spec)).toJson(QJsonDocument::Compact));
                record.algorithm = algorithmName(config.algorithm);
                record.dataset = QString::fromStdString(config.dataset);
                record.backend = QString::fromStdString(config.backend);
                record.suite = m_options.suite;
                record.seed = config.seed;
                runId = writer->createRun(record, paramsOf(config), m_options.tags);
                m_runId.store(runId);
            }
            finishRecord(writer.get(), runId, summary);
        } catch (const std::exception &e) {
            emit storeProblem(QString::fromUtf8(e.what()));
        }
        writer.reset();
    }
    QJsonObject event = summaryEvent(config, summary);
    if (runId)
        event["run_id"] = runId;
    m_running.store(false);
    emit finished(summary, event);
    return summary;
}

void RunSession::finishRecord(RunWriter *writer, qint64 runId, const RunSummary &summary)
{
    if (!writer || !runId)
        return;
    RunResult result;
    result.status = QString::fromLatin1(runStatusName(summary.status));
    result.message = QString::fromStdString(summary.message);
    result.epochsDone = summary.epochsCompleted;
    result.testAccuracy = summary.testAccuracy < 0 ? NAN : summary.testAccuracy;
    result.validationAccuracy = summary.validationAccuracy < 0 ? NAN : summary.validationAccuracy;
    result.trainSeconds = summary.trainSeconds;
    result.totalSeconds = summary.totalSeconds;
    result.energyJoules = m_trainingEnergy;
    result.peakEngineBytes = qint64(summary.memory.peakTotal);
    result.peakRssBytes = qint64(readProcessMemory().peakRssBytes);
    writer->finishRun(runId, result);
}

} // namespace ffint8
