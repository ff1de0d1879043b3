// Runs the chosen power source on its own thread while a run trains, so that the training thread
// never waits for it, and keeps the power log the run's energy is computed from.
#pragma once

#include "app/telemetry/power_log.h"

#include <QString>
#include <QThread>

#include <memory>
#include <mutex>

namespace ffint8 {

class TegrastatsSource;

struct TelemetryChoice
{
    QString source;  // "tegrastats", "ina3221", "nvml", "rapl", "replay" or "none"
    QString program; // the tegrastats executable, or the log a replay plays
    double replaySpeed = 1.0;
    QString sysfsRoot = QStringLiteral("/sys");
    int intervalMs = 200;
    QString reason; // why this source (shown to the user)
};

// `requested` is "auto", "tegrastats", "ina3221", "nvml", "rapl", "none" or "replay:LOGFILE" (a recorded
// tegrastats log played at its own pace times `replaySpeed`). Auto takes the first that works of
// tegrastats (`program`, a path or a name on PATH), the INA3221 monitors (readable without root where
// tegrastats is not), NVML and RAPL, else none, and says why. Throws SpecError for an unknown request or a
// source that was asked for and cannot be used, with the reason.
TelemetryChoice chooseTelemetry(const QString &requested, const QString &program, int intervalMs,
                                const QString &sysfsRoot = QStringLiteral("/sys"), double replaySpeed = 1.0);

class TelemetryRecorder
{
public:
    explicit TelemetryRecorder(const TelemetryChoice &choice);
    ~TelemetryRecorder();
    TelemetryRecorder(const TelemetryRecorder &) = delete;
    TelemetryRecorder &operator=(const TelemetryRecorder &) = delete;

    // Whether a power source was started for this run (still true after stop()).
    bool active() const { return m_started; }
    const TelemetryChoice &choice() const { return m_choice; }
    const PowerLog &log() const { return m_log; }
    // Stops the source and its child process now (also done by the destructor).
    void stop();
    QString problem() const;

private:
    TelemetryChoice m_choice;
    PowerLog m_log;
    QThread m_thread;
    QObject *m_source = nullptr; // a TegrastatsSource, PolledPowerSource or ReplaySource, on m_thread
    bool m_started = false;
    mutable std::mutex m_problemLock; // not QMutex, for ThreadSanitizer (power_log.h)
    QString m_problem;
};

} // namespace ffint8
