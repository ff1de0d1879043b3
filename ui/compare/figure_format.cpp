// Text for run figures (see figure_format.h).
#include "ui/compare/figure_format.h"

#include <cmath>

namespace ffint8 {

QString formatPercent(double fraction)
{
    return std::isfinite(fraction) ? QString::number(fraction * 100.0, 'f', 2) : QString();
}

QString formatSeconds(double seconds)
{
    if (!std::isfinite(seconds))
        return {};
    if (seconds < 100.0)
        return QStringLiteral("%1 s").arg(seconds, 0, 'f', 1);
    const qint64 whole = std::llround(seconds);
    if (whole < 3600)
        return QStringLiteral("%1 min %2 s").arg(whole / 60).arg(whole % 60, 2, 10, QChar('0'));
    return QStringLiteral("%1 h %2 min").arg(whole / 3600).arg(whole % 3600 / 60, 2, 10, QChar('0'));
}

QString formatJoules(double joules)
{
    if (!std::isfinite(joules))
        return {};
    return joules < 1000.0 ? QStringLiteral("%1 J").arg(joules, 0, 'f', 1)
                           : QStringLiteral("%1 kJ").arg(joules / 1000.0, 0, 'f', 2);
}

QString formatBytes(qint64 bytes)
{
    if (bytes <= 0)
        return {};
    if (bytes < 1024)
        return QStringLiteral("%1 B").arg(bytes);
    const char *units[] = {"KiB", "MiB", "GiB", "TiB"};
    double value = double(bytes) / 1024.0;
    int unit = 0;
    while (value >= 1024.0 && unit < 3) {
        value /= 1024.0;
        ++unit;
    }
    return QStringLiteral("%1 %2").arg(value, 0, 'f', 1).arg(QLatin1String(units[unit]));
}

QString formatDeltaPoints(double points)
{
    if (!std::isfinite(points))
        return {};
    return QStringLiteral("%1%2 pt").arg(points >= 0 ? QStringLiteral("+") : QString()).arg(points, 0, 'f', 2);
}

QString formatRatio(double ratio)
{
    return std::isfinite(ratio) ? QStringLiteral("%1×").arg(ratio, 0, 'f', 2) : QString();
}

} // namespace ffint8
