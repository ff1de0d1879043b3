// ffint8-depthwise-bench: one depthwise layer's training step (forward, input and weight gradients) on
// the depthwise ops against the same layer on im2col and grouped GEMMs, FP32 and INT8, timed in turns
// in one process so that the ratio compares like with like on a shared machine; with each path's
// layer scratch. Usage: ffint8-depthwise-bench [backend [threads [batch [size [channels [kernel]]]]]].
#include "engine/backend/backend_factory.h"
#include "engine/core/counter_rng.h"
#include "engine/core/error.h"
#include "engine/nn/conv2d.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

using namespace ffint8;

namespace {

struct Setup
{
    int batch = 32, size = 32, channels = 96, kernel = 3;
};

// One layer with the buffers a model graph would keep for it between forward and backward.
class Bench
{
public:
    Bench(Backend &backend, const Setup &s, bool int8, bool depthwiseOps)
        : m_backend(backend), m_rows(s.batch), m_scratch(backend)
    {
        ConvOptions conv;
        conv.outChannels = s.channels;
        conv.kernel = s.kernel;
        conv.padding = s.kernel / 2;
        conv.groups = s.channels;
        LayerOptions options;
        options.precision = int8 ? Precision::Int8 : Precision::Fp32;
        SplitMix64 init(7);
        m_layer = std::make_unique<Conv2d>(backend, "depthwise", Shape::image(s.channels, s.size, s.size), conv,
                                           options, init);
        m_layer->setDepthwiseOps(depthwiseOps);
        const int values = s.batch * s.size * s.size * s.channels;
        SplitMix64 rng(11);
        m_input = filled(values, rng, MemoryCategory::Activations);
        m_gradOutput = filled(values, rng, MemoryCategory::Gradients);
        m_output = backend.allocate(1, values, DType::F32, MemoryCategory::Activations);
        m_gradInput = backend.allocate(1, values, DType::F32, MemoryCategory::Gradients);
        if (int8) {
            m_codes = backend.allocate(1, values, DType::S8, MemoryCategory::Activations);
            m_scale = backend.allocate(1, 1, DType::F32, MemoryCategory::Activations);
        }
    }

    // Seconds of one forward and backward pass.
    double step()
    {
        const auto start = std::chrono::steady_clock::now();
        LayerContext ctx{m_scratch, 3, m_counter, true};
        const Activation in{m_input.f32(), m_codes.empty() ? nullptr : m_codes.s8(),
                            m_scale.empty() ? nullptr : m_scale.f32()};
        m_layer->forward({&in, 1}, m_rows, m_output.f32(), ctx);
        float *gradInput = m_gradInput.f32();
        LayerBackward args{{&in, 1}, m_output.f32(), m_gradOutput.f32(), {&gradInput, 1}, m_rows};
        m_layer->backward(args, ctx);
        m_backend.synchronize();
        m_counter = ctx.counter;
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    size_t scratchBytes() const { return m_scratch.bytes(); }

private:
    Tensor filled(int values, SplitMix64 &rng, MemoryCategory category)
    {
        std::vector<float> v(static_cast<size_t>(values));
        for (float &x : v)
            x = 2.0f * rng.uniform() - 1.0f;
        Tensor t = m_backend.allocate(1, values, DType::F32, category);
        m_backend.upload(t, v.data(), v.size() * sizeof(float));
        return t;
    }

    Backend &m_backend;
    int m_rows;
    LayerScratch m_scratch;
    std::unique_ptr<Conv2d> m_layer;
    Tensor m_input, m_gradOutput, m_output, m_gradInput, m_codes, m_scale;
    uint64_t m_counter = 0;
};

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    const std::string backendName = argc > 1 ? argv[1] : "cpu";
    const int threads = argc > 2 ? std::atoi(argv[2]) : 0;
    Setup s;
    if (argc > 3)
        s.batch = std::atoi(argv[3]);
    if (argc > 4)
        s.size = std::atoi(argv[4]);
    if (argc > 5)
        s.channels = std::atoi(argv[5]);
    if (argc > 6)
        s.kernel = std::atoi(argv[6]);
    try {
        auto backend = createBackend(backendName, threads);
        std::printf("backend %s: %s\n", backendName.c_str(), backend->description().c_str());
        std::printf("depthwise %dx%d, stride 1, padding %d over %dx%dx%d images, batch %d: forward + backward\n",
                    s.kernel, s.kernel, s.kernel / 2, s.size, s.size, s.channels, s.batch);
        for (bool int8 : {false, true}) {
            Bench direct(*backend, s, int8, true), grouped(*backend, s, int8, false);
            direct.step(); // first calls grow the scratch and warm the caches
            grouped.step();
            // In turns, so that a change in the machine's load falls on both paths alike.
            std::vector<double> a, b;
            constexpr int kRounds = 7;
            for (int i = 0; i < kRounds; ++i) {
                a.push_back(direct.step());
                b.push_back(grouped.step());
            }
            const double ta = median(a), tb = median(b);
            std::printf("%s  depthwise ops %8.2f ms (scratch %6.1f MiB)   grouped GEMMs %8.2f ms (scratch %6.1f MiB)"
                        "   %.1fx faster\n",
                        int8 ? "int8" : "fp32", ta * 1e3, double(direct.scratchBytes()) / (1 << 20), tb * 1e3,
                        double(grouped.scratchBytes()) / (1 << 20), tb / ta);
        }
    } catch (const EngineError &e) {
        std::fprintf(stderr, "ffint8-depthwise-bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
