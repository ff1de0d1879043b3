// ffint8-engine-check: runs every op of every available backend against the reference backend and
// prints one line per check. Needs no Qt, so it runs on GPU machines and boards without a desktop.
#include "engine/backend/backend_factory.h"
#include "engine/backend/reference_backend.h"
#include "engine/core/error.h"
#include "engine/tools/op_checks.h"

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 20250601;
    ffint8::ReferenceBackend reference;
    int failures = 0, checks = 0;
    for (const auto &availability : ffint8::backendAvailability()) {
        if (availability.name == "reference")
            continue;
        if (!availability.available) {
            std::printf("skip  %-10s %s\n", availability.name.c_str(), availability.reason.c_str());
            continue;
        }
        try {
            auto backend = ffint8::createBackend(availability.name, 0);
            std::printf("backend %s: %s\n", backend->name().c_str(), backend->description().c_str());
            for (const auto &r : ffint8::runOpChecks(*backend, reference, seed)) {
                ++checks;
                failures += !r.passed;
                std::printf("%s  %-10s %-44s %-22s err %.3g (tol %.3g: %s)\n", r.passed ? "ok  " : "FAIL",
                            availability.name.c_str(), r.op.c_str(), r.shape.c_str(), r.maxError, r.tolerance,
                            r.reason.c_str());
            }
        } catch (const ffint8::EngineError &e) {
            ++failures;
            std::printf("FAIL  %-10s %s\n", availability.name.c_str(), e.what());
        }
    }
    std::printf("%d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
