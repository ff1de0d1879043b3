// One training run of an experiment, from its spec to its stored record: data, backend and trainer,
// the power source, the store, and the engine loop on a thread of its own. The command line and the
// workbench both run experiments through this, so a run launched from either is recorded alike.
#pragma once

#include "app/spec/experiment_spec.h"
#include "app/telemetry/power_log.h"
#include "engine/train/metrics.h"

#include <QJsonObject>
#include <QObject>
#include <QStringList>

#include <atomic>
#include <cmath>
#include <memory>
#include <thread>
#include <vector>

namespace ffint8 {

class TrainingRun;

struct SessionOptions
{
    ExperimentSpec spec;
    QString databasePath; // empty: the run is not stored
    QString suite;        // the suite this run belongs to (recorded, filterable), or empty
    QStringList tags;     // stored with the run
    QString telemetry = QStringLiteral("auto"); // see chooseTelemetry()
    QString tegrastatsProgram = QStringLiteral("tegrastats");
    int telemetryIntervalMs = 200;
    double replaySpeed = 1.0;
    QString sysfsRoot = QStringLiteral("/sys");
    QString savePath; // the trained model is saved here when the run completes; empty: not saved
};

// Signals come from the run's thread: connect with the default (auto) connection and receivers on
// the GUI thread get them queued, so nothing on the GUI thread ever waits for the engine.
class RunSession : public QObject
{
    Q_OBJECT
public:
    explicit RunSession(SessionOptions options, QObject *parent = nullptr);
    // Stops a run still training (marked cancelled) and waits for its thread.
    ~RunSession() override;

    const SessionOptions &options() const { return m_options; }

    // Starts the run on its own thread and returns at once. Call once.
    void start();
    // Runs on the calling thread until the run ends (the command line); the same signals are emitted.
    RunSummary runHere();
    // Waits for a run started with start() to end.
    void wait();

    // Safe from any thread. Pause holds the run between two batches (paused time is not training
    // time); stop ends it after the current batch with status "cancelled".
    void pause();
    void resume();
    void stop();
    bool isPaused() const { return m_paused.load(); }
    bool isRunning() const { return m_running.load(); }

    qint64 runId() const { return m_runId.load(); } // 0 until started(), and when not stored
    // Seconds the run's thread spent handing metrics to the store's writer (its direct cost).
    double storeSeconds() const { return m_storeSeconds.load(); }

    // Whether the run failed to start because of what was asked (a bad telemetry choice): the
    // command line's usage error rather than a failure of the run.
    bool failedOnUsage() const { return m_failedOnUsage; }

signals:
    // The run is set up and about to train; `event` is the JSON "start" event (with run_id when stored).
    void started(qint64 runId, const QJsonObject &event);
    void progress(const ffint8::ProgressMetrics &metrics, const QJsonObject &event);
    void epochFinished(const ffint8::EpochMetrics &metrics, const QJsonObject &event);
    // Board power samples taken since the last emission (seconds on the epochs' monotonic clock).
    void powerSamples(const std::vector<ffint8::PowerPoint> &fresh);
    void pausedChanged(bool paused);
    // A write to the store failed; the run trains on and the writer retries (see RunWriter).
    void storeProblem(const QString &message);
    // The run ended (completed, diverged, cancelled or failed); `event` is the JSON "summary" event.
    void finished(const ffint8::RunSummary &summary, const QJsonObject &event);
    // The run could not start (no dataset, unavailable backend, unusable database, bad telemetry
    // choice): `message` says what and where. finished() follows with status failed.
    void failed(const QString &message);

private:
    RunSummary execute();
    void finishRecord(class RunWriter *writer, qint64 runId, const RunSummary &summary);

    SessionOptions m_options;
    std::thread m_thread;
    std::atomic<TrainingRun *> m_run{nullptr};
    std::atomic<bool> m_stopRequested{false};
    std::atomic<bool> m_paused{false};
    std::atomic<bool> m_running{false};
    std::atomic<qint64> m_runId{0};
    std::atomic<double> m_storeSeconds{0.0};
    bool m_failedOnUsage = false;
    double m_trainingEnergy = NAN; // joules over the training epochs, where a power source measured them
};

} // namespace ffint8

Q_DECLARE_METATYPE(ffint8::ProgressMetrics)
Q_DECLARE_METATYPE(ffint8::EpochMetrics)
Q_DECLARE_METATYPE(ffint8::RunSummary)
Q_DECLARE_METATYPE(std::vector<ffint8::PowerPoint>)
