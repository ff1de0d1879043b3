// Model graphs on the cuda backend against the cpu backend: cnn-small trained by every graph
// method for the same steps on the same batches and seed on both, with each backend's loss after
// every 50 steps, its time per step and its test accuracy. The layer ops' op checks compare single
// calls; this runs them as training does, FF's units and look-ahead included.
#include "engine/backend/backend_factory.h"
#include "engine/backend/cuda/cuda_backend.h"
#include "engine/data/dataset.h"
#include "engine/tools/gpu_bench.h"
#include "engine/train/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <numeric>
#include <vector>

namespace ffint8 {

namespace {

constexpr int kSteps = 300;
constexpr int kReportEvery = 50;
constexpr int kTestExamples = 2000;

struct GraphRun
{
    std::vector<double> losses; // mean over each kReportEvery steps
    double msPerStep = 0.0;
    double testAccuracy = -1.0;
    bool finite = true;
};

GraphRun trainGraph(Backend &backend, const TrainConfig &config, const DatasetSplits &data)
{
    auto trainer = createTrainer(config, backend);
    trainer->beginEpoch(1); // lambda of the second epoch: look-ahead's backward chain runs
    GraphRun run;
    std::vector<int> batch(static_cast<size_t>(config.batch));
    double sum = 0.0;
    const auto start = std::chrono::steady_clock::now();
    for (int step = 0; step < kSteps; ++step) {
        for (int i = 0; i < config.batch; ++i)
            batch[size_t(i)] = (step * config.batch + i) % data.train.count;
        const StepStats s = trainer->trainStep(data.train, batch.data(), config.batch);
        run.finite = run.finite && s.finite;
        sum += s.loss;
        if ((step + 1) % kReportEvery == 0) {
            run.losses.push_back(sum / kReportEvery);
            sum = 0.0;
        }
    }
    backend.synchronize();
    run.msPerStep = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / kSteps;
    const int tests = std::min(kTestExamples, data.test.count);
    std::vector<int> all(static_cast<size_t>(tests));
    std::iota(all.begin(), all.end(), 0);
    std::vector<uint8_t> predicted(static_cast<size_t>(tests));
    trainer->predict(data.test, all.data(), tests, predicted.data(), nullptr);
    int correct = 0;
    for (int i = 0; i < tests; ++i)
        correct += predicted[size_t(i)] == data.test.labels[size_t(i)] ? 1 : 0;
    run.testAccuracy = double(correct) / tests;
    return run;
}

} // namespace

bool runGraphBench(CudaBackend &cuda, const GpuBenchOptions &options)
{
    const DatasetSplits data = loadDataset(options.dataset, datasetSearchPaths());
    std::unique_ptr<Backend> cpu = createBackend("cpu", 4);
    std::printf("cnn-small, %d steps of batch 32 from the same examples and seed on cuda and on the cpu backend (%s);\n"
                "loss: the mean over each %d steps; accuracy on the first %d test examples\n",
                kSteps, cpu->description().c_str(), kReportEvery, kTestExamples);
    bool allFinite = true;
    for (Algorithm algo : {Algorithm::BpFp32, Algorithm::BpInt8, Algorithm::FfFp32, Algorithm::FfInt8}) {
        TrainConfig c;
        c.algorithm = algo;
        c.model = "cnn-small";
        c.inputShape = Shape::image(data.train.channels, data.train.height, data.train.width);
        c.classes = data.train.numClasses;
        c.batch = 32;
        c.seed = options.seed;
        c.lr = isForwardForward(algo) ? 0.003f : defaultLearningRate(algo);
        c.lambda.start = 0.05f;
        const GraphRun onGpu = trainGraph(cuda, c, data);
        const GraphRun onHost = trainGraph(*cpu, c, data);
        allFinite = allFinite && onGpu.finite && onHost.finite;
        for (const auto &[name, r] : {std::pair<const char *, const GraphRun &>{"cuda", onGpu}, {"cpu", onHost}}) {
            std::printf("%-8s %-5s %8.3f ms/step  test %.4f  loss", algorithmName(algo), name, r.msPerStep,
                        r.testAccuracy);
            for (double l : r.losses)
                std::printf(" %.4f", l);
            std::printf("%s\n", r.finite ? "" : "  NOT FINITE");
        }
        std::fflush(stdout);
    }
    return allFinite;
}

} // namespace ffint8
