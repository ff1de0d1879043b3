// Fuzzes the tar reader that unpacks downloaded archives (data fetch), into a scratch folder removed after each input.
#include "app/data/tar_extract.h"
#include "tests/fuzz/fuzz_support.h"

#include <filesystem>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string path = ffint8::fuzz::scratchFile(data, size, "-archive.tar.gz");
    const std::string folder = path + ".out";
    const int rc = ffint8::fuzz::refusalsPass([&] { ffint8::extractTar(path, folder); });
    std::error_code ec;
    std::filesystem::remove_all(folder, ec);
    return rc;
}
