// How the workbench's tables write run figures (accuracy, time, energy, memory, deltas): one place, so
// the browser and the compare view read alike. Unknown figures (NaN, or 0 bytes) are an empty string.
#pragma once

#include <QString>

namespace ffint8 {

QString formatPercent(double fraction); // 0.8945 -> "89.45"
QString formatSeconds(double seconds); // "42.0 s", "6 min 40 s", "2 h 05 min"
QString formatJoules(double joules); // "950.0 J", "2.32 kJ"
QString formatBytes(qint64 bytes); // "20.0 MiB"
QString formatDeltaPoints(double points); // "+1.20 pt", "-2.85 pt"
QString formatRatio(double ratio); // "0.51×"

} // namespace ffint8
