// Fuzzes suite files (a base spec with sweeps and runs) as parseSuiteFile reads them.
#include "app/spec/suite.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/qt_fuzz_init.h"

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    ffint8::fuzz::initialiseQt(argc, argv);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string path = ffint8::fuzz::scratchFile(data, size, "-suite.json");
    return ffint8::fuzz::refusalsPass([&] { ffint8::parseSuiteFile(QString::fromStdString(path)); });
}
