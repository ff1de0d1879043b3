// Fuzzes the CIFAR-10 binary batch reader.
#include "engine/data/cifar_reader.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string path = ffint8::fuzz::scratchFile(data, size, "-data_batch_1.bin");
    return ffint8::fuzz::refusalsPass([&] { ffint8::readCifarBatch(path); });
}
