// The shared byte layer of model files: reading with the size limit, magic, version and checksum
// checked in that order, and the atomic write.
#include "engine/io/model_file_bytes.h"

#include "engine/core/error.h"

#include <cerrno>
#include <cstdio>
#include <fstream>

namespace ffint8 {

namespace {

constexpr char kMagic[8] = {'F', 'F', 'I', 'N', 'T', '8', 'M', 'D'};

} // namespace

uint64_t modelFileChecksum(const char *data, size_t n)
{
    uint64_t h = 0xCBF29CE484222325ULL;
    for (size_t i = 0; i < n; ++i)
        h = (h ^ uint8_t(data[i])) * 0x100000001B3ULL;
    return h;
}

void putText(std::string &out, const std::string &text)
{
    putValue(out, uint32_t(text.size()));
    out += text;
}

void ModelFileReader::need(size_t n, const char *what)
{
    // Compared as what remains, so a huge n cannot wrap around the sum.
    if (n > m_end - m_pos)
        throw EngineError(m_path + ": truncated model file: " + what + " needs " + std::to_string(n)
                          + " bytes at offset " + std::to_string(m_pos) + ", only " + std::to_string(m_end - m_pos)
                          + " remain");
}

void ModelFileReader::floats(std::vector<float> &v, size_t n, const char *what)
{
    // Checked as a count first: n * sizeof(float) may not fit size_t.
    if (n > (m_end - m_pos) / sizeof(float))
        throw EngineError(m_path + ": truncated model file: " + what + " needs " + std::to_string(n)
                          + " values at offset " + std::to_string(m_pos) + ", only " + std::to_string(m_end - m_pos)
                          + " bytes remain");
    v.resize(n);
    std::memcpy(v.data(), m_bytes.data() + m_pos, n * sizeof(float));
    m_pos += n * sizeof(float);
}

std::string ModelFileReader::text(size_t n, const char *what)
{
    need(n, what);
    std::string s = m_bytes.substr(m_pos, n);
    m_pos += n;
    return s;
}

std::string ModelFileReader::lengthPrefixedText(size_t maxLength, const char *what)
{
    const uint32_t length = get<uint32_t>(what);
    if (length > maxLength)
        throw EngineError(m_path + ": " + what + " of " + std::to_string(length) + " bytes at offset "
                          + std::to_string(m_pos - sizeof length) + ", more than the " + std::to_string(maxLength)
                          + " a model file allows");
    return text(length, what);
}

ModelFileBody readModelFileBody(const std::string &path, uint32_t expected)
{
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in)
        throw EngineError("cannot open model file " + path + ": " + std::strerror(errno));
    const std::streamoff size = in.tellg();
    if (size < 0)
        throw EngineError("cannot read model file " + path + ": its size is unknown");
    if (uint64_t(size) > kMaxModelFileBytes)
        throw EngineError(path + ": " + std::to_string(size) + " bytes, more than the "
                          + std::to_string(kMaxModelFileBytes) + " (1 GiB) a model file may have");
    // The file's size is known and bounded, so reading it whole allocates only what is there.
    std::string bytes(size_t(size), '\0');
    in.seekg(0);
    if (!in.read(bytes.data(), size))
        throw EngineError("cannot read model file " + path + ": " + std::strerror(errno));
    if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
        throw EngineError(path + " is not an FF-INT8 model file (it does not start with \"FFINT8MD\")");
    if (bytes.size() < sizeof kMagic + 4 + 8)
        throw EngineError(path + ": truncated model file (" + std::to_string(bytes.size()) + " bytes)");
    ModelFileBody body;
    body.bytes = bytes.substr(sizeof kMagic);
    std::memcpy(&body.version, body.bytes.data(), sizeof body.version);
    if (body.version != kModelFileVersion && body.version != kGraphModelFileVersion)
        throw EngineError(path + ": model file version " + std::to_string(body.version) + "; this build reads versions "
                          + std::to_string(kModelFileVersion) + " (MLPs) and " + std::to_string(kGraphModelFileVersion)
                          + " (model graphs)");
    uint64_t stored;
    const size_t checked = body.bytes.size() - sizeof stored;
    std::memcpy(&stored, body.bytes.data() + checked, sizeof stored);
    if (stored != modelFileChecksum(body.bytes.data(), checked))
        throw EngineError(path + ": model file is corrupt or truncated (checksum mismatch)");
    if (expected != 0 && body.version != expected)
        throw EngineError(path + ": model file version " + std::to_string(body.version) + " holds "
                          + (body.version == kModelFileVersion
                                 ? "an MLP, not a model graph (loadModel reads it)"
                                 : "a model graph, not an MLP (loadGraphModel reads it)"));
    return body;
}

void writeModelFile(const std::string &path, const std::string &body)
{
    const uint64_t checksum = modelFileChecksum(body.data(), body.size());
    const std::string temp = path + ".partial";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        if (!out)
            throw EngineError("cannot write model file " + temp + ": " + std::strerror(errno));
        out.write(kMagic, sizeof kMagic);
        out.write(body.data(), std::streamsize(body.size()));
        out.write(reinterpret_cast<const char *>(&checksum), sizeof checksum);
        if (!out.flush())
            throw EngineError("writing model file " + temp + " failed: " + std::strerror(errno));
    }
    if (std::rename(temp.c_str(), path.c_str()) != 0)
        throw EngineError("cannot rename " + temp + " to " + path + ": " + std::strerror(errno));
}

} // namespace ffint8
