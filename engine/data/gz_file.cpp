// Reading a file that may be gzip-compressed, with zlib's errors named.
#include "engine/data/gz_file.h"

#include "engine/core/error.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace ffint8 {

GzFile::GzFile(const std::string &path) : m_path(path)
{
    errno = 0;
    m_file = gzopen(path.c_str(), "rb");
    if (!m_file)
        throw EngineError(path + ": cannot open: " + (errno ? std::strerror(errno) : "out of memory"));
    gzbuffer(m_file, 1 << 20); // the default 8 KiB makes inflate spend its time in read() calls
}

GzFile::~GzFile()
{
    gzclose(m_file);
}

size_t GzFile::read(void *dst, size_t size)
{
    size_t got = 0;
    while (got < size) {
        unsigned chunk = unsigned(std::min<size_t>(size - got, size_t(1) << 30));
        int n = gzread(m_file, static_cast<char *>(dst) + got, chunk);
        checkError();
        if (n <= 0)
            break;
        got += size_t(n);
        if (unsigned(n) < chunk)
            break;
    }
    return got;
}

size_t GzFile::skipRest()
{
    std::vector<char> buffer(1 << 16);
    size_t total = 0;
    for (size_t n; (n = read(buffer.data(), buffer.size())) > 0;)
        total += n;
    return total;
}

void GzFile::checkError()
{
    int code = Z_OK;
    const char *raw = gzerror(m_file, &code);
    if (code == Z_OK)
        return;
    // gzerror prefixes the path; drop it, the message names the file once already.
    std::string message = raw;
    if (message.rfind(m_path + ": ", 0) == 0)
        message.erase(0, m_path.size() + 2);
    // zlib reports a gzip stream cut short as Z_BUF_ERROR "unexpected end of file". It inflates
    // ahead and drops partial output, so how far the good data went is unknown: give the file size.
    std::error_code ec;
    uintmax_t size = std::filesystem::file_size(m_path, ec);
    throw EngineError(m_path + ": gzip data is truncated or corrupt (zlib: " + message + "; the file is "
                      + (ec ? std::string("of unknown size") : std::to_string(size) + " bytes") + ")");
}

} // namespace ffint8
