// Model files version 2: a model graph (its ModelSpec, input shape and class count), the settings
// it was trained with and every named tensor of ModelGraph::exportState, batch-norm running
// statistics included. MLP files stay version 1 (model_file.h).
#pragma once

#include "engine/io/model_file_bytes.h"
#include "engine/nn/layer.h"
#include "engine/nn/model_spec.h"
#include "engine/train/train_config.h"

#include <string>
#include <vector>

namespace ffint8 {

struct GraphModelFile
{
    // algorithm (and so the precision), model (the preset's name, or a described model's, whose
    // description `spec` then also becomes customModel), layers (the mlp preset's widths),
    // inputShape, classes, batch, masterWeights, optimizerState, seed, dataset.
    TrainConfig config;
    ModelSpec spec; // the graph as trained, which the file's state belongs to
    std::vector<NamedValues> state; // "block.layer.tensor" as ModelGraph::exportState names them
};

void saveGraphModel(const std::string &path, const GraphModelFile &model);
// Throws EngineError naming the file and what is wrong: not a model file, another version (a
// version 1 file holds an MLP: loadModel), truncated, corrupt (checksum), or a field out of range.
GraphModelFile loadGraphModel(const std::string &path);

// The version of a model file (1 or 2), its magic, size, version and checksum checked.
uint32_t modelFileVersion(const std::string &path);

} // namespace ffint8
