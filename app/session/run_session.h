// One training run of an experiment, from its spec to its stored record: data, backend and trainer,
// the power source, the store, and the engine loop on a thread of its own. Every command that trains
// (train, run, compare, bench) and the workbench's queue run experiments through this, so a run
// launched from any of them is prepared, measured and recorded alike; RunGroup (run_group.h) drives
// several of them together.
#pragma once

#include "app/spec/experiment_spec.h"
#include "app/store/run_store.h"
#include "app/telemetry/power_log.h"
#include "engine/data/dataset.h"
#include "engine/train/metrics.h"

#include <QJsonObject>
#include <QObject>
#include <QStringList>

#include <atomic>
#include <cmath>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace ffint8 {

class RunWriter;
class TelemetryRecorder;
class TrainingRun;

struct SessionOptions
{
    ExperimentSpec spec;
    QString databasePath; // empty: the run is not stored
    QString suite;        // the suite this run belongs to (recorded, filterable), or empty
    QString board;        // the board that trains it (recorded); empty: this host's name
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

    // The figures the run recorded when it ended (as stored, also when it is not stored): NaN and 0
    // where unknown. Valid once finished() has been emitted.
    const RunResult &result() const { return m_result; }

signals:
    // The run is set up and about to train; `event` is the JSON "start" event (with run_id when stored).
    void started(qint64 runId, const QJsonObject &event);
    void progress(const ffint8::ProgressMetrics &metrics, const QJsonObject &event);
    void epochFinished(const ffint8::EpochMetrics &metrics, const QJsonObject &event);
    // After epochFinished() of the first epoch whose test accuracy reached the spec's
    // training.target_accuracy (once a run, never without a target); `event` is the JSON
    // "target_reached" event.
    void targetReached(const ffint8::EpochMetrics &metrics, const QJsonObject &event);
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
    friend class RunGroup;
    struct Active; // what a run holds from its preparation to its end

    RunSummary execute();
    // The run in three steps, so that RunGroup can take several runs through them in turn on one
    // thread. begin() prepares, records and starts the run (false when it could not: it has then said
    // why through failed()); trainNextEpoch() trains one epoch and says whether another follows;
    // end() saves the model, records the outcome, emits finished() and frees the trainer. execute()
    // is the three in a row.
    bool begin();
    bool trainNextEpoch();
    RunSummary end();
    void fail(const QString &message, bool usage);
    RunSummary finishTrained();
    RunSummary finishFailed();
    void finishRecord(RunWriter *writer, qint64 runId);
    QJsonObject withRunId(QJsonObject event) const;
    void passOnSamples(); // the power samples taken since the last call: emitted and stored
    void timedStoreCall(const std::function<void()> &call);
    void stopIfStoreFull();

    SessionOptions m_options;
    // Shared by a RunGroup before begin(): data loaded for this spec (loadRunData) and a power source
    // already recording; null: the run loads, or starts, its own.
    std::shared_ptr<const DatasetSplits> m_sharedData;
    std::shared_ptr<TelemetryRecorder> m_sharedTelemetry;
    // Other runs live in this process while this one trains (runs in turn): its peak RSS is theirs
    // too, so none is recorded, and its summary's energy is its epochs' rather than its whole span's.
    bool m_sharesProcess = false;
    std::unique_ptr<Active> m_active;
    RunSummary m_summary;
    RunResult m_result;
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
