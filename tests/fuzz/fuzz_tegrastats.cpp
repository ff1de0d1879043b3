// Fuzzes the tegrastats parser with whole logs: every line of the input, as a log replayed or a
// running tegrastats hands them over.
#include "app/telemetry/tegrastats_parser.h"
#include "tests/fuzz/fuzz_support.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray log(reinterpret_cast<const char *>(data), qsizetype(size));
    return ffint8::fuzz::refusalsPass([&] {
        for (const QByteArray &line : log.split('\n')) {
            ffint8::TelemetrySample sample;
            ffint8::parseTegrastatsLine(QByteArrayView(line), sample);
        }
    });
}
