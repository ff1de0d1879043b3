// Round robin over TrainingRun::trainNextEpoch().
#include "app/session/epoch_turns.h"

namespace ffint8 {

std::vector<RunSummary> trainInTurn(const std::vector<TrainingRun *> &runs)
{
    std::vector<bool> going(runs.size(), true);
    for (TrainingRun *run : runs)
        run->start();
    for (bool any = true; any;) {
        any = false;
        for (size_t i = 0; i < runs.size(); ++i) {
            if (going[i])
                going[i] = runs[i]->trainNextEpoch();
            any = any || going[i];
        }
    }
    std::vector<RunSummary> summaries;
    summaries.reserve(runs.size());
    for (TrainingRun *run : runs)
        summaries.push_back(run->summary());
    return summaries;
}

} // namespace ffint8
