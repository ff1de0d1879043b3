// Board power from a sample's rails, the same rule for every source.
#include "app/telemetry/telemetry_sample.h"

namespace ffint8 {

void TelemetrySample::deriveBoardPower()
{
    const PowerRail *input = rail(u"VDD_IN");
    if (!input)
        input = rail(u"POM_5V_IN");
    if (input) {
        boardMw = input->currentMw;
        boardAverageMw = input->averageMw;
        boardPowerFrom = BoardPowerFrom::InputRail;
        return;
    }
    if (rails.empty())
        return;
    double now = 0, average = 0;
    bool allAverages = true;
    for (const PowerRail &r : rails) {
        now += r.currentMw;
        if (r.averageMw)
            average += *r.averageMw;
        else
            allAverages = false;
    }
    boardMw = now;
    if (allAverages)
        boardAverageMw = average;
    boardPowerFrom = BoardPowerFrom::RailSum;
}

} // namespace ffint8
