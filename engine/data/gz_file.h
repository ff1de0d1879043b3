// Reads files that may be gzip-compressed (IDX files, tar archives), with zlib's errors named as EngineError.
#pragma once

#include <cstddef>
#include <string>
#include <zlib.h>

namespace ffint8 {

// gzread passes non-gzip files through unchanged, so one reader serves both raw and .gz files.
class GzFile
{
public:
    // Throws EngineError naming the file when it cannot be opened.
    explicit GzFile(const std::string &path);
    ~GzFile();
    GzFile(const GzFile &) = delete;
    GzFile &operator=(const GzFile &) = delete;

    // Reads up to size bytes and returns how many came; fewer means the end of the data. Throws
    // EngineError naming the file when the gzip data is truncated or corrupt.
    size_t read(void *dst, size_t size);
    // Counts what is left, for the message about an over-long file.
    size_t skipRest();

    // A position the caller keeps (readers advance it by what they have taken).
    size_t offset() const { return m_offset; }
    void advance(size_t n) { m_offset += n; }

private:
    void checkError();

    std::string m_path;
    gzFile m_file = nullptr;
    size_t m_offset = 0;
};

} // namespace ffint8
