// Per-unit figures by name.
#include "app/store/unit_metrics.h"

#include <cmath>

namespace ffint8 {

QStringList unitMetricNames()
{
    QStringList names;
    for (const UnitMetricField &f : kStoredUnitMetrics)
        names << QLatin1String(f.name);
    names << QLatin1String(kSeparationMetric);
    return names;
}

double unitMetric(const LayerMetrics &m, QStringView name)
{
    if (name == QLatin1String(kSeparationMetric))
        return unitSeparation(m);
    for (const UnitMetricField &f : kStoredUnitMetrics)
        if (name == QLatin1String(f.name))
            return m.*f.field;
    return NAN;
}

bool setUnitMetric(LayerMetrics &m, QStringView name, double value)
{
    for (const UnitMetricField &f : kStoredUnitMetrics) {
        if (name == QLatin1String(f.name)) {
            m.*f.field = value;
            return true;
        }
    }
    return false;
}

QString fallbackUnitName(int index)
{
    return QStringLiteral("layer%1").arg(index + 1);
}

} // namespace ffint8
