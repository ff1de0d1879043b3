// Fuzzes the tar reader that unpacks downloaded archives (data fetch), into a scratch folder removed after each input.
#include "app/data/tar_extract.h"
#include "tests/fuzz/fuzz_support.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

namespace {

constexpr size_t kBlock = 512;

// The input with every ustar header block given its right checksum, or empty when none needed one.
// A mutated header almost never keeps its checksum, so without this the fuzzer would reach the
// header's fields (sizes, types, long names, pax records) only through the seeds. Headers sit at
// multiples of 512 bytes of a plain tar; a gzip input is left as it is.
std::vector<uint8_t> withChecksumsFixed(const uint8_t *data, size_t size)
{
    if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
        return {};
    std::vector<uint8_t> fixed(data, data + size);
    bool changed = false;
    for (size_t at = 0; at + kBlock <= size; at += kBlock) {
        uint8_t *header = fixed.data() + at;
        if (std::memcmp(header + 257, "ustar", 5) != 0)
            continue;
        unsigned sum = 0;
        for (size_t i = 0; i < kBlock; ++i)
            sum += i >= 148 && i < 156 ? unsigned(' ') : header[i];
        char field[9];
        std::snprintf(field, sizeof field, "%06o%c ", sum, '\0');
        changed |= std::memcmp(header + 148, field, 8) != 0;
        std::memcpy(header + 148, field, 8);
    }
    return changed ? fixed : std::vector<uint8_t>();
}

int extract(const uint8_t *data, size_t size)
{
    const std::string path = ffint8::fuzz::scratchFile(data, size, "-archive.tar.gz");
    const std::string folder = path + ".out";
    const int rc = ffint8::fuzz::refusalsPass([&] { ffint8::extractTar(path, folder); });
    std::error_code ec;
    std::filesystem::remove_all(folder, ec);
    return rc;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    // As it came (the checksum test included), then with its checksums right.
    extract(data, size);
    const std::vector<uint8_t> fixed = withChecksumsFixed(data, size);
    return fixed.empty() ? 0 : extract(fixed.data(), fixed.size());
}
