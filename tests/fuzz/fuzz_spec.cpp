// Fuzzes experiment specs as a user's JSON file reaches parseSpecText.
#include "app/spec/experiment_spec.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/qt_fuzz_init.h"

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    ffint8::fuzz::initialiseQt(argc, argv);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray text(reinterpret_cast<const char *>(data), qsizetype(size));
    return ffint8::fuzz::refusalsPass([&] { ffint8::parseSpecText(text, QStringLiteral("fuzzed.json")); });
}
