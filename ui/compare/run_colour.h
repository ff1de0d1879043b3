// The colour of the i-th compared run, the same in the curves and in the summary bars.
#pragma once

#include <QColor>

namespace ffint8 {

QColor runColour(qsizetype index);

} // namespace ffint8
