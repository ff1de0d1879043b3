// The machine's RAM as the kernel counts it (/proc/meminfo); this process's own share is process_memory.h.
#include "app/telemetry/system_memory.h"

#include <QFile>

namespace ffint8 {

SystemMemory readSystemMemory(const QString &procRoot)
{
    SystemMemory m;
    QFile f(procRoot + QStringLiteral("/meminfo"));
    if (!f.open(QIODevice::ReadOnly))
        return m;
    // Lines read `MemTotal:       16318480 kB`; every size in meminfo is in KiB despite the `kB`.
    for (const QByteArray &line : f.readAll().split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon < 0)
            continue;
        const QByteArray key = line.left(colon);
        if (key != "MemTotal" && key != "MemAvailable")
            continue;
        const QList<QByteArray> parts = line.mid(colon + 1).simplified().split(' ');
        bool ok = false;
        const qulonglong kib = parts.value(0).toULongLong(&ok);
        if (!ok || parts.value(1) != "kB")
            continue;
        (key == "MemTotal" ? m.totalBytes : m.availableBytes) = uint64_t(kib) * 1024;
    }
    return m;
}

} // namespace ffint8
