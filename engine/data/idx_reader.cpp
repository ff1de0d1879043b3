// Reads IDX files (MNIST, Fashion-MNIST), raw or gzip-compressed, into memory.
#include "engine/data/idx_reader.h"

#include "engine/core/error.h"
#include "engine/data/gz_file.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <new>
#include <zlib.h>

namespace ffint8 {

namespace {

constexpr uint32_t ImagesMagic = 0x00000803; // unsigned bytes, 3 dimensions
constexpr uint32_t LabelsMagic = 0x00000801; // unsigned bytes, 1 dimension

std::string hex32(uint32_t v)
{
    char text[16];
    std::snprintf(text, sizeof text, "0x%08x", v);
    return text;
}

uint32_t bigEndian32(const uint8_t *p)
{
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}

// Reads the header words; a file too short for them is reported as truncated.
std::vector<uint32_t> readHeader(GzFile &file, const std::string &path, int words)
{
    uint8_t bytes[16];
    size_t want = size_t(words) * 4;
    size_t got = file.read(bytes, want);
    if (got < want)
        throw EngineError(path + ": truncated: the IDX header needs " + std::to_string(want) + " bytes, the file holds "
                          + std::to_string(got));
    file.advance(got);
    std::vector<uint32_t> header(static_cast<size_t>(words));
    for (int i = 0; i < words; ++i)
        header[size_t(i)] = bigEndian32(bytes + 4 * i);
    return header;
}

void checkMagic(uint32_t found, uint32_t expected, const std::string &path, const char *what)
{
    if (found != expected)
        throw EngineError(path + ": bad magic " + hex32(found) + " at offset 0, expected " + hex32(expected) + " (IDX "
                          + what + ")");
}

// Reads exactly size bytes of payload and insists the file ends right after them.
// Reads the `size` payload bytes the header promises into a buffer that grows with the data that
// actually arrives, a chunk at a time: a header that promises more than the file holds (a truncated
// or forged file claiming 2^31 images) costs no more memory than the file's own bytes.
std::vector<uint8_t> readPayload(GzFile &file, const std::string &path, uint64_t size, const std::string &promise)
{
    constexpr uint64_t kChunk = uint64_t(16) << 20;
    const size_t header = file.offset();
    std::vector<uint8_t> data;
    size_t got = 0;
    try {
        while (got < size) {
            const size_t want = size_t(std::min<uint64_t>(kChunk, size - got));
            data.resize(got + want);
            const size_t n = file.read(data.data() + got, want);
            got += n;
            if (n < want)
                break;
        }
    } catch (const std::bad_alloc &) {
        throw EngineError(path + ": out of memory reading " + std::to_string(size) + " bytes");
    }
    if (got < size)
        throw EngineError(path + ": truncated: its header promises " + promise + ", " + std::to_string(header + size) +
                          " bytes in all, but it holds " + std::to_string(header + got) + " bytes");
    file.advance(got);
    const size_t extra = file.skipRest();
    if (extra > 0)
        throw EngineError(path + ": its header promises " + promise + ", " + std::to_string(header + size) +
                          " bytes in all, but it holds " + std::to_string(header + size + extra) + " bytes");
    return data;
}

} // namespace

IdxImages readIdxImages(const std::string &path)
{
    GzFile file(path);
    std::vector<uint32_t> header = readHeader(file, path, 4);
    checkMagic(header[0], ImagesMagic, path, "unsigned-byte images, 3 dimensions");
    uint32_t count = header[1], rows = header[2], cols = header[3];
    if (count > uint32_t(INT_MAX) || rows == 0 || cols == 0 || rows > 65535 || cols > 65535)
        throw EngineError(path + ": implausible dimensions " + std::to_string(count) + " x " + std::to_string(rows)
                          + " x " + std::to_string(cols) + " in the header (offsets 4, 8, 12)");
    IdxImages images;
    images.count = int(count);
    images.rows = int(rows);
    images.cols = int(cols);
    uint64_t size = uint64_t(count) * rows * cols;
    images.pixels =
        readPayload(file, path, size, std::to_string(count) + " images of " + std::to_string(rows) + "x" + std::to_string(cols));
    return images;
}

std::vector<uint8_t> readIdxLabels(const std::string &path, int numClasses)
{
    GzFile file(path);
    std::vector<uint32_t> header = readHeader(file, path, 2);
    checkMagic(header[0], LabelsMagic, path, "unsigned-byte labels, 1 dimension");
    uint32_t count = header[1];
    if (count > uint32_t(INT_MAX))
        throw EngineError(path + ": implausible label count " + std::to_string(count) + " in the header (offset 4)");
    std::vector<uint8_t> labels = readPayload(file, path, count, std::to_string(count) + " labels");
    for (size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] >= numClasses)
            throw EngineError(path + ": label " + std::to_string(labels[i]) + " of example " + std::to_string(i)
                              + " (byte offset " + std::to_string(8 + i) + ") is out of range 0.."
                              + std::to_string(numClasses - 1));
    }
    return labels;
}

std::string findIdxFile(const std::string &dir, const std::string &prefix, const std::string &kind)
{
    for (const char *separator : {"-", "."}) {
        for (const char *suffix : {"", ".gz"}) {
            std::filesystem::path candidate = std::filesystem::path(dir) / (prefix + separator + kind + suffix);
            std::error_code ec;
            if (std::filesystem::is_regular_file(candidate, ec))
                return candidate.string();
        }
    }
    return {};
}

bool hasIdxFiles(const std::string &dir)
{
    return !findIdxFile(dir, "train-images", "idx3-ubyte").empty();
}

namespace {

std::string requireIdxFile(const std::string &dir, const std::string &prefix, const std::string &kind)
{
    std::string path = findIdxFile(dir, prefix, kind);
    if (path.empty())
        throw EngineError(dir + ": missing " + prefix + "-" + kind + " (looked for " + prefix + "-" + kind + ", "
                          + prefix + "." + kind + ", each with and without .gz)");
    return path;
}

Dataset makeDataset(const std::string &name, IdxImages &&images, std::vector<uint8_t> &&labels,
                    const std::string &imagesPath, const std::string &labelsPath)
{
    if (size_t(images.count) != labels.size())
        throw EngineError("image/label count mismatch: " + imagesPath + " holds " + std::to_string(images.count)
                          + " images but " + labelsPath + " holds " + std::to_string(labels.size()) + " labels");
    Dataset d;
    d.name = name;
    d.count = images.count;
    d.channels = 1;
    d.height = images.rows;
    d.width = images.cols;
    d.numClasses = 10;
    d.images.resize(images.pixels.size());
    for (size_t i = 0; i < images.pixels.size(); ++i)
        d.images[i] = float(images.pixels[i]) / 255.0f;
    d.labels = std::move(labels);
    std::vector<uint8_t>().swap(images.pixels); // the bytes are dead weight next to the floats
    return d;
}

} // namespace

DatasetSplits loadIdxFolder(const std::string &dir, const std::string &name)
{
    // Look for all four first so that a half-copied folder is reported before anything is read.
    std::string trainImages = requireIdxFile(dir, "train-images", "idx3-ubyte");
    std::string trainLabels = requireIdxFile(dir, "train-labels", "idx1-ubyte");
    std::string testImages = requireIdxFile(dir, "t10k-images", "idx3-ubyte");
    std::string testLabels = requireIdxFile(dir, "t10k-labels", "idx1-ubyte");

    DatasetSplits splits;
    splits.sourceDir = dir;
    // Sequenced reads, so that of two broken files the train images are always the one reported.
    IdxImages images = readIdxImages(trainImages);
    std::vector<uint8_t> labels = readIdxLabels(trainLabels, 10);
    splits.train = makeDataset(name, std::move(images), std::move(labels), trainImages, trainLabels);
    images = readIdxImages(testImages);
    labels = readIdxLabels(testLabels, 10);
    splits.test = makeDataset(name, std::move(images), std::move(labels), testImages, testLabels);
    if (splits.train.height != splits.test.height || splits.train.width != splits.test.width)
        throw EngineError("dimensions mismatch: " + trainImages + " holds " + std::to_string(splits.train.height) + "x"
                          + std::to_string(splits.train.width) + " images but " + testImages + " holds "
                          + std::to_string(splits.test.height) + "x" + std::to_string(splits.test.width));
    splits.validation.name = name;
    splits.validation.channels = splits.train.channels;
    splits.validation.height = splits.train.height;
    splits.validation.width = splits.train.width;
    return splits;
}

} // namespace ffint8
