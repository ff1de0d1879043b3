// Write checks before long work.
#include "app/system/writable_path.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryFile>

namespace ffint8 {

QString whyNotWritable(const QString &path)
{
    if (path.isEmpty())
        return QStringLiteral("no file name given");
    const QFileInfo info(path);
    const QString folder = info.absolutePath();
    if (info.isDir())
        return QStringLiteral("%1 is a folder, not a file").arg(path);
    if (!QFileInfo(folder).isDir())
        return QStringLiteral("cannot write %1: the folder %2 does not exist").arg(path, folder);
    QTemporaryFile probe(QDir(folder).filePath(QStringLiteral(".ffint8-write-check-XXXXXX")));
    if (!probe.open())
        return QStringLiteral("cannot write %1: cannot create a file in %2 (%3)").arg(path, folder, probe.errorString());
    if (info.exists()) {
        QFile existing(path);
        if (!existing.open(QIODevice::ReadWrite)) // no Truncate: the file is left as it is
            return QStringLiteral("cannot write %1: %2").arg(path, existing.errorString());
    }
    return {};
}

} // namespace ffint8
