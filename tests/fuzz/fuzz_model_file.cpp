// Fuzzes model files as `ffint8 eval` and the workbench load them: version 1 (MLPs) and 2 (graphs).
#include "engine/io/graph_model_file.h"
#include "engine/io/model_file.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string path = ffint8::fuzz::scratchFile(data, size, ".ffm");
    return ffint8::fuzz::refusalsPass([&] {
        // Each reader on its own version, as eval dispatches, and each also on the other's file.
        if (ffint8::modelFileVersion(path) == ffint8::kGraphModelFileVersion) {
            ffint8::loadGraphModel(path);
            ffint8::loadModel(path);
        } else {
            ffint8::loadModel(path);
            ffint8::loadGraphModel(path);
        }
    });
}
