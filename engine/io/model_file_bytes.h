// The byte layer that model files of every version share: the magic, the size limit, the checksum,
// a bounds-checked reader and the write beside the target that is renamed over it.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace ffint8 {

constexpr uint32_t kModelFileVersion = 1; // an MLP: settings and LayerParameters (model_file.h)
constexpr uint32_t kGraphModelFileVersion = 2; // a model graph: ModelSpec and named state (graph_model_file.h)
// Larger files are refused before any of them is read: the largest model a run here trains is
// tens of MB, and a corrupt length must not make the reader allocate what the disk does not hold.
constexpr uint64_t kMaxModelFileBytes = uint64_t(1) << 30;

// 64-bit FNV-1a: enough to tell a damaged file, not a defence against a forged one.
uint64_t modelFileChecksum(const char *data, size_t n);

template <typename T> void putValue(std::string &out, const T &v)
{
    out.append(reinterpret_cast<const char *>(&v), sizeof v);
}
void putText(std::string &out, const std::string &text); // u32 length, then the bytes

// The bytes after the magic (version first, checksum last) of a model file whose magic, size,
// version (1 or 2) and checksum have been checked: EngineError naming the file and what is wrong.
// With `expected` non-zero, a file of the other version is refused too, saying what it holds.
struct ModelFileBody
{
    std::string bytes;
    uint32_t version = 0;
};
ModelFileBody readModelFileBody(const std::string &path, uint32_t expected = 0);

// The magic, `body` (which starts with the version) and its checksum, written to "path.partial"
// and renamed over `path`, so a crash never leaves half a model.
void writeModelFile(const std::string &path, const std::string &body);

// Reads values from a body up to (not including) its checksum, refusing to read past the end
// before anything is allocated for what is read.
class ModelFileReader
{
public:
    // Starts after the version, ends before the checksum.
    ModelFileReader(const std::string &path, const ModelFileBody &body)
        : m_path(path), m_bytes(body.bytes), m_end(body.bytes.size() - sizeof(uint64_t)), m_pos(sizeof(uint32_t))
    {
    }
    ModelFileReader(const std::string &path, ModelFileBody &&body) = delete; // it keeps a reference
    template <typename T> T get(const char *what)
    {
        T v;
        need(sizeof v, what);
        std::memcpy(&v, m_bytes.data() + m_pos, sizeof v);
        m_pos += sizeof v;
        return v;
    }
    void floats(std::vector<float> &v, size_t n, const char *what);
    std::string text(size_t n, const char *what);
    // A u32 length of at most `maxLength`, then that many bytes.
    std::string lengthPrefixedText(size_t maxLength, const char *what);
    size_t position() const { return m_pos; }
    size_t remaining() const { return m_end - m_pos; }
    const std::string &path() const { return m_path; }

private:
    void need(size_t n, const char *what);

    const std::string &m_path;
    const std::string &m_bytes;
    size_t m_end;
    size_t m_pos;
};

} // namespace ffint8
