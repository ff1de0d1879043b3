// Per-unit figures by name: the metric names the store keeps a trainer's LayerMetrics under, the
// derived separation, and the name a unit gets when its run did not name it.
#pragma once

#include "engine/train/metrics.h"

#include <QString>
#include <QStringList>
#include <QStringView>

namespace ffint8 {

struct UnitMetricField
{
    const char *name;
    double LayerMetrics::*field;
};

// What the store keeps: one row per unit, step (or epoch) and metric whose value is not NaN, so a
// trainer with another set of figures, or a network of any number of units, needs no new columns.
inline constexpr UnitMetricField kStoredUnitMetrics[] = {
    {"goodness_pos", &LayerMetrics::goodnessPos},
    {"goodness_neg", &LayerMetrics::goodnessNeg},
    {"loss", &LayerMetrics::loss},
    {"grad_norm", &LayerMetrics::gradNorm},
    {"deviation", &LayerMetrics::deviation},
};

// goodness_pos - goodness_neg. Derived wherever it is read, never stored: a stored copy could
// disagree with the two figures it comes from, and would add a fifth to every FF unit's rows.
inline constexpr const char *kSeparationMetric = "separation";

// The separation of a unit's figures; NaN where it lacks either goodness.
inline double unitSeparation(const LayerMetrics &m)
{
    return m.goodnessPos - m.goodnessNeg;
}

// Every name unitMetric() answers: the stored metrics, then separation.
QStringList unitMetricNames();
// The figure `name` of `m` (separation derived); NaN where the unit has none or the name is unknown.
double unitMetric(const LayerMetrics &m, QStringView name);
// Sets the stored metric `name` of `m`; false (and `m` unchanged) for a derived or unknown name.
bool setUnitMetric(LayerMetrics &m, QStringView name, double value);
// The name of unit `index` (from 0) of a run that did not name it, and of the layers of runs stored
// before units had names: "layer1", "layer2", ...
QString fallbackUnitName(int index);

} // namespace ffint8
