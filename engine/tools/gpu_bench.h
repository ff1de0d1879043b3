// ffint8-gpu-bench: what the cuda backend achieves on this GPU, engine only (no Qt). Its parts:
// GEMM rates (INT8 against FP32, TF32 and FP16) and training epochs against the cpu backend.
#pragma once

#include <cstdint>
#include <string>

namespace ffint8 {

class CudaBackend;

struct GpuBenchOptions
{
    double int8PeakTops = 0.0; // dense INT8 tensor-core peak; 0: from the table of known devices
    std::string dataset = "fashion-mnist";
    int trainLimit = 0;        // examples per epoch; 0: the whole training set
    bool cpu = true;           // also time the cpu backend
    bool quick = false;        // fewer and smaller GEMMs (a smoke run)
    bool accuracyOnly = false; // only the paper MLP's whole run on cuda and cpu, for their accuracies
    bool graphsOnly = false;   // only cnn-small trained by every graph method on cuda and cpu
    uint64_t seed = 1;
};

// The dense INT8 tensor-core peak (TOPS) of a device by name, and where the figure comes from;
// 0 when the device is not in the table.
double knownInt8PeakTops(const std::string &deviceName, std::string &source);

// Both return false when a result misses a target of the cuda backend (the exit status then says so).
bool runGemmBench(CudaBackend &cuda, const GpuBenchOptions &options);
bool runEpochBench(CudaBackend &cuda, const GpuBenchOptions &options);
// The paper MLP's whole ff-int8 run on cuda and on the cpu backend with the same seed: their test
// accuracies, epoch by epoch, and whether they end within 0.5 points.
bool runAccuracyBench(CudaBackend &cuda, const GpuBenchOptions &options);
// cnn-small trained by bp-fp32, bp-int8, ff-fp32 and ff-int8 on cuda and on the cpu backend: loss
// curves, time per step and test accuracy of both; false when a loss is not finite.
bool runGraphBench(CudaBackend &cuda, const GpuBenchOptions &options);

} // namespace ffint8
