// Reads IDX files (MNIST, Fashion-MNIST), raw or gzip-compressed, into memory.
#pragma once

#include "engine/data/dataset.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ffint8 {

struct IdxImages
{
    int count = 0;
    int rows = 0;
    int cols = 0;
    std::vector<uint8_t> pixels; // count x rows x cols bytes
};

// Both read raw or gzip files (told apart by content, not by name) and throw EngineError naming
// the file on a bad magic, a truncated or over-long file, or a label >= numClasses.
IdxImages readIdxImages(const std::string &path);
std::vector<uint8_t> readIdxLabels(const std::string &path, int numClasses);

// The first existing spelling of an IDX file in dir: "<prefix>-<kind>", "<prefix>.<kind>", each
// also with ".gz" (prefix "train-images", kind "idx3-ubyte"); empty when none exists.
std::string findIdxFile(const std::string &dir, const std::string &prefix, const std::string &kind);

// True when dir holds a train-images file in any spelling.
bool hasIdxFiles(const std::string &dir);

// Reads the four IDX files of dir; the datasets get the given name.
DatasetSplits loadIdxFolder(const std::string &dir, const std::string &name);

} // namespace ffint8
