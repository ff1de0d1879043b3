// Unpacks a tar archive, gzip-compressed or not, into a folder.
#include "app/data/tar_extract.h"

#include "engine/core/error.h"
#include "engine/data/gz_file.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

namespace ffint8 {

namespace {

namespace fs = std::filesystem;

constexpr size_t kBlock = 512;
// Longest name a GNU 'L' or pax 'x' entry may give: names of real archives are far shorter, and
// the bound keeps a forged size from allocating gigabytes.
constexpr uint64_t kMaxNameBytes = 1 << 16;

// Reads up to size bytes (fewer only at the end) and moves the reader's offset past them, so that
// errors can say where in the uncompressed archive they are.
size_t take(GzFile &reader, void *dst, size_t size)
{
    const size_t got = reader.read(dst, size);
    reader.advance(got);
    return got;
}

std::string field(const unsigned char *header, size_t offset, size_t length)
{
    const char *start = reinterpret_cast<const char *>(header + offset);
    return std::string(start, strnlen(start, length));
}

// A numeric field: octal digits (space or NUL ended), or GNU's base-256 with the top bit set for
// values octal cannot hold. False for anything else.
bool number(const unsigned char *header, size_t offset, size_t length, uint64_t &value)
{
    value = 0;
    const unsigned char *p = header + offset;
    if (p[0] & 0x80) {
        if (p[0] != 0x80)
            return false; // negative, or more than 64 bits
        for (size_t i = 1; i < length; ++i) {
            if (value >> 56)
                return false;
            value = value << 8 | p[i];
        }
        return true;
    }
    size_t i = 0;
    while (i < length && p[i] == ' ')
        ++i;
    bool digits = false;
    for (; i < length && p[i] >= '0' && p[i] <= '7'; ++i) {
        if (value >> 60)
            return false;
        value = value << 3 | uint64_t(p[i] - '0');
        digits = true;
    }
    for (; i < length; ++i)
        if (p[i] != ' ' && p[i] != '\0')
            return false;
    return digits;
}

bool checksumMatches(const unsigned char *header)
{
    uint64_t stored = 0;
    if (!number(header, 148, 8, stored))
        return false;
    // The sum counts the checksum field as eight spaces; old tars summed signed chars.
    uint64_t unsignedSum = 0;
    int64_t signedSum = 0;
    for (size_t i = 0; i < kBlock; ++i) {
        const unsigned char c = i >= 148 && i < 156 ? ' ' : header[i];
        unsignedSum += c;
        signedSum += static_cast<signed char>(c);
    }
    return stored == unsignedSum || int64_t(stored) == signedSum;
}

bool allZero(const unsigned char *block)
{
    return std::all_of(block, block + kBlock, [](unsigned char c) { return c == 0; });
}

// The entry's path under the destination; refuses names that would leave it.
fs::path safeRelative(const std::string &name, const std::string &where)
{
    const fs::path path(name);
    if (path.is_absolute() || name.empty())
        throw EngineError(where + ": entry name \"" + name + "\" is absolute or empty; refusing to unpack outside "
                          + "the destination");
    for (const fs::path &part : path)
        if (part == "..")
            throw EngineError(where + ": entry name \"" + name + "\" has a \"..\" part; refusing to unpack outside "
                              + "the destination");
    return path.lexically_normal();
}

// A pax extended header's "path" record ("LEN path=VALUE\n"), or empty.
std::string paxPath(const std::string &records)
{
    size_t at = 0;
    while (at < records.size()) {
        const size_t space = records.find(' ', at);
        if (space == std::string::npos)
            break;
        const unsigned long length = std::strtoul(records.c_str() + at, nullptr, 10);
        if (length == 0 || at + length > records.size())
            break;
        const std::string record = records.substr(space + 1, at + length - space - 1);
        if (record.rfind("path=", 0) == 0 && !record.empty() && record.back() == '\n')
            return record.substr(5, record.size() - 6);
        at += length;
    }
    return {};
}

void skip(GzFile &reader, uint64_t bytes, const std::string &where)
{
    std::vector<char> buffer(64 * 1024);
    while (bytes > 0) {
        const size_t want = size_t(std::min<uint64_t>(bytes, buffer.size()));
        if (take(reader, buffer.data(), want) < want)
            throw EngineError(where + ": the archive is truncated inside this entry's data");
        bytes -= want;
    }
}

uint64_t padded(uint64_t size)
{
    return (size + kBlock - 1) / kBlock * kBlock;
}

std::string readText(GzFile &reader, uint64_t size, const std::string &where)
{
    if (size > kMaxNameBytes)
        throw EngineError(where + ": an extended header of " + std::to_string(size) + " bytes (at most "
                          + std::to_string(kMaxNameBytes) + " taken)");
    std::string text(size_t(padded(size)), '\0');
    if (take(reader, text.data(), text.size()) < text.size())
        throw EngineError(where + ": the archive is truncated inside this entry's data");
    text.resize(size_t(size));
    return text;
}

void writeFile(GzFile &reader, const fs::path &target, uint64_t size, const std::string &where)
{
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec)
        throw EngineError(where + ": cannot create folder " + target.parent_path().string() + ": " + ec.message());
    const fs::path part = target.string() + ".part";
    std::unique_ptr<FILE, int (*)(FILE *)> out(std::fopen(part.c_str(), "wb"), &std::fclose);
    if (!out)
        throw EngineError(where + ": cannot write " + part.string() + ": " + std::strerror(errno));
    std::vector<char> buffer(1 << 20);
    uint64_t left = size;
    while (left > 0) {
        const size_t want = size_t(std::min<uint64_t>(left, buffer.size()));
        if (take(reader, buffer.data(), want) < want) {
            out.reset();
            fs::remove(part, ec);
            throw EngineError(where + ": the archive is truncated inside this entry's data (" + std::to_string(size)
                              + " bytes promised)");
        }
        if (std::fwrite(buffer.data(), 1, want, out.get()) != want)
            throw EngineError(where + ": cannot write " + part.string() + ": " + std::strerror(errno));
        left -= want;
    }
    if (std::fclose(out.release()) != 0)
        throw EngineError(where + ": cannot write " + part.string() + ": " + std::strerror(errno));
    fs::rename(part, target, ec);
    if (ec)
        throw EngineError(where + ": cannot rename " + part.string() + " to " + target.filename().string() + ": "
                          + ec.message());
    skip(reader, padded(size) - size, where);
}

} // namespace

TarSummary extractTar(const std::string &archive, const std::string &destination)
{
    GzFile reader(archive);
    std::error_code ec;
    fs::create_directories(destination, ec);
    if (ec)
        throw EngineError("cannot create folder " + destination + ": " + ec.message());
    const fs::path root(destination);
    TarSummary summary;
    std::string longName; // from a GNU 'L' or pax 'x' entry, for the entry that follows
    unsigned char header[kBlock];
    for (;;) {
        const uint64_t at = reader.offset();
        const size_t got = take(reader, header, kBlock);
        if (got == 0 && at > 0)
            break; // some writers end without the two zero blocks
        const std::string where = archive + ": entry at offset " + std::to_string(at);
        if (got < kBlock)
            throw EngineError(where + ": truncated header (" + std::to_string(got) + " of 512 bytes)");
        if (allZero(header))
            break; // the end-of-archive marker
        if (std::memcmp(header + 257, "ustar", 5) != 0)
            throw EngineError(where + ": not a tar header (no \"ustar\" magic at byte 257)");
        if (!checksumMatches(header))
            throw EngineError(where + ": header checksum does not match (a corrupt or non-tar file)");
        uint64_t size = 0;
        if (!number(header, 124, 12, size))
            throw EngineError(where + ": size field \"" + field(header, 124, 12) + "\" is not a number");
        const char type = char(header[156]);
        // POSIX ustar keeps a prefix of long names at byte 345; GNU's "ustar  " uses those bytes for times.
        const bool posix = std::memcmp(header + 257, "ustar\0", 6) == 0;
        std::string name = field(header, 0, 100);
        if (posix && header[345] != 0)
            name = field(header, 345, 155) + "/" + name;
        if (!longName.empty()) {
            name = longName;
            longName.clear();
        }
        const std::string entry = where + " (\"" + name + "\")";
        if (type == 'L') {
            longName = readText(reader, size, entry);
            continue;
        }
        if (type == 'x') {
            longName = paxPath(readText(reader, size, entry));
            continue;
        }
        if (type == '0' || type == '\0' || type == '7') {
            const fs::path target = root / safeRelative(name, entry);
            writeFile(reader, target, size, entry);
            ++summary.files;
            summary.bytes += size;
        } else if (type == '5') {
            fs::create_directories(root / safeRelative(name, entry), ec);
            if (ec)
                throw EngineError(entry + ": cannot create the folder: " + ec.message());
            skip(reader, padded(size), entry);
        } else {
            // Links, devices, fifos, pax globals: nothing a dataset needs, and links could point anywhere.
            skip(reader, padded(size), entry);
            if (type != 'g')
                ++summary.skipped;
        }
    }
    return summary;
}

} // namespace ffint8
