// The cpu backend: oneDNN's FP32 GEMM, an exact INT8 GEMM on every CPU (cpu_int8_path.h) and the
// element-wise ops split across OpenMP threads.
#pragma once

#include "engine/backend/core_availability.h"
#include "engine/backend/cpu_int8_path.h"
#include "engine/backend/host_backend.h"

#include <optional>

namespace ffint8 {

class CpuBackend : public HostBackend
{
public:
    // `int8Path`: a path to use instead of the best one here (tests, benchmarks); an EngineError
    // says why when it cannot run exactly on this CPU.
    // `threads` 0: as many as the cores that other processes leave free, re-measured as it runs.
    explicit CpuBackend(int threads = 0, std::optional<CpuInt8Path> int8Path = std::nullopt);

    std::string name() const override { return "cpu"; }
    std::string description() const override;
    void setThreads(int threads) override;
    void attachToThread() override;
    int threads() const { return m_threads; }
    bool followsLoad() const { return m_followLoad; }
    CpuInt8Path int8Path() const { return m_int8Path; }

    void gemmF32(Trans ta, Trans tb, int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb,
                 float beta, float *c, int ldc) override;
    void gemmS8S8S32(Trans ta, Trans tb, int m, int n, int k, const int8_t *a, int lda, const int8_t *b, int ldb,
                     int32_t *c, int ldc) override;

protected:
    void forChunks(int count, size_t work, const std::function<void(int, int)> &body) override;

private:
    // Runs body(0) .. body(slots - 1), one per thread of the team.
    void parallelSlots(int slots, const std::function<void(int)> &body);
    uint8_t *int8Scratch(size_t bytes);
    void useThreads(int threads);
    // With automatic threads: the count of free cores, re-measured at most twice a second.
    void followLoad();

    CoreAvailability m_cores;
    bool m_followLoad = true;
    bool m_loadMeasured = false;
    int m_threads = 1;
    CpuInt8Path m_int8Path = CpuInt8Path::Portable;
    Tensor m_int8Scratch; // packed panels of the engine's own INT8 GEMM, grown to the largest call
};

} // namespace ffint8
