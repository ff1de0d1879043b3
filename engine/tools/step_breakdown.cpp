// Times a step's GEMMs and optimizer step apart from the trainers, on the same backend ops.
#include "engine/tools/step_breakdown.h"

#include "engine/nn/linear_layer.h"
#include "engine/train/bp_trainer.h"
#include "engine/train/ff_trainer.h"

#include <chrono>
#include <memory>
#include <vector>

namespace ffint8 {

namespace {

constexpr int kClasses = 10;

// Random operands: the GEMM libraries' speed does not depend on the values (but on the CPU path,
// on their signs: non-negative INT8 codes where the trainer's are), the optimizer's must not meet
// denormals or zeros that a real gradient would not have.
void fillRandom(Backend &backend, Tensor &t, SplitMix64 &rng, float scale, bool nonNegative = false)
{
    if (t.empty())
        return;
    if (t.dtype() == DType::S8) {
        std::vector<int8_t> v(t.count());
        for (int8_t &x : v)
            x = nonNegative ? int8_t(rng.below(128)) : int8_t(int(rng.below(255)) - 127);
        backend.upload(t, v.data(), t.bytes());
    } else if (t.dtype() == DType::S32) {
        std::vector<int32_t> v(t.count());
        for (int32_t &x : v)
            x = int32_t(rng.below(4001)) - 2000;
        backend.upload(t, v.data(), t.bytes());
    } else {
        std::vector<float> v(t.count());
        for (float &x : v)
            x = (2.0f * rng.uniform() - 1.0f) * scale;
        backend.upload(t, v.data(), t.bytes());
    }
}

} // namespace

double secondsPerCall(const std::function<void()> &call, double budget)
{
    using Clock = std::chrono::steady_clock;
    call(); // warm-up: first-touch pages, library kernel selection, GEMM plans
    const auto start = Clock::now();
    int calls = 0;
    double seconds = 0.0;
    do {
        call();
        ++calls;
        seconds = std::chrono::duration<double>(Clock::now() - start).count();
    } while (seconds < budget);
    return seconds / calls;
}

GemmOperands gemmOperands(Backend &backend, const StepGemm &g, SplitMix64 &rng)
{
    const int aRows = g.ta == Trans::Yes ? g.k : g.m, bRows = g.tb == Trans::Yes ? g.n : g.k;
    const DType in = g.int8 ? DType::S8 : DType::F32;
    GemmOperands o{backend.allocate(aRows, g.lda, in, MemoryCategory::Workspace),
                   backend.allocate(bRows, g.ldb, in, MemoryCategory::Workspace),
                   backend.allocate(g.m, g.n, g.int8 ? DType::S32 : DType::F32, MemoryCategory::Workspace)};
    fillRandom(backend, o.a, rng, 1.0f, g.aNonNegative);
    fillRandom(backend, o.b, rng, 1.0f, g.bNonNegative);
    return o;
}

void runGemm(Backend &backend, const StepGemm &g, GemmOperands &o)
{
    if (g.int8)
        backend.gemmS8S8S32(g.ta, g.tb, g.m, g.n, g.k, o.a.s8(), g.lda, o.b.s8(), g.ldb, o.c.s32(), g.n);
    else
        backend.gemmF32(g.ta, g.tb, g.m, g.n, g.k, 1.0f, o.a.f32(), g.lda, o.b.f32(), g.ldb, 0.0f, o.c.f32(), g.n);
}

double timeStepGemms(Backend &backend, const TrainConfig &config, int epoch)
{
    SplitMix64 rng(config.seed);
    const std::vector<StepGemm> gemms = stepGemms(config, epoch);
    std::vector<GemmOperands> operands;
    for (const StepGemm &g : gemms)
        operands.push_back(gemmOperands(backend, g, rng));
    // The step's GEMMs back to back and one synchronisation, as training issues them: on a GPU,
    // waiting after each would time launch latency instead of the products.
    return secondsPerCall([&] {
        for (size_t i = 0; i < gemms.size(); ++i)
            for (int r = 0; r < gemms[i].repeats; ++r)
                runGemm(backend, gemms[i], operands[i]);
        backend.synchronize();
    }, 0.3);
}

double timeOptimizerStep(Backend &backend, const TrainConfig &config)
{
    const bool ff = isForwardForward(config.algorithm), int8 = isInt8(config.algorithm);
    std::vector<int> widths = config.layers;
    if (!ff)
        widths.push_back(kClasses);
    SplitMix64 rng(config.seed);
    struct Layer
    {
        LinearLayer layer;
        LayerGradient gradient;
        Tensor inputScale;
    };
    std::vector<std::unique_ptr<Layer>> layers;
    for (size_t i = 0; i + 1 < widths.size(); ++i) {
        const int in = widths[i], out = widths[i + 1];
        const LayerOptions options = ff ? ffLayerOptions(config) : bpLayerOptions(config, i + 2 == widths.size());
        auto l = std::make_unique<Layer>(Layer{LinearLayer(backend, in, out, options, rng),
                                               LayerGradient::allocate(backend, size_t(in) * out, out, int8),
                                               backend.allocate(1, 1, DType::F32, MemoryCategory::Workspace)});
        // INT8 gradients are INT32 accumulators times the scales of the two quantised operands.
        const float scales[2] = {1e-4f, 1.0f / 127.0f};
        backend.upload(l->gradient.scales, &scales[0], sizeof(float));
        backend.upload(l->inputScale, &scales[1], sizeof(float));
        l->gradient.inputScale = l->inputScale.f32();
        fillRandom(backend, l->gradient.weights, rng, 1e-3f);
        fillRandom(backend, l->gradient.bias, rng, 1e-3f);
        layers.push_back(std::move(l));
    }
    OptimizerStep step{config.lr, config.momentum, config.weightDecay, 0};
    uint64_t counter = 0;
    // Every layer's update and one synchronisation, as a training step issues them.
    return secondsPerCall([&] {
        ++step.step;
        for (auto &l : layers)
            l->layer.applyGradient(l->gradient, step, config.seed, counter);
        backend.synchronize();
    }, 0.3);
}

} // namespace ffint8
