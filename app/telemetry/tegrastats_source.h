// The live tegrastats source: runs the program as a child (no shell), parses its lines as they come
// and logs board power on the monotonic clock. Lives on the thread that owns it (an event loop).
#pragma once

#include "app/telemetry/power_log.h"

#include <QObject>
#include <QProcess>

namespace ffint8 {

class TegrastatsSource : public QObject
{
    Q_OBJECT

public:
    TegrastatsSource(PowerLog &log, QObject *parent = nullptr);
    ~TegrastatsSource() override;

    // `program` is a path or a name found on PATH; `intervalMs` is passed as --interval.
    void start(const QString &program, int intervalMs);
    // Ends the child and waits for it; safe to call twice.
    void stop();

    int parsedLines() const { return m_parsed; }
    int skippedLines() const { return m_skipped; }
    // Empty while all is well; else what went wrong, said once.
    QString problem() const { return m_problem; }

signals:
    void problemOccurred(const QString &message);

private:
    void readLines();
    void report(const QString &message);

    PowerLog &m_log;
    QProcess m_process{this}; // a child, so that moveToThread() takes it along
    QByteArray m_partial;
    QString m_problem;
    int m_parsed = 0;
    int m_skipped = 0;
    bool m_stopping = false;
};

} // namespace ffint8
