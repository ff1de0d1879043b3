// Finds a dataset by name in the search paths (or takes a folder path) and loads it.
#include "engine/core/error.h"
#include "engine/data/cifar_reader.h"
#include "engine/data/dataset.h"
#include "engine/data/dataset_name.h"
#include "engine/data/idx_reader.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>

namespace ffint8 {

namespace {

enum class Format { Idx, Cifar, Any };

struct KnownDataset
{
    const char *name;
    std::vector<const char *> aliases;
    std::vector<const char *> folders; // sub-folders of a search path, in the order tried
    Format format;
};

// The folder spellings cover the usual downloads: plain names, and torchvision's <Name>/raw layout.
const std::vector<KnownDataset> &knownDatasets()
{
    static const std::vector<KnownDataset> table = {
        {"mnist", {"mnist"}, {"mnist", "MNIST/raw"}, Format::Idx},
        {"fashion-mnist",
         {"fashion-mnist", "fashion_mnist", "fmnist", "fashionmnist"},
         {"fashion-mnist", "fashion_mnist", "fmnist", "FashionMNIST/raw"},
         Format::Idx},
        {"cifar10",
         {"cifar10", "cifar-10", "cifar_10"},
         {"cifar10", "cifar-10", "cifar-10-batches-bin"},
         Format::Cifar},
    };
    return table;
}

std::string lowerCase(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

const KnownDataset *findKnown(const std::string &name)
{
    std::string key = lowerCase(name);
    for (const KnownDataset &known : knownDatasets()) {
        for (const char *alias : known.aliases) {
            if (key == alias)
                return &known;
        }
    }
    return nullptr;
}

bool isDirectory(const std::string &path)
{
    std::error_code ec;
    return std::filesystem::is_directory(path, ec);
}

bool holds(const std::string &dir, Format format)
{
    bool idx = format != Format::Cifar && hasIdxFiles(dir);
    bool cifar = format != Format::Idx && !findCifarFolder(dir).empty();
    return idx || cifar;
}

DatasetSplits loadFolder(const std::string &dir, const std::string &name, Format format)
{
    if (format != Format::Cifar && hasIdxFiles(dir))
        return loadIdxFolder(dir, name);
    if (format != Format::Idx && !findCifarFolder(dir).empty())
        return loadCifarFolder(dir, name);
    throw EngineError(dir
                      + ": holds neither IDX files (train-images-idx3-ubyte[.gz], ...) nor CIFAR-10 batches "
                        "(data_batch_1.bin, ..., also in cifar-10-batches-bin/)");
}

std::string envValue(const char *name)
{
    const char *value = std::getenv(name);
    return value ? std::string(value) : std::string();
}

} // namespace

std::string canonicalDatasetName(const std::string &nameOrPath)
{
    std::string name = nameOrPath;
    if (name.find('/') != std::string::npos) {
        const std::filesystem::path path = std::filesystem::path(name).lexically_normal();
        name = path.filename().string();
        if (name.empty())
            name = path.parent_path().filename().string();
    }
    const KnownDataset *known = findKnown(name);
    return known ? known->name : std::string();
}

std::vector<std::string> datasetSearchPaths()
{
    std::vector<std::string> paths;
    if (std::string data = envValue("FFINT8_DATA"); !data.empty())
        paths.push_back(data);
    // The XDG spec ignores a relative XDG_DATA_HOME, so do we.
    if (std::string xdg = envValue("XDG_DATA_HOME"); !xdg.empty() && xdg.front() == '/')
        paths.push_back((std::filesystem::path(xdg) / "ffint8" / "datasets").string());
    else if (std::string home = envValue("HOME"); !home.empty())
        paths.push_back((std::filesystem::path(home) / ".local" / "share" / "ffint8" / "datasets").string());
    paths.push_back("/usr/share/datasets");
    return paths;
}

DatasetSplits loadDataset(const std::string &nameOrPath, const std::vector<std::string> &searchPaths)
{
    if (nameOrPath.empty())
        throw EngineError("no dataset given: expected mnist, fashion-mnist, cifar10 or a folder path");
    const KnownDataset *known = findKnown(nameOrPath);

    if (nameOrPath.find('/') != std::string::npos || isDirectory(nameOrPath)) {
        if (!isDirectory(nameOrPath))
            throw EngineError("dataset folder " + nameOrPath + " does not exist or is not a folder");
        // A folder called fashion-mnist/ still records its data set by the canonical name.
        std::string base = std::filesystem::path(nameOrPath).lexically_normal().filename().string();
        if (base.empty())
            base = std::filesystem::path(nameOrPath).lexically_normal().parent_path().filename().string();
        const KnownDataset *byFolder = findKnown(base);
        return loadFolder(nameOrPath, byFolder ? byFolder->name : nameOrPath, Format::Any);
    }

    // An unknown name is still looked for as a sub-folder of that name, in whatever format it holds.
    std::string name = known ? known->name : nameOrPath;
    std::vector<const char *> folders = known ? known->folders : std::vector<const char *>{nameOrPath.c_str()};
    Format format = known ? known->format : Format::Any;

    std::vector<std::string> looked;
    for (const std::string &root : searchPaths) {
        for (const char *folder : folders) {
            std::string dir = (std::filesystem::path(root) / folder).string();
            looked.push_back(dir);
            if (isDirectory(dir) && holds(dir, format))
                return loadFolder(dir, name, format);
        }
    }

    std::string message = "dataset '" + nameOrPath + "' not found";
    if (looked.empty()) {
        message += ": there are no search paths";
    } else {
        message += "; looked in:";
        for (const std::string &dir : looked)
            message += "\n  " + dir + (isDirectory(dir) ? " (exists, but holds no data set files)" : "");
    }
    message += "\nSet FFINT8_DATA to a folder holding " + std::string(folders.front())
        + "/, or pass the folder path itself.";
    if (!known)
        message += " Known names: mnist, fashion-mnist, cifar10.";
    throw EngineError(message);
}

} // namespace ffint8
