// GEMM rates on the cuda backend: INT8 (as training calls it, repacking included) against FP32,
// TF32 and FP16 at the paper MLP's shapes (look-ahead layout: positive and negative rows) and at
// large squares, with the share of the device's dense INT8 peak.
#include "engine/backend/cuda/cuda_backend.h"
#include "engine/core/counter_rng.h"
#include "engine/tools/gpu_bench.h"

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace ffint8 {

namespace {

struct Shape
{
    std::string what;
    Trans ta, tb;
    int m, n, k;
    bool square;
};

std::vector<Shape> benchShapes(bool quick)
{
    std::vector<Shape> shapes;
    const int widths[] = {784, 1000, 1000};
    for (int batch : {32, 256}) {
        const int rows = 2 * batch; // FF runs positive and negative examples in one pass
        for (int l = 0; l < 2; ++l) {
            const int in = widths[l], out = widths[l + 1];
            const std::string layer = "b" + std::to_string(batch) + " L" + std::to_string(l) + " ";
            shapes.push_back({layer + "forward", Trans::No, Trans::Yes, rows, out, in, false});
            shapes.push_back({layer + "weight grad", Trans::Yes, Trans::No, out, in, rows, false});
            if (l > 0) // look-ahead's chain: the input gradient of every layer but the first
                shapes.push_back({layer + "input grad", Trans::No, Trans::No, rows, in, out, false});
        }
    }
    for (int size : quick ? std::vector<int>{4096} : std::vector<int>{4096, 8192, 16384})
        shapes.push_back({"square " + std::to_string(size), Trans::No, Trans::Yes, size, size, size, true});
    return shapes;
}

// Seconds per call: batches of calls between two synchronisations, doubled until a batch takes
// 0.2 s, so that launch queuing, not one synchronisation per call, is what is measured.
double secondsPerCall(CudaBackend &cuda, const std::function<void()> &call)
{
    call(); // warm-up: descriptors, heuristic, workspace and scratch are made here
    cuda.synchronize();
    using Clock = std::chrono::steady_clock;
    for (int calls = 1;; calls *= 2) {
        const auto start = Clock::now();
        for (int i = 0; i < calls; ++i)
            call();
        cuda.synchronize();
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        if (seconds >= 0.2 || calls >= (1 << 16))
            return seconds / calls;
    }
}

Tensor randomTensor(CudaBackend &cuda, int rows, int cols, DType type, SplitMix64 &rng)
{
    Tensor t = cuda.allocate(rows, cols, type, MemoryCategory::Workspace);
    if (type == DType::S8) {
        std::vector<int8_t> v(t.count());
        for (auto &x : v)
            x = int8_t(int(rng.below(255)) - 127);
        cuda.upload(t, v.data(), v.size());
    } else {
        std::vector<float> v(t.count());
        for (auto &x : v)
            x = rng.uniform() - 0.5f;
        cuda.upload(t, v.data(), v.size() * sizeof(float));
    }
    return t;
}

} // namespace

bool runGemmBench(CudaBackend &cuda, const GpuBenchOptions &options)
{
    std::string peakSource = "--int8-peak-tops";
    const double peak = options.int8PeakTops > 0.0 ? options.int8PeakTops : knownInt8PeakTops(cuda.deviceName(), peakSource);
    std::printf("GEMMs (row-major m x n x k; INT8 includes any operand repacking training pays for)\n");
    std::printf("dense INT8 peak: %s (%s)\n", peak > 0 ? (std::to_string(peak) + " TOPS").c_str() : "unknown",
                peakSource.c_str());
    std::printf("%-26s %-18s %9s %9s %9s %9s %8s %8s %8s %8s\n", "shape", "m x n x k", "INT8", "FP32", "TF32", "FP16",
                "/FP32", "/TF32", "/FP16", "% peak");
    std::printf("%-26s %-18s %9s %9s %9s %9s\n", "", "", "TOPS", "TFLOPS", "TFLOPS", "TFLOPS");
    SplitMix64 rng(options.seed);
    bool met = true;
    const bool tf32Before = cuda.tf32();
    for (const Shape &s : benchShapes(options.quick)) {
        const int aRows = s.ta == Trans::Yes ? s.k : s.m, aCols = s.ta == Trans::Yes ? s.m : s.k;
        const int bRows = s.tb == Trans::Yes ? s.n : s.k, bCols = s.tb == Trans::Yes ? s.k : s.n;
        Tensor a = randomTensor(cuda, aRows, aCols, DType::F32, rng), b = randomTensor(cuda, bRows, bCols, DType::F32, rng);
        Tensor qa = randomTensor(cuda, aRows, aCols, DType::S8, rng), qb = randomTensor(cuda, bRows, bCols, DType::S8, rng);
        Tensor c = cuda.allocate(s.m, s.n, DType::F32, MemoryCategory::Workspace);
        Tensor qc = cuda.allocate(s.m, s.n, DType::S32, MemoryCategory::Workspace);
        // FP16 operands: two bytes a value, held in S8 tensors of twice the columns.
        Tensor ha = cuda.allocate(aRows, 2 * aCols, DType::S8, MemoryCategory::Workspace);
        Tensor hb = cuda.allocate(bRows, 2 * bCols, DType::S8, MemoryCategory::Workspace);
        Tensor hc = cuda.allocate(s.m, 2 * s.n, DType::S8, MemoryCategory::Workspace);
        cuda.toHalf(a.f32(), a.count(), ha.raw());
        cuda.toHalf(b.f32(), b.count(), hb.raw());

        const double ops = 2.0 * s.m * s.n * s.k;
        const double tInt8 = secondsPerCall(cuda, [&] {
            cuda.gemmS8S8S32(s.ta, s.tb, s.m, s.n, s.k, qa.s8(), aCols, qb.s8(), bCols, qc.s32(), s.n);
        });
        auto f32 = [&] { cuda.gemmF32(s.ta, s.tb, s.m, s.n, s.k, 1.0f, a.f32(), aCols, b.f32(), bCols, 0.0f, c.f32(), s.n); };
        cuda.setTf32(false);
        const double tF32 = secondsPerCall(cuda, f32);
        cuda.setTf32(true);
        const double tTf32 = secondsPerCall(cuda, f32);
        cuda.setTf32(tf32Before);
        const double tF16 = secondsPerCall(cuda, [&] {
            cuda.gemmF16(s.ta, s.tb, s.m, s.n, s.k, ha.raw(), aCols, hb.raw(), bCols, hc.raw(), s.n);
        });
        const double int8Tops = ops / tInt8 / 1e12;
        const std::string dims = std::to_string(s.m) + "x" + std::to_string(s.n) + "x" + std::to_string(s.k);
        std::printf("%-26s %-18s %9.2f %9.2f %9.2f %9.2f %8.2f %8.2f %8.2f %7.1f%%\n", s.what.c_str(), dims.c_str(),
                    int8Tops, ops / tF32 / 1e12, ops / tTf32 / 1e12, ops / tF16 / 1e12, tF32 / tInt8, tTf32 / tInt8,
                    tF16 / tInt8, peak > 0 ? 100.0 * int8Tops / peak : 0.0);
        if (s.square) {
            // The targets: at large squares INT8 reaches 70 % of the dense peak and 1.5 x the FP16 rate.
            const bool peakOk = peak > 0 && int8Tops >= 0.7 * peak;
            const bool fp16Ok = tF16 / tInt8 >= 1.5;
            std::printf("    target %s: >= 70%% of peak %s, >= 1.5 x FP16 %s\n", s.what.c_str(),
                        peak > 0 ? (peakOk ? "met" : "missed") : "unknown (no peak)", fp16Ok ? "met" : "missed");
            met = met && (peak <= 0 || peakOk) && fp16Ok;
        }
        std::fflush(stdout);
    }
    std::printf("cuBLASLt problems planned and cached: %zu\n\n", cuda.cachedGemmPlans());
    return met;
}

} // namespace ffint8
