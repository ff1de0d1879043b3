// Fuzzes the IDX readers (images and labels, raw or gzip: zlib reads both through one path).
#include "engine/data/idx_reader.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string path = ffint8::fuzz::scratchFile(data, size, "-idx.gz");
    ffint8::fuzz::refusalsPass([&] { ffint8::readIdxImages(path); });
    return ffint8::fuzz::refusalsPass([&] { ffint8::readIdxLabels(path, 10); });
}
