// ffint8-engine-check: runs every op of every available backend against the reference backend and
// prints one line per check; the cpu backend once per INT8 GEMM path this CPU can run, and a skip
// line with the reason for each it cannot. Needs no Qt, so it runs on GPU machines and boards
// without a desktop.
#include "engine/backend/backend_factory.h"
#include "engine/backend/reference_backend.h"
#include "engine/core/error.h"
#include "engine/tools/op_checks.h"

#ifdef FFINT8_WITH_ONEDNN
#include "engine/backend/cpu_backend.h"
#endif

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>

namespace {

struct Tally
{
    int checks = 0;
    int failures = 0;
};

void checkBackend(const std::string &label, const std::function<std::unique_ptr<ffint8::Backend>()> &make,
                  ffint8::Backend &reference, uint64_t seed, Tally &tally)
{
    try {
        auto backend = make();
        std::printf("backend %s: %s\n", label.c_str(), backend->description().c_str());
        for (const auto &r : ffint8::runOpChecks(*backend, reference, seed)) {
            ++tally.checks;
            tally.failures += !r.passed;
            std::printf("%s  %-14s %-44s %-22s err %.3g (tol %.3g: %s)\n", r.passed ? "ok  " : "FAIL", label.c_str(),
                        r.op.c_str(), r.shape.c_str(), r.maxError, r.tolerance, r.reason.c_str());
        }
    } catch (const ffint8::EngineError &e) {
        ++tally.failures;
        std::printf("FAIL  %-14s %s\n", label.c_str(), e.what());
    }
}

} // namespace

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 20250601;
    ffint8::ReferenceBackend reference;
    Tally tally;
    int skips = 0;
    for (const auto &availability : ffint8::backendAvailability()) {
        if (availability.name == "reference")
            continue;
        if (!availability.available) {
            ++skips;
            std::printf("skip  %-14s %s\n", availability.name.c_str(), availability.reason.c_str());
            continue;
        }
#ifdef FFINT8_WITH_ONEDNN
        if (availability.name == "cpu") {
            for (ffint8::CpuInt8Path path : ffint8::allInt8Paths()) {
                const std::string label = std::string("cpu/") + ffint8::int8PathName(path);
                const std::string why = ffint8::int8PathUnavailableReason(path);
                if (!why.empty()) {
                    ++skips;
                    std::printf("skip  %-14s %s\n", label.c_str(), why.c_str());
                    continue;
                }
                checkBackend(
                    label, [path] { return std::make_unique<ffint8::CpuBackend>(0, path); }, reference, seed, tally);
            }
            continue;
        }
#endif
        checkBackend(
            availability.name, [&] { return ffint8::createBackend(availability.name, 0); }, reference, seed, tally);
    }
    std::printf("%d checks, %d failed, %d skipped\n", tally.checks, tally.failures, skips);
    return tally.failures == 0 ? 0 : 1;
}
