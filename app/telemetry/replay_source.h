// Plays a recorded tegrastats log as if the board were printing it now, at the log's own pace or
// faster, looping at its end: demos, tests, and users who recorded a log on another board.
// Lives on the telemetry thread.
#pragma once

#include "app/telemetry/power_log.h"

#include <QObject>
#include <QTimer>

#include <vector>

namespace ffint8 {

// A replay reads its log whole. A day of tegrastats lines at its default second is about 30 MB; a
// larger file is most likely the wrong one (a dataset, /dev/zero) and is refused unread.
constexpr qint64 kMaxReplayLogBytes = qint64(64) << 20;

class ReplaySource : public QObject
{
    Q_OBJECT

public:
    // Reads and parses the whole log. Throws SpecError naming the file when it cannot be read, is
    // larger than kMaxReplayLogBytes or holds no line with board power. `intervalMs` times lines
    // without timestamps (JetPack 4).
    ReplaySource(const QString &path, int intervalMs, double speed, PowerLog &log, QObject *parent = nullptr);

    void start();
    void stop() { m_timer.stop(); }
    int lines() const { return int(m_watts.size()); }

private:
    void playNext();

    PowerLog &m_log;
    std::vector<double> m_watts;
    std::vector<double> m_delaysMs; // before each line, already divided by the speed
    size_t m_next = 0;
    QTimer m_timer{this}; // a child, so that moveToThread() takes it along
};

} // namespace ffint8
