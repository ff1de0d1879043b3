// Trained models on disk: a versioned binary file with the settings prediction depends on and the
// FP32 parameters of every layer (INT8 weights are re-derived from them exactly as in training).
#pragma once

#include "engine/train/train_config.h"
#include "engine/train/trainer.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ffint8 {

constexpr uint32_t kModelFileVersion = 1;

struct ModelFile
{
    TrainConfig config; // algorithm, layers, goodness, theta, label value, prediction layers, quantisers
    std::vector<LayerParameters> layers;
};

void saveModel(const std::string &path, const ModelFile &model);
// Throws EngineError naming the file and what is wrong: not a model file, another version,
// truncated, or corrupt (checksum).
ModelFile loadModel(const std::string &path);
// Model files above this size are refused before they are read: far above any model of the paper's.
constexpr uint64_t kMaxModelFileBytes = uint64_t(1) << 30;

} // namespace ffint8
