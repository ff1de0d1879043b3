// Reads VmRSS and VmHWM from /proc/self/status, and resets VmHWM through /proc/self/clear_refs.
#include "app/system/process_memory.h"

#include <QFile>

namespace ffint8 {

ProcessMemory readProcessMemory()
{
    ProcessMemory m;
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return m;
    for (const QByteArray &line : f.readAll().split('\n')) {
        auto kib = [&](const char *key) { return line.mid(qsizetype(qstrlen(key))).trimmed().split(' ').value(0).toULongLong() * 1024; };
        if (line.startsWith("VmRSS:"))
            m.rssBytes = kib("VmRSS:");
        else if (line.startsWith("VmHWM:"))
            m.peakRssBytes = kib("VmHWM:");
    }
    return m;
}

void resetPeakRss()
{
    QFile f(QStringLiteral("/proc/self/clear_refs"));
    if (f.open(QIODevice::WriteOnly))
        f.write("5");
}

} // namespace ffint8
