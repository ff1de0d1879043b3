// The cpu backend: oneDNN's GEMMs (VNNI INT8 where the CPU has it) and the element-wise ops split
// across OpenMP threads.
#pragma once

#include "engine/backend/host_backend.h"

namespace ffint8 {

class CpuBackend : public HostBackend
{
public:
    explicit CpuBackend(int threads = 0);

    std::string name() const override { return "cpu"; }
    std::string description() const override;
    void setThreads(int threads) override;
    void attachToThread() override;
    int threads() const { return m_threads; }

    void gemmF32(Trans ta, Trans tb, int m, int n, int k, float alpha, const float *a, int lda, const float *b,
                 int ldb, float beta, float *c, int ldc) override;
    void gemmS8S8S32(Trans ta, Trans tb, int m, int n, int k, const int8_t *a, int lda, const int8_t *b, int ldb,
                     int32_t *c, int ldc) override;

protected:
    void forChunks(int count, size_t work, const std::function<void(int, int)> &body) override;

private:
    int m_threads = 1;
};

} // namespace ffint8
