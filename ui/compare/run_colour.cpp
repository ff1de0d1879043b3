// Compared runs' colours (see run_colour.h).
#include "ui/compare/run_colour.h"

#include <iterator>

namespace ffint8 {

// Colours told apart by most readers, also on a projector (Okabe and Ito's palette).
QColor runColour(qsizetype index)
{
    static const QColor palette[]
        = {QColor(0, 114, 178), QColor(213, 94, 0),   QColor(0, 158, 115),  QColor(204, 121, 167),
           QColor(230, 159, 0), QColor(86, 180, 233), QColor(240, 228, 66), QColor(0, 0, 0)};
    return palette[index % qsizetype(std::size(palette))];
}

} // namespace ffint8
