// Size-limited reading of spec and suite files (see spec_file.h).
#include "app/spec/spec_file.h"

#include "app/spec/spec_error.h"

#include <QFile>

namespace ffint8 {

QByteArray readSpecFile(const QString &path, const QString &what)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw SpecError(QStringLiteral("cannot read %1 %2: %3").arg(what, path, file.errorString()));
    // One byte past the limit tells an over-long file from one exactly at it; size() is no help for
    // pipes and devices, which report 0.
    const QByteArray bytes = file.read(kMaxSpecFileBytes + 1);
    if (bytes.size() > kMaxSpecFileBytes)
        throw SpecError(QStringLiteral("%1 %2 is larger than the limit of %3 bytes for such files: is it the right file?")
                            .arg(what, path)
                            .arg(kMaxSpecFileBytes));
    return bytes;
}

} // namespace ffint8
