// Whether a file can be written where the user asked, checked before the work that would fill it.
#pragma once

#include <QString>

namespace ffint8 {

// Empty when `path` can be created or overwritten; otherwise why not, naming the path (its folder
// is missing or not writable, it is a folder, it is read-only). Probes by creating and removing a
// temporary file beside it, so permissions, read-only mounts and full quotas all show; an existing
// file is opened for writing without being changed.
QString whyNotWritable(const QString &path);

} // namespace ffint8
