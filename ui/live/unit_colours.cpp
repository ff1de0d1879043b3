// Unit colours: a categorical palette for a few units, the Turbo colour map sampled for many.
#include "ui/live/unit_colours.h"

#include <algorithm>
#include <iterator>

namespace ffint8 {

namespace {

// Turbo (Mikhailov, Google 2019) by its published polynomial fit, t in [0, 1].
QColor turbo(double t)
{
    const double r = 0.13572138
        + t * (4.61539260 + t * (-42.66032258 + t * (132.13108234 + t * (-152.94239396 + t * 59.28637943))));
    const double g
        = 0.09140261 + t * (2.19418839 + t * (4.84296658 + t * (-14.18503333 + t * (4.27729857 + t * 2.82956604))));
    const double b = 0.10667330
        + t * (12.64194608 + t * (-60.58204836 + t * (110.36276771 + t * (-89.90310912 + t * 27.34824973))));
    return QColor::fromRgbF(float(std::clamp(r, 0.0, 1.0)), float(std::clamp(g, 0.0, 1.0)),
                            float(std::clamp(b, 0.0, 1.0)));
}

} // namespace

QColor unitColour(int unit, int units)
{
    // Tableau's ten: distinguishable in print, the colours runs of a few units always had.
    static const QColor palette[]
        = {QColor(31, 119, 180), QColor(214, 39, 40),  QColor(44, 160, 44),   QColor(148, 103, 189),
           QColor(255, 127, 14), QColor(140, 86, 75),  QColor(227, 119, 194), QColor(23, 190, 207),
           QColor(188, 189, 34), QColor(127, 127, 127)};
    static_assert(std::size(palette) == kPaletteUnits);
    if (units <= kPaletteUnits)
        return palette[std::clamp(unit, 0, kPaletteUnits - 1)];
    // Turbo's ends are nearly black: 0.05 to 0.95 keeps every sample a colour.
    const double t = 0.05 + 0.9 * double(std::clamp(unit, 0, units - 1)) / double(units - 1);
    QColor c = turbo(t);
    // Turbo's yellow-greens are bright enough to vanish on white: darkened to a readable luminance,
    // keeping their hue.
    constexpr double kMaxLuminance = 0.55;
    const double luminance = 0.2126 * c.redF() + 0.7152 * c.greenF() + 0.0722 * c.blueF();
    if (luminance > kMaxLuminance) {
        const double f = kMaxLuminance / luminance;
        c = QColor::fromRgbF(float(c.redF() * f), float(c.greenF() * f), float(c.blueF() * f));
    }
    return c;
}

} // namespace ffint8
