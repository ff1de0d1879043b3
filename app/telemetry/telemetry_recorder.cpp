// The telemetry thread and the choice of source.
#include "app/telemetry/telemetry_recorder.h"

#include "app/spec/spec_error.h"
#include "app/telemetry/ina3221_source.h"
#include "app/telemetry/nvml_source.h"
#include "app/telemetry/polled_power_source.h"
#include "app/telemetry/rapl_source.h"
#include "app/telemetry/replay_source.h"
#include "app/telemetry/tegrastats_source.h"

#include <QFileInfo>
#include <QMetaObject>
#include <QStandardPaths>

#include <functional>

namespace ffint8 {

namespace {

QString findProgram(const QString &program)
{
    if (program.contains('/'))
        return QFileInfo(program).isExecutable() ? program : QString();
    return QStandardPaths::findExecutable(program);
}

} // namespace

TelemetryChoice chooseTelemetry(const QString &requested, const QString &program, int intervalMs,
                                const QString &sysfsRoot, double replaySpeed)
{
    const QStringList known{"auto", "tegrastats", "ina3221", "nvml", "rapl", "none", "replay:LOGFILE"};
    if (!known.contains(requested) && !requested.startsWith("replay:"))
        throw SpecError(QStringLiteral("--telemetry: '%1' is not one of %2").arg(requested, known.join(", ")));
    if (intervalMs <= 0)
        throw SpecError(QStringLiteral("--telemetry-interval: %1 is not a positive number of milliseconds").arg(intervalMs));
    TelemetryChoice c;
    c.intervalMs = intervalMs;
    c.sysfsRoot = sysfsRoot;
    c.replaySpeed = replaySpeed;
    if (requested.startsWith("replay:")) {
        c.source = "replay";
        c.program = requested.mid(7);
        if (!QFileInfo(c.program).isReadable())
            throw SpecError(QStringLiteral("--telemetry %1: the log is not a readable file").arg(requested));
        c.reason = QStringLiteral("replay of %1 at %2x its pace (recorded power, not this machine's)")
                       .arg(c.program).arg(replaySpeed);
        return c;
    }
    if (requested == "none") {
        c.source = "none";
        c.reason = "telemetry switched off";
        return c;
    }
    QStringList whyNot;
    if (requested == "auto" || requested == "tegrastats") {
        const QString found = findProgram(program);
        if (!found.isEmpty()) {
            c.source = "tegrastats";
            c.program = found;
            c.reason = "tegrastats found at " + found;
            return c;
        }
        whyNot << QStringLiteral("tegrastats: '%1' is not an executable file or on PATH").arg(program);
    }
    // The polled sources, in the order auto tries them: board power first, then GPU, then CPU package.
    struct Polled
    {
        const char *name;
        std::function<bool(QString *)> available;
        QString reason; // empty: the availability check's own words
    };
    const Polled polled[] = {
        {"ina3221", [&](QString *why) { return Ina3221Source::available(sysfsRoot, why); },
         "INA3221 power monitors through sysfs (board power)"},
        {"nvml", [](QString *why) { return NvmlSource::available(why); }, QString()},
        {"rapl", [&](QString *why) { return RaplSource::available(sysfsRoot, why); },
         "RAPL package energy counter (CPU package power, not the whole board)"},
    };
    for (const Polled &source : polled) {
        if (requested != "auto" && requested != source.name)
            continue;
        QString why;
        if (source.available(&why)) {
            c.source = source.name;
            c.reason = source.reason.isEmpty() ? why + " (GPU power, not the whole machine)" : source.reason;
            return c;
        }
        whyNot << QString(source.name) + ": " + why;
    }
    if (requested != "auto")
        throw SpecError(QStringLiteral("--telemetry %1: %2").arg(requested, whyNot.join("; ")));
    c.source = "none";
    c.reason = "no power source, energy is not measured (" + whyNot.join("; ") + ")";
    return c;
}

TelemetryRecorder::TelemetryRecorder(const TelemetryChoice &choice) : m_choice(choice)
{
    if (choice.source == "none")
        return;
    // The source is made first (a replay may refuse its log), then moved to the telemetry thread,
    // where its child process or timer runs, and started there.
    const int interval = choice.intervalMs;
    std::function<void()> start;
    if (choice.source == "tegrastats") {
        auto *source = new TegrastatsSource(m_log);
        QObject::connect(source, &TegrastatsSource::problemOccurred, source, [this](const QString &message) {
            std::lock_guard guard(m_problemLock);
            m_problem = message;
        });
        const QString program = choice.program;
        start = [source, program, interval] { source->start(program, interval); };
        m_source = source;
    } else if (choice.source == "replay") {
        auto *source = new ReplaySource(choice.program, interval, choice.replaySpeed, m_log);
        start = [source] { source->start(); };
        m_source = source;
    } else {
        const auto kind = choice.source == "ina3221" ? PolledPowerSource::Kind::Ina3221
                          : choice.source == "nvml"  ? PolledPowerSource::Kind::Nvml
                                                     : PolledPowerSource::Kind::Rapl;
        auto *source = new PolledPowerSource(kind, choice.sysfsRoot, m_log);
        start = [source, interval] { source->start(interval); };
        m_source = source;
    }
    m_started = true;
    m_thread.setObjectName("telemetry");
    m_thread.start();
    m_source->moveToThread(&m_thread);
    QMetaObject::invokeMethod(m_source, start, Qt::BlockingQueuedConnection);
}

TelemetryRecorder::~TelemetryRecorder() { stop(); }

void TelemetryRecorder::stop()
{
    if (!m_source)
        return;
    QObject *source = m_source;
    // Sources (with their QProcess or QTimer) belong to the telemetry thread: stopped and deleted there;
    // a TegrastatsSource ends its child in its destructor.
    QMetaObject::invokeMethod(source, [source] { delete source; }, Qt::BlockingQueuedConnection);
    m_source = nullptr;
    m_thread.quit();
    m_thread.wait();
}

QString TelemetryRecorder::problem() const
{
    std::lock_guard guard(m_problemLock);
    return m_problem;
}

} // namespace ffint8
