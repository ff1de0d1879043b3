// Fuzzes opening a foreign or damaged database file as the run store, then reading every run in it
// as the workbench's Runs tab and the exports do.
#include "app/store/run_store.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/qt_fuzz_init.h"

#include <cstdio>

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    ffint8::fuzz::initialiseQt(argc, argv);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string path = ffint8::fuzz::scratchFile(data, size, "-store.sqlite");
    for (const char *suffix : {"-wal", "-shm"})
        std::remove((path + suffix).c_str());
    return ffint8::fuzz::refusalsPass([&] {
        ffint8::RunStore store(QString::fromStdString(path));
        for (const ffint8::RunRecord &run : store.runs()) {
            store.params(run.id);
            store.units(run.id);
            store.epochs(run.id);
            store.progress(run.id);
            store.samples(run.id);
            store.tags(run.id);
            store.notes(run.id);
        }
    });
}
