// Tick placement shared by the live plots and the comparison plot.
#pragma once

class QCPAxis;

namespace ffint8 {

// Ticks on whole numbers only (1, 2, 5, 10, ... apart) and no sub-ticks, for an axis that counts
// (epochs); `whole` false restores QCustomPlot's default ticker.
void setWholeNumberTicks(QCPAxis *axis, bool whole);

} // namespace ffint8
