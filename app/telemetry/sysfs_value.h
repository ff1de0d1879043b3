// One integer from a sysfs (or procfs) value file.
#pragma once

#include <QFile>
#include <QString>

#include <optional>

namespace ffint8 {

// A sysfs value file holds one integer and a newline; anything else (missing, a folder, garbage, a
// driver error on read) is no value, since one bad file must not cost a sample its other fields.
inline std::optional<qint64> readSysfsInteger(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    bool ok = false;
    const qint64 v = f.read(64).trimmed().toLongLong(&ok);
    return ok ? std::optional<qint64>(v) : std::nullopt;
}

} // namespace ffint8
