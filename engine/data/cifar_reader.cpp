// Reads the binary version of CIFAR-10 (data_batch_1..5.bin, test_batch.bin) into memory.
#include "engine/data/cifar_reader.h"

#include "engine/core/error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

namespace ffint8 {

namespace {

constexpr int Side = 32;
constexpr int Channels = 3;
constexpr size_t PixelBytes = size_t(Channels) * Side * Side;
constexpr size_t RecordBytes = 1 + PixelBytes;
constexpr int BatchCount = 5;

std::vector<uint8_t> readWholeFile(const std::string &path)
{
    std::error_code ec;
    uintmax_t size = std::filesystem::file_size(path, ec);
    if (ec)
        throw EngineError(path + ": cannot read: " + ec.message());
    std::unique_ptr<FILE, int (*)(FILE *)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file)
        throw EngineError(path + ": cannot open: " + std::strerror(errno));
    if (size == 0 || size % RecordBytes != 0)
        throw EngineError(path + ": size " + std::to_string(size) + " bytes is not a whole, non-zero number of "
                          + std::to_string(RecordBytes) + "-byte CIFAR-10 records (1 label + 3x32x32 pixels)");
    std::vector<uint8_t> bytes(static_cast<size_t>(size));
    size_t got = std::fread(bytes.data(), 1, bytes.size(), file.get());
    if (got != bytes.size())
        throw EngineError(path + ": short read: expected " + std::to_string(bytes.size()) + " bytes, got "
                          + std::to_string(got));
    return bytes;
}

Dataset emptyLike(const std::string &name)
{
    Dataset d;
    d.name = name;
    d.channels = Channels;
    d.height = Side;
    d.width = Side;
    d.numClasses = 10;
    return d;
}

void append(Dataset &into, const Dataset &part)
{
    into.images.insert(into.images.end(), part.images.begin(), part.images.end());
    into.labels.insert(into.labels.end(), part.labels.begin(), part.labels.end());
    into.count += part.count;
}

std::string requireFile(const std::string &dir, const std::string &name)
{
    std::filesystem::path path = std::filesystem::path(dir) / name;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw EngineError(dir + ": missing " + name + " (CIFAR-10 binary needs data_batch_1.bin .. data_batch_"
                          + std::to_string(BatchCount) + ".bin and test_batch.bin)");
    return path.string();
}

} // namespace

Dataset readCifarBatch(const std::string &path)
{
    std::vector<uint8_t> bytes = readWholeFile(path);
    Dataset d = emptyLike(path);
    d.count = int(bytes.size() / RecordBytes);
    d.images.resize(size_t(d.count) * PixelBytes);
    d.labels.resize(size_t(d.count));
    for (size_t r = 0; r < size_t(d.count); ++r) {
        const uint8_t *record = bytes.data() + r * RecordBytes;
        if (record[0] >= d.numClasses)
            throw EngineError(path + ": label " + std::to_string(record[0]) + " of record " + std::to_string(r)
                              + " (byte offset " + std::to_string(r * RecordBytes) + ") is out of range 0.."
                              + std::to_string(d.numClasses - 1));
        d.labels[r] = record[0];
        // The file stores each channel's plane in turn; the engine's images are channels last
        // (NHWC, engine/nn/shape.h), so pixel p's channel c goes to p * 3 + c.
        float *out = d.images.data() + r * PixelBytes;
        const size_t plane = size_t(Side) * Side;
        for (size_t c = 0; c < size_t(Channels); ++c)
            for (size_t p = 0; p < plane; ++p)
                out[p * Channels + c] = float(record[1 + c * plane + p]) / 255.0f;
    }
    return d;
}

std::string findCifarFolder(const std::string &dir)
{
    const std::filesystem::path base(dir);
    for (const std::filesystem::path &candidate : {base, base / "cifar-10-batches-bin"}) {
        std::error_code ec;
        if (std::filesystem::is_regular_file(candidate / "data_batch_1.bin", ec))
            return candidate.string();
    }
    return {};
}

DatasetSplits loadCifarFolder(const std::string &dir, const std::string &name)
{
    std::string folder = findCifarFolder(dir);
    if (folder.empty())
        throw EngineError(dir + ": no data_batch_1.bin here or in "
                          + (std::filesystem::path(dir) / "cifar-10-batches-bin").string());
    // Look for every file first so that a half-copied folder is reported before anything is read.
    std::vector<std::string> trainFiles;
    for (int b = 1; b <= BatchCount; ++b)
        trainFiles.push_back(requireFile(folder, "data_batch_" + std::to_string(b) + ".bin"));
    std::string testFile = requireFile(folder, "test_batch.bin");

    DatasetSplits splits;
    splits.sourceDir = folder;
    splits.train = emptyLike(name);
    // Reserving up front keeps the peak near one copy of the floats instead of two while appending.
    size_t records = 0;
    for (const std::string &file : trainFiles) {
        std::error_code ec;
        records += size_t(std::filesystem::file_size(file, ec) / RecordBytes);
    }
    splits.train.images.reserve(records * PixelBytes);
    splits.train.labels.reserve(records);
    for (const std::string &file : trainFiles)
        append(splits.train, readCifarBatch(file));
    splits.test = readCifarBatch(testFile);
    splits.test.name = name;
    splits.validation = emptyLike(name);
    return splits;
}

} // namespace ffint8
