// Fuzzes the train-like commands' argument parser: the input's lines are the arguments. Inputs that
// name a path with a '/' are skipped, so that the fuzzer cannot read or write outside the harness's
// scratch folder (a bare file name lands there).
#include "app/cli/command_line.h"
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
    if (text.contains('/'))
        return 0;
    QStringList args;
    for (const QByteArray &line : text.split('\n'))
        args << QString::fromUtf8(line);
    return ffint8::fuzz::refusalsPass([&] {
        ffint8::ExtraFlags extra;
        extra.save = size % 2 == 1;
        extra.store = size % 4 < 2;
        extra.telemetry = size % 3 == 1;
        ffint8::parseTrainArguments(args, extra);
    });
}
