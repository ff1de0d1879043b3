// A fixed ticker of step 1 scaled by multiples: never the fractions of an epoch that do not exist.
#include "ui/plot/axis_ticks.h"

#include <qcustomplot.h>

namespace ffint8 {

void setWholeNumberTicks(QCPAxis *axis, bool whole)
{
    axis->setSubTicks(!whole);
    if (!whole) {
        axis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        return;
    }
    QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    axis->setTicker(ticker);
}

} // namespace ffint8
