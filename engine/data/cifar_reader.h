// Reads the binary version of CIFAR-10 (data_batch_1..5.bin, test_batch.bin) into memory.
#pragma once

#include "engine/data/dataset.h"

#include <string>

namespace ffint8 {

// Reads one batch file: records of 1 label byte + 3x32x32 channel-major pixel bytes. Throws
// EngineError naming the file when its size is not a whole, non-zero number of records or a label is >= 10.
Dataset readCifarBatch(const std::string &path);

// The folder holding the batches: dir itself or dir/cifar-10-batches-bin; empty when neither has
// data_batch_1.bin.
std::string findCifarFolder(const std::string &dir);

// Reads all six batches of the folder findCifarFolder(dir) returns; the datasets get the given name.
DatasetSplits loadCifarFolder(const std::string &dir, const std::string &name);

} // namespace ffint8
