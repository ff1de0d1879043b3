// Trained models on disk: a versioned binary file with the settings prediction depends on and the
// FP32 parameters of every layer (INT8 weights are re-derived from them exactly as in training).
#pragma once

#include "engine/io/model_file_bytes.h"
#include "engine/train/train_config.h"
#include "engine/train/trainer.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ffint8 {

struct ModelFile
{
    TrainConfig config; // algorithm, layers, goodness, theta, label value, prediction layers, quantisers
    std::vector<LayerParameters> layers;
};

void saveModel(const std::string &path, const ModelFile &model);
// Throws EngineError naming the file and what is wrong: not a model file, another version (a
// version 2 file holds a model graph: loadGraphModel), truncated, or corrupt (checksum).
ModelFile loadModel(const std::string &path);

} // namespace ffint8
