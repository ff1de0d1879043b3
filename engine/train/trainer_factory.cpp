// Which trainer implements which algorithm.
#include "engine/train/ff_trainer.h"
#include "engine/train/trainer.h"

namespace ffint8 {

std::unique_ptr<Trainer> createTrainer(const TrainConfig &config, Backend &backend)
{
    switch (config.algorithm) {
    case Algorithm::FfFp32:
    case Algorithm::FfInt8: return std::make_unique<FfTrainer>(config, backend);
    }
    return nullptr;
}

} // namespace ffint8
