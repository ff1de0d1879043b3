// The telemetry thread and the choice of source.
#include "app/telemetry/telemetry_recorder.h"

#include "app/spec/spec_error.h"
#include "app/telemetry/tegrastats_source.h"

#include <QFileInfo>
#include <QMetaObject>
#include <QStandardPaths>

namespace ffint8 {

namespace {

QString findProgram(const QString &program)
{
    if (program.contains('/'))
        return QFileInfo(program).isExecutable() ? program : QString();
    return QStandardPaths::findExecutable(program);
}

} // namespace

TelemetryChoice chooseTelemetry(const QString &requested, const QString &program, int intervalMs)
{
    if (requested != "auto" && requested != "tegrastats" && requested != "none")
        throw SpecError(QStringLiteral("--telemetry: '%1' is not one of auto, tegrastats, none").arg(requested));
    if (intervalMs <= 0)
        throw SpecError(QStringLiteral("--telemetry-interval: %1 is not a positive number of milliseconds").arg(intervalMs));
    TelemetryChoice c;
    c.intervalMs = intervalMs;
    if (requested == "none") {
        c.source = "none";
        c.reason = "telemetry switched off";
        return c;
    }
    const QString found = findProgram(program);
    if (!found.isEmpty()) {
        c.source = "tegrastats";
        c.program = found;
        c.reason = "tegrastats found at " + found;
        return c;
    }
    if (requested == "tegrastats")
        throw SpecError(QStringLiteral("--telemetry tegrastats: '%1' is not an executable file or on PATH").arg(program));
    c.source = "none";
    c.reason = QStringLiteral("no power source: '%1' is not on PATH (not a Jetson?); energy is not measured").arg(program);
    return c;
}

TelemetryRecorder::TelemetryRecorder(const TelemetryChoice &choice) : m_choice(choice)
{
    if (choice.source != "tegrastats")
        return;
    m_started = true;
    m_thread.setObjectName("telemetry");
    m_thread.start();
    m_source = new TegrastatsSource(m_log);
    m_source->moveToThread(&m_thread);
    QObject::connect(m_source, &TegrastatsSource::problemOccurred, m_source, [this](const QString &message) {
        QMutexLocker guard(&m_problemLock);
        m_problem = message;
    });
    const QString program = choice.program;
    const int interval = choice.intervalMs;
    TegrastatsSource *source = m_source;
    QMetaObject::invokeMethod(m_source, [source, program, interval] { source->start(program, interval); },
                              Qt::BlockingQueuedConnection);
}

TelemetryRecorder::~TelemetryRecorder() { stop(); }

void TelemetryRecorder::stop()
{
    if (!m_source)
        return;
    TegrastatsSource *source = m_source;
    // The source and its QProcess belong to the telemetry thread: they are stopped and deleted there.
    QMetaObject::invokeMethod(source, [source] {
        source->stop();
        delete source;
    }, Qt::BlockingQueuedConnection);
    m_source = nullptr;
    m_thread.quit();
    m_thread.wait();
}

QString TelemetryRecorder::problem() const
{
    QMutexLocker guard(&m_problemLock);
    return m_problem;
}

} // namespace ffint8
