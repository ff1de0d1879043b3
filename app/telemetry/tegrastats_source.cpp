// The live tegrastats source.
#include "app/telemetry/tegrastats_source.h"

#include "app/telemetry/tegrastats_parser.h"
#include "app/telemetry/telemetry_sample.h"

#include <csignal>
#include <sys/prctl.h>

namespace ffint8 {

TegrastatsSource::TegrastatsSource(PowerLog &log, QObject *parent) : QObject(parent), m_log(log)
{
    connect(&m_process, &QProcess::readyReadStandardOutput, this, &TegrastatsSource::readLines);
    connect(&m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            report(QStringLiteral("cannot start %1: %2").arg(m_process.program(), m_process.errorString()));
    });
    connect(&m_process, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        if (!m_stopping)
            report(QStringLiteral("%1 exited during the run (%2 %3); power is not measured from here on")
                       .arg(m_process.program(), status == QProcess::CrashExit ? "signal" : "exit code")
                       .arg(code));
    });
}

TegrastatsSource::~TegrastatsSource() { stop(); }

void TegrastatsSource::start(const QString &program, int intervalMs)
{
    m_stopping = false;
    m_process.setProgram(program);
    m_process.setArguments({"--interval", QString::number(intervalMs)});
    m_process.setProcessChannelMode(QProcess::SeparateChannels);
    // If this process dies without stopping the child (SIGKILL, a crash), the kernel ends the child
    // too, so no tegrastats is left running on the board.
    m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
    m_process.start(QIODevice::ReadOnly);
}

void TegrastatsSource::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_stopping = true;
    m_process.terminate();
    if (!m_process.waitForFinished(2000)) {
        m_process.kill();
        m_process.waitForFinished(2000);
    }
}

void TegrastatsSource::readLines()
{
    const double now = monotonicSeconds();
    m_partial += m_process.readAllStandardOutput();
    qsizetype start = 0;
    for (qsizetype end; (end = m_partial.indexOf('\n', start)) >= 0; start = end + 1) {
        QByteArrayView line(m_partial.constData() + start, end - start);
        if (line.trimmed().isEmpty())
            continue;
        TelemetrySample sample;
        if (parseTegrastatsLine(line, sample) && sample.boardMw) {
            // Stamped on arrival: tegrastats prints whole seconds at best, the engine times in microseconds.
            m_log.append(now, *sample.boardMw / 1000.0);
            ++m_parsed;
        } else {
            ++m_skipped;
        }
    }
    m_partial.remove(0, start);
}

void TegrastatsSource::report(const QString &message)
{
    if (!m_problem.isEmpty())
        return;
    m_problem = message;
    emit problemOccurred(message);
}

} // namespace ffint8
