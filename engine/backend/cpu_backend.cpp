// The cpu backend on oneDNN and OpenMP.
#include "engine/backend/cpu_backend.h"

#include "engine/core/error.h"

#include <oneapi/dnnl/dnnl.h>
#include <omp.h>

#include <algorithm>
#include <string>

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

// Wraps a oneDNN call so that a failure names the call, its status, file and line.
#define FFINT8_DNNL_CHECK(call)                                                                                \
    do {                                                                                                       \
        dnnl_status_t status_ = (call);                                                                        \
        if (status_ != dnnl_success)                                                                           \
            throw ffint8::EngineError(std::string("oneDNN call failed (status ") + std::to_string(status_) +   \
                                      "): " #call " at " __FILE__ ":" + std::to_string(__LINE__));             \
    } while (0)

namespace ffint8 {

namespace {

const char *isaName(dnnl_cpu_isa_t isa)
{
    switch (isa) {
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_sse41: return "sse41";
    default: return "other";
    }
}

char transChar(Trans t) { return t == Trans::Yes ? 'T' : 'N'; }

// Denormal floats cost about a hundred times a normal operation on x86. Optimizer states decay into
// that range late in training (BP's Adam moments did, slowing whole epochs twentyfold), and no
// training result depends on values below 1e-38: flush them to zero, as ML frameworks do.
void flushDenormalsOnThisThread()
{
#if defined(__SSE__)
    _mm_setcsr(_mm_getcsr() | 0x8040); // FTZ (bit 15) and DAZ (bit 6)
#endif
}

} // namespace

CpuBackend::CpuBackend(int threads) { setThreads(threads); }

void CpuBackend::setThreads(int threads)
{
    m_threads = threads > 0 ? threads : omp_get_num_procs();
    omp_set_num_threads(m_threads);
    // The control register is per thread: set it on the caller and on every thread of the OpenMP
    // team, which oneDNN's GEMMs and forChunks() reuse.
    flushDenormalsOnThisThread();
#pragma omp parallel num_threads(m_threads)
    flushDenormalsOnThisThread();
}

void CpuBackend::attachToThread() { flushDenormalsOnThisThread(); }

std::string CpuBackend::description() const
{
    const dnnl_version_t *v = dnnl_version();
    return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch) +
           ", isa " + isaName(dnnl_get_effective_cpu_isa()) + ", " + std::to_string(m_threads) + " threads";
}

void CpuBackend::gemmF32(Trans ta, Trans tb, int m, int n, int k, float alpha, const float *a, int lda,
                         const float *b, int ldb, float beta, float *c, int ldc)
{
    if (m == 0 || n == 0)
        return;
    FFINT8_DNNL_CHECK(dnnl_sgemm(transChar(ta), transChar(tb), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc));
}

void CpuBackend::gemmS8S8S32(Trans ta, Trans tb, int m, int n, int k, const int8_t *a, int lda, const int8_t *b,
                             int ldb, int32_t *c, int ldc)
{
    if (m == 0 || n == 0)
        return;
    const int32_t noOffset = 0;
    FFINT8_DNNL_CHECK(dnnl_gemm_s8s8s32(transChar(ta), transChar(tb), 'F', m, n, k, 1.0f, a, lda, 0, b, ldb, 0,
                                        0.0f, c, ldc, &noOffset));
}

void CpuBackend::forChunks(int count, size_t work, const std::function<void(int, int)> &body)
{
    // Below about 32 K values an op takes a few microseconds, about what handing half of it to the
    // other thread costs; above that, splitting pays (measured with `ffint8 bench` at the paper's MLP).
    constexpr size_t kParallelWork = size_t(1) << 15;
    int chunks = work < kParallelWork ? 1 : std::min(m_threads, std::max(1, count / 8));
    if (chunks <= 1) {
        body(0, count);
        return;
    }
#pragma omp parallel for num_threads(chunks) schedule(static)
    for (int i = 0; i < chunks; ++i) {
        int begin = int(int64_t(count) * i / chunks);
        int end = int(int64_t(count) * (i + 1) / chunks);
        flushDenormalsOnThisThread(); // cheap, and the team's threads may not all be the ones set up
        body(begin, end);
    }
}

} // namespace ffint8
