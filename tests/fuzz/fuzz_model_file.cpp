// Fuzzes model files as `ffint8 eval` and the workbench load them.
#include "engine/io/model_file.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string path = ffint8::fuzz::scratchFile(data, size, ".ffm");
    return ffint8::fuzz::refusalsPass([&] { ffint8::loadModel(path); });
}
