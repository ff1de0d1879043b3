// The canonical name of a dataset the engine knows by name, from any of its aliases or a folder's name.
#pragma once

#include <string>

namespace ffint8 {

// "mnist", "fashion-mnist" or "cifar10" for one of their aliases (any case: "CIFAR-10",
// "fmnist"), or for a folder path whose last component is one (as loadDataset records the data set
// read from it); empty for any other name or folder. Reads nothing: the name alone decides.
std::string canonicalDatasetName(const std::string &nameOrPath);

} // namespace ffint8
