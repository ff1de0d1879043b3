// Reading a spec or suite file with a limit on its size: specs are a few kilobytes, so a larger
// file (a wrong path, /dev/zero, a dataset named by mistake) is refused before it is read whole.
#pragma once

#include <QByteArray>
#include <QString>

namespace ffint8 {

constexpr qint64 kMaxSpecFileBytes = qint64(1) << 20;

// The file's bytes; throws SpecError naming the file when it cannot be read or holds more than
// kMaxSpecFileBytes (`what` says what the file was read as: "experiment spec", "suite").
QByteArray readSpecFile(const QString &path, const QString &what);

} // namespace ffint8
