// Training epochs on the cuda backend against the cpu backend: ff-int8, ff-fp32 and bp-fp32 at
// batch 32 and 256 on the same data and seed, with time and kernel launches per step, peak device
// memory, and the ff-int8 test accuracy on both backends.
#include "engine/backend/backend_factory.h"
#include "engine/backend/cuda/cuda_backend.h"
#include "engine/data/dataset.h"
#include "engine/tools/gpu_bench.h"
#include "engine/tools/step_breakdown.h"
#include "engine/train/training_run.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <utility>

namespace ffint8 {

namespace {

struct EpochResult
{
    double seconds = 0.0;
    int steps = 0;
    double launchesPerStep = 0.0; // cuda only
    double copiesPerStep = 0.0;   // cuda only
    size_t peakEngineBytes = 0;
    size_t peakPoolBytes = 0;     // cuda only: device memory reserved from the driver
    double testAccuracy = -1.0;   // ff-int8 only
    double gemmSeconds = 0.0;      // per step, the step's GEMMs timed on their own
    double optimizerSeconds = 0.0; // per step, the optimizer step timed on its own
    std::string status;
};

TrainConfig configFor(Algorithm algo, int batch, const GpuBenchOptions &options)
{
    TrainConfig c;
    c.algorithm = algo;
    c.batch = batch;
    c.epochs = 1;
    c.seed = options.seed;
    c.dataset = options.dataset;
    // README: FF's Adam at 0.03 makes BP diverge; the BP baselines train at 0.001.
    if (!isForwardForward(algo))
        c.lr = 0.001f;
    // Lambda as from the second epoch on: the first epoch's lambda of 0 would leave look-ahead's
    // backward chain (input gradients, length-normalisation backward) out of the timing.
    c.lambda.start = c.lambda.perEpoch;
    return c;
}

// `trainOnly` holds the training set alone (no evaluation inside the timed run), `warmUp` its
// first few batches, `test` the test set for ff-int8's accuracy.
EpochResult runEpoch(Backend &backend, Algorithm algo, int batch, const DatasetSplits &trainOnly,
                     const DatasetSplits &warmUp, const Dataset &test, const GpuBenchOptions &options)
{
    auto *cuda = dynamic_cast<CudaBackend *>(&backend);
    TrainConfig config = configFor(algo, batch, options);
    config.backend = backend.name();
    // Warm-up with a throw-away trainer: GEMM plans, pool blocks and scratch are made there, not
    // inside the timed epoch.
    {
        auto warm = createTrainer(config, backend);
        TrainingRun(*warm, warmUp).run();
    }
    if (cuda)
        cuda->trimPool();
    EpochResult r;
    auto trainer = createTrainer(config, backend);
    const uint64_t launches = cuda ? cuda->launches() : 0, copies = cuda ? cuda->copies() : 0;
    RunSummary s = TrainingRun(*trainer, trainOnly).run();
    r.seconds = s.trainSeconds;
    r.steps = (trainOnly.train.count + batch - 1) / batch;
    r.status = runStatusName(s.status);
    r.peakEngineBytes = s.memory.peakTotal;
    if (cuda) {
        r.launchesPerStep = double(cuda->launches() - launches) / r.steps;
        r.copiesPerStep = double(cuda->copies() - copies) / r.steps;
        r.peakPoolBytes = cuda->poolStats().peakReservedBytes;
    }
    if (algo == Algorithm::FfInt8 && test.count > 0)
        r.testAccuracy = TrainingRun::accuracy(*trainer, test);
    trainer.reset(); // its buffers would crowd the breakdown's
    r.gemmSeconds = timeStepGemms(backend, config, 0);
    r.optimizerSeconds = timeOptimizerStep(backend, config);
    return r;
}

double mib(size_t bytes) { return double(bytes) / 1048576.0; }

} // namespace

bool runEpochBench(CudaBackend &cuda, const GpuBenchOptions &options)
{
    DatasetSplits data = loadDataset(options.dataset, datasetSearchPaths());
    truncateDataset(data.train, options.trainLimit);
    std::printf("one epoch of %s: %d training examples, %d test examples (from %s), seed %llu, layers 784-1000-1000,\n"
                "FF with look-ahead at lambda 0.001 (its backward chain runs), BP at lr 0.001\n",
                options.dataset.c_str(), data.train.count, data.test.count, data.sourceDir.c_str(),
                (unsigned long long)options.seed);

    std::unique_ptr<Backend> cpu;
    if (options.cpu) {
        try {
            cpu = createBackend("cpu", 0);
            std::printf("cpu: %s\n", cpu->description().c_str());
        } catch (const std::exception &e) {
            std::printf("cpu: skipped: %s\n", e.what());
        }
    } else {
        std::printf("cpu: skipped (--no-cpu)\n");
    }
    std::printf("%-9s %-5s %-6s %9s %10s %9s %9s %11s %10s %12s %12s %9s %s\n", "algo", "batch", "backend", "epoch s",
                "ms/step", "GEMMs ms", "optim ms", "launches", "copies", "engine MiB", "device MiB", "test acc", "status");

    DatasetSplits trainOnly, warmUp;
    trainOnly.train = std::move(data.train);
    warmUp.train = trainOnly.train;
    truncateDataset(warmUp.train, 8 * 256); // eight batches of the larger size

    const Algorithm algos[] = {Algorithm::FfInt8, Algorithm::FfFp32, Algorithm::BpFp32};
    std::map<std::pair<int, int>, EpochResult> onCuda, onCpu; // (algo, batch)
    for (int batch : {32, 256}) {
        for (Algorithm algo : algos) {
            for (Backend *b : {static_cast<Backend *>(&cuda), cpu.get()}) {
                if (!b)
                    continue;
                EpochResult r = runEpoch(*b, algo, batch, trainOnly, warmUp, data.test, options);
                (b == &cuda ? onCuda : onCpu)[{int(algo), batch}] = r;
                const bool isCuda = b == &cuda;
                std::printf("%-9s %-5d %-6s %9.3f %10.3f %9.3f %9.3f %11s %10s %12.1f %12s %9s %s\n", algorithmName(algo), batch,
                            b->name().c_str(), r.seconds, 1e3 * r.seconds / r.steps, 1e3 * r.gemmSeconds,
                            1e3 * r.optimizerSeconds,
                            isCuda ? std::to_string(int(std::lround(r.launchesPerStep))).c_str() : "-",
                            isCuda ? std::to_string(int(std::lround(r.copiesPerStep))).c_str() : "-", mib(r.peakEngineBytes),
                            isCuda ? std::to_string(int(std::lround(mib(r.peakPoolBytes)))).c_str() : "-",
                            r.testAccuracy >= 0 ? std::to_string(r.testAccuracy).substr(0, 6).c_str() : "-",
                            r.status.c_str());
                std::fflush(stdout);
            }
        }
    }

    // Issue 7's targets, each said as met or missed with its numbers.
    bool met = true;
    auto target = [&](const char *what, double value, double needed, const char *unit) {
        const bool ok = value >= needed;
        met = met && ok;
        std::printf("target %-58s %8.2f%s (needs >= %.2f%s): %s\n", what, value, unit, needed, unit, ok ? "met" : "missed");
    };
    std::printf("\n");
    const auto ffInt8 = int(Algorithm::FfInt8), ffFp32 = int(Algorithm::FfFp32);
    target("cuda ff-int8 epoch speed-up over ff-fp32, batch 32", onCuda[{ffFp32, 32}].seconds / onCuda[{ffInt8, 32}].seconds,
           1.5, " x");
    if (cpu) {
        target("cuda ff-int8 epoch speed-up over the cpu backend, batch 256",
               onCpu[{ffInt8, 256}].seconds / onCuda[{ffInt8, 256}].seconds, 10.0, " x");
        for (int batch : {32, 256}) {
            const double a = onCuda[{ffInt8, batch}].testAccuracy, c = onCpu[{ffInt8, batch}].testAccuracy;
            const double gap = 100.0 * std::abs(a - c);
            const bool ok = gap <= 1.0;
            met = met && ok;
            std::printf("target ff-int8 test accuracy cuda %.4f vs cpu %.4f, batch %-3d, same seed: %.2f points apart "
                        "(needs <= 1): %s\n", a, c, batch, gap, ok ? "met" : "missed");
        }
    }
    std::printf("launches per step: kernel launches, memsets and cuBLASLt calls (each counted once) per training step\n"
                "GEMMs ms and optim ms: one step's GEMMs at the trainer's shapes and its optimizer step, each timed on its own\n");
    return met;
}

} // namespace ffint8
