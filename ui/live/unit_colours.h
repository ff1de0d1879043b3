// Each unit's colour in every plot and in the unit picker: a palette for a few units, a colour map for many.
#pragma once

#include <QColor>

namespace ffint8 {

// Up to kPaletteUnits units take the ten colours of a categorical palette; more take evenly spaced
// samples of a rainbow colour map (Turbo) from the first unit to the last, so that no two units
// share a colour and hue follows depth: early units blue, middle ones green, late ones red. Samples
// too light to read on a white plot are darkened.
QColor unitColour(int unit, int units);

constexpr int kPaletteUnits = 10;

} // namespace ffint8
