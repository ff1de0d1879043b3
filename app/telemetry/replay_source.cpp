// Replay of a recorded tegrastats log.
#include "app/telemetry/replay_source.h"

#include "app/spec/spec_error.h"
#include "app/telemetry/tegrastats_parser.h"
#include "app/telemetry/telemetry_sample.h"
#include "app/telemetry/time_axis.h"

#include <QFile>

namespace ffint8 {

namespace {

// The whole file, refused past kMaxReplayLogBytes: by its size when it has one, after the limit's
// worth of bytes for pipes and devices, which report none.
QByteArray readLog(QFile &f, const QString &path)
{
    const auto tooLarge = [&] {
        return SpecError(QStringLiteral("the telemetry log %1 is larger than the limit of %2 bytes for a replay, which "
                                        "reads it whole: is it the right file?")
                             .arg(path)
                             .arg(kMaxReplayLogBytes));
    };
    if (f.size() > kMaxReplayLogBytes)
        throw tooLarge();
    QByteArray text;
    char chunk[1 << 16];
    qint64 got = 0;
    while ((got = f.read(chunk, sizeof chunk)) > 0) {
        text.append(chunk, qsizetype(got));
        if (text.size() > kMaxReplayLogBytes)
            throw tooLarge();
    }
    if (got < 0)
        throw SpecError(QStringLiteral("cannot read the telemetry log %1: %2").arg(path, f.errorString()));
    return text;
}

} // namespace

ReplaySource::ReplaySource(const QString &path, int intervalMs, double speed, PowerLog &log, QObject *parent)
    : QObject(parent), m_log(log)
{
    if (!(speed > 0))
        throw SpecError(QStringLiteral("--replay-speed: %1 is not a positive factor").arg(speed));
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        throw SpecError(QStringLiteral("cannot read the telemetry log %1: %2").arg(path, f.errorString()));
    std::vector<std::optional<qint64>> stamps;
    TelemetrySample sample;
    for (const QByteArray &line : readLog(f, path).split('\n')) {
        if (parseTegrastatsLine(line, sample) && sample.boardMw) {
            m_watts.push_back(*sample.boardMw / 1000.0);
            stamps.push_back(sample.timestampMs);
        }
    }
    if (m_watts.empty())
        throw SpecError(QStringLiteral("the telemetry log %1 has no tegrastats line with board power").arg(path));
    const TimeAxis axis = buildTimeAxis(stamps, intervalMs);
    m_delaysMs.resize(m_watts.size());
    m_delaysMs[0] = axis.stepMs / speed; // the step from the log's end back to its start when it loops
    for (size_t i = 1; i < m_watts.size(); ++i)
        m_delaysMs[i] = (axis.seconds[i] - axis.seconds[i - 1]) * 1000.0 / speed;
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &ReplaySource::playNext);
}

void ReplaySource::start()
{
    m_next = 0;
    playNext();
}

void ReplaySource::playNext()
{
    m_log.append(monotonicSeconds(), m_watts[m_next]);
    m_next = (m_next + 1) % m_watts.size();
    m_timer.start(std::max(1, int(m_delaysMs[m_next] + 0.5)));
}

} // namespace ffint8
