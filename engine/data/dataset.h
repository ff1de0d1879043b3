// Datasets in memory: images as FP32 in [0, 1], labels as class indices, and how to find them on disk.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ffint8 {

struct Dataset
{
    std::string name;          // "fashion-mnist", "mnist", "cifar10" or the folder it came from
    int count = 0;             // number of examples
    int channels = 1;
    int height = 0;
    int width = 0;
    int numClasses = 10;
    // count x features(), row-major, each value in [0, 1]; an image's values are channels last
    // (height x width x channels, the NHWC layout of engine/nn/shape.h)
    std::vector<float> images;
    std::vector<uint8_t> labels; // count entries, each < numClasses

    int features() const { return channels * height * width; }
    const float *image(int i) const { return images.data() + size_t(i) * features(); }
};

struct DatasetSplits
{
    Dataset train;
    Dataset validation; // empty (count == 0) when no validation split was asked for
    Dataset test;
    std::string sourceDir; // the folder the files were read from
};

// Where datasets are looked for, in order: $FFINT8_DATA, the user data folder
// ($XDG_DATA_HOME/ffint8/datasets or ~/.local/share/ffint8/datasets), /usr/share/datasets.
std::vector<std::string> datasetSearchPaths();

// Loads "mnist", "fashion-mnist", "cifar10" (by name, searched in datasetSearchPaths()) or a
// folder path holding IDX files (train-images-idx3-ubyte[.gz], ...) or CIFAR-10 binary batches.
// Throws EngineError naming every place it looked, or the file, offset and field that is wrong.
DatasetSplits loadDataset(const std::string &nameOrPath, const std::vector<std::string> &searchPaths);

// Moves validationCount examples, chosen with a seeded shuffle, from splits.train to splits.validation.
void splitValidation(DatasetSplits &splits, int validationCount, uint64_t seed);

// Keeps the first `limit` examples (limit <= 0 keeps all).
void truncateDataset(Dataset &dataset, int limit);

// A seeded permutation of 0..count-1 (the same seed gives the same order on every machine).
std::vector<int> shuffledIndices(int count, uint64_t seed);

} // namespace ffint8
