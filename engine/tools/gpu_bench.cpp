// ffint8-gpu-bench: GEMM rates and training epochs of the cuda backend (see gpu_bench.h).
#include "engine/tools/gpu_bench.h"

#include "engine/backend/backend_factory.h"
#include "engine/backend/cuda/cuda_backend.h"
#include "engine/core/error.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>

namespace ffint8 {

double knownInt8PeakTops(const std::string &deviceName, std::string &source)
{
    // Dense (not 2:4 sparse) INT8 tensor-core peaks from NVIDIA's data sheets at boost clock.
    // Jetsons are left out on purpose: their peak depends on the power mode (pass --int8-peak-tops).
    struct Entry
    {
        const char *name;
        double tops;
    };
    static const Entry table[] = {
        // Most specific names first: the first entry the device name contains is taken.
        {"H200 NVL", 1671.0}, {"H200", 1979.0},      {"H100 SXM", 1979.0}, {"H100 80GB HBM3", 1979.0},
        {"H100 PCIe", 1513.0}, {"H100 NVL", 1671.0}, {"A100", 624.0},      {"L40S", 733.0},
        {"L4", 242.5},        {"RTX 4090", 660.6},   {"A10", 250.0},
    };
    for (const Entry &e : table) {
        if (deviceName.find(e.name) != std::string::npos) {
            source = std::string("NVIDIA data sheet, dense INT8, entry '") + e.name + "'";
            return e.tops;
        }
    }
    source = "unknown device: pass --int8-peak-tops X";
    return 0.0;
}

} // namespace ffint8

namespace {

void usage()
{
    std::printf("usage: ffint8-gpu-bench [--int8-peak-tops X] [--dataset NAME|PATH] [--train-limit N] [--no-cpu]\n"
                "                        [--quick] [--accuracy] [--graphs] [--seed N]\n");
}

} // namespace

int main(int argc, char **argv)
{
    ffint8::GpuBenchOptions options;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "ffint8-gpu-bench: %s needs a value\n", arg.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (arg == "--int8-peak-tops")
            options.int8PeakTops = std::atof(value().c_str());
        else if (arg == "--dataset")
            options.dataset = value();
        else if (arg == "--train-limit")
            options.trainLimit = std::atoi(value().c_str());
        else if (arg == "--seed")
            options.seed = std::strtoull(value().c_str(), nullptr, 10);
        else if (arg == "--no-cpu")
            options.cpu = false;
        else if (arg == "--quick")
            options.quick = true;
        else if (arg == "--accuracy")
            options.accuracyOnly = true;
        else if (arg == "--graphs")
            options.graphsOnly = true;
        else {
            usage();
            return arg == "--help" || arg == "-h" ? 0 : 2;
        }
    }
    try {
        for (const auto &b : ffint8::backendAvailability())
            std::printf("backend %-10s %-12s %s\n", b.name.c_str(), b.available ? "available" : "unavailable",
                        b.reason.c_str());
        auto backend = ffint8::createBackend("cuda", 0); // throws with the reason when there is no GPU
        auto &cuda = static_cast<ffint8::CudaBackend &>(*backend);
        std::printf("cuda: %s\n\n", cuda.description().c_str());
        // Each part reports its own failure, so that one broken part does not hide the others' figures.
        auto part = [](const char *name, const std::function<bool()> &run) {
            try {
                return run();
            } catch (const std::exception &e) {
                std::printf("\n%s: FAILED: %s\n", name, e.what());
                return false;
            }
        };
        if (options.graphsOnly) {
            const bool finite = part("graphs", [&] { return ffint8::runGraphBench(cuda, options); });
            return finite ? 0 : 3;
        }
        if (options.accuracyOnly) {
            const bool met = part("accuracy", [&] { return ffint8::runAccuracyBench(cuda, options); });
            return met ? 0 : 3;
        }
        const bool gemmsMet = part("GEMM rates", [&] { return ffint8::runGemmBench(cuda, options); });
        const bool epochsMet = part("epochs", [&] { return ffint8::runEpochBench(cuda, options); });
        std::printf("\ntargets: %s\n", gemmsMet && epochsMet ? "all met" : "some missed (see 'missed' above)");
        return gemmsMet && epochsMet ? 0 : 3;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "ffint8-gpu-bench: %s\n", e.what());
        return 1;
    }
}
