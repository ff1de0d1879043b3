// The live view of one run: its progress, controls and outcome above plots of everything it reports.
#pragma once

#include "app/session/run_session.h"
#include "app/telemetry/energy.h"
#include "ui/live/stored_run_follower.h"
#include "engine/train/metrics.h"

#include <QHash>
#include <QSet>
#include <QJsonObject>
#include <QPointer>
#include <QTimer>
#include <QWidget>
#include <optional>
#include <vector>

class QLabel;
class QProgressBar;
class QPushButton;
class QScrollArea;

namespace ffint8 {

class LivePlot;
class RunStore;

class UnitHeatmap;
class UnitPicker;

// Shows the run a RunSession is training as its signals arrive (queued from the run's thread, so the
// GUI thread never waits for the engine), or a finished run read from the store on request. Above
// the plots, a unit x step heatmap of every unit's separation (BP: output-gradient norm), its units
// named as the trainer names them (the start event's "units"), beside the list of units whose
// curves the plots draw (first, middle and last by default). The plots: "goodness" (per chosen
// unit, positive solid and negative dashed), "separation" (positive minus negative), "loss",
// "accuracy" (per epoch), "power" (board watts, cumulative joules on the right), "memory" (the
// engine's account per epoch, this process's RSS) and "throughput". Steps are global batch indices
// (epoch * batches per epoch + batch); times are seconds from the run's start.
class LiveView : public QWidget
{
    Q_OBJECT
public:
    explicit LiveView(QWidget *parent = nullptr);
    ~LiveView() override;

    // Clears the view and follows `session` (not owned; a previous one is let go). Attach before
    // start() to see the run from its first event.
    void attach(RunSession *session);
    // Stops following the session; what was drawn stays.
    void detach();
    RunSession *session() const { return m_session; }
    // `session` was asked to stop (by this view's Stop, a menu or the queue's buttons): the view
    // says it is stopping and offers no pause or stop until it ends. Other sessions are ignored.
    void showStopping(RunSession *session);

    // Fills the plots from a stored run's epochs, progress and power samples (read now, on this
    // thread: `store` belongs to it). The controls are disabled: there is nothing to pause. A run
    // still "running" (trained by another process or board) is followed: what it adds to the store
    // is drawn as it comes (StoredRunFollower), until it ends or stopFollowing().
    void showStoredRun(RunStore &store, qint64 runId);
    // Stops following a stored run: before its store closes.
    void stopFollowing();
    StoredRunFollower *follower() const { return m_follower; }

    // Each plot's least height: below it a plot's axes and legend crowd out the curves.
    static constexpr int kMinPlotHeight = 220;

    QList<LivePlot *> plots() const { return m_plotList; }
    QScrollArea *plotArea() const { return m_plotArea; }
    LivePlot *plotNamed(const QString &name) const { return m_plots.value(name); }
    UnitHeatmap *heatmap() const { return m_heatmap; }
    UnitPicker *unitPicker() const { return m_unitPicker; }
    QStringList units() const { return m_units; } // the run's unit names, in order
    QString titleText() const;
    QString statusText() const;
    QString backendText() const; // backend, CPU path and threads of the run shown
    QString progressText() const;

signals:
    // An attached run ended; `status` is completed, diverged, cancelled or failed.
    void runEnded(qint64 runId, const QString &status);

private:
    void setBackendLine(const QString &text);
    void reset();
    void follow(RunStore &store, const RunRecord &run, qint64 lastStep, int epochsShown, double lastSample);
    void showStoredEpochCount(int done);
    void setTitle(const QString &name, const QString &algorithm, const QString &dataset, qint64 runId);
    void setStatus(const QString &text);
    void setBackprop(bool backprop);
    // The run's units: their series (hidden unless chosen), the heatmap's rows and the picker's list.
    // Figures of more units than named extend the names with fallback ones.
    void setUnits(const QStringList &names);
    void ensureUnits(int count);
    void showChosenUnits(const QList<int> &units);
    void showWaiting(LivePlot *plot, const QString &text);
    void stopWaiting(LivePlot *plot);
    void addProgress(qint64 step, const ProgressMetrics &metrics);
    void addEpoch(const EpochMetrics &metrics);
    void addPower(const std::vector<PowerPoint> &points);
    double secondsSinceStart(double monotonic);

    void onStarted(qint64 runId, const QJsonObject &event);
    void onProgress(const ProgressMetrics &metrics);
    void onEpochFinished(const EpochMetrics &metrics);
    void onTargetReached(const EpochMetrics &metrics, const QJsonObject &event);
    void onPausedChanged(bool paused);
    void onStoreProblem(const QString &message);
    void onFailed(const QString &message);
    void onFinished(const RunSummary &summary);
    void sampleProcessMemory();
    void togglePause();
    void requestStop();

    QPointer<RunSession> m_session;
    QLabel *m_title = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_pause = nullptr;
    QPushButton *m_stop = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_backendLine = nullptr;
    QHash<QString, LivePlot *> m_plots;
    QList<LivePlot *> m_plotList;
    QScrollArea *m_plotArea = nullptr;
    QSet<LivePlot *> m_waiting; // plots that show what they wait for until their first points
    QStringList m_titleParts;   // name, algorithm, dataset of the run shown

    UnitHeatmap *m_heatmap = nullptr;
    UnitPicker *m_unitPicker = nullptr;
    QStringList m_units;
    // Series indices in their plots, per unit.
    std::vector<int> m_goodnessPos, m_goodnessNeg, m_separation; // m_goodnessNeg is -1 for BP
    bool m_backprop = false; // the first two plots show gradient norm and deviation, not goodness
    int m_loss = -1, m_testAccuracy = -1, m_validationAccuracy = -1;
    int m_watts = -1, m_joules = -1;
    int m_enginePeak = -1, m_rss = -1, m_peakRss = -1;
    int m_throughput = -1;

    qint64 m_runId = 0;
    int m_plannedEpochs = 0;
    QString m_outcome;
    QString m_storeProblem;
    QString m_targetReached; // "target 90.00 % reached in epoch 12 after 3:05 of training", once it is
    bool m_stopping = false; // the user asked the attached run to stop; it ends after its current batch
    std::optional<double> m_origin; // the run's start on the monotonic clock of its epochs and samples
    std::optional<PowerPoint> m_lastPower;
    double m_energyJoules = 0.0;
    QTimer m_memoryTimer;
    QPointer<StoredRunFollower> m_follower; // a stored run being followed, or null
};

} // namespace ffint8
