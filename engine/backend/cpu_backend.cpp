// The cpu backend on oneDNN and OpenMP.
#include "engine/backend/cpu_backend.h"

#include "engine/backend/int8/int8_gemm.h"
#include "engine/backend/omp_tsan.h"
#include "engine/core/error.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>
#include <string>

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

// Wraps a oneDNN call so that a failure names the call, its status, file and line.
#define FFINT8_DNNL_CHECK(call)                                                                                        \
    do {                                                                                                               \
        dnnl_status_t status_ = (call);                                                                                \
        if (status_ != dnnl_success)                                                                                   \
            throw ffint8::EngineError(std::string("oneDNN call failed (status ") + std::to_string(status_)             \
                                      + "): " #call " at " __FILE__ ":" + std::to_string(__LINE__));                   \
    } while (0)

namespace ffint8 {

namespace {

// The load of other processes, in cores, that the automatic thread count tolerates before it gives
// up a thread.
constexpr double kLoadPerThread = 0.4;

char transChar(Trans t)
{
    return t == Trans::Yes ? 'T' : 'N';
}

// Denormal floats cost about a hundred times a normal operation on x86 (and trap to slow paths on
// many ARM cores). Optimizer states decay into that range late in training (BP's Adam moments did,
// slowing whole epochs twentyfold), and no training result depends on values below 1e-38: flush
// them to zero, as ML frameworks do.
void flushDenormalsOnThisThread()
{
#if defined(__SSE__)
    _mm_setcsr(_mm_getcsr() | 0x8040); // FTZ (bit 15) and DAZ (bit 6)
#elif defined(__aarch64__)
    uint64_t fpcr = 0;
    __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
    __asm__ volatile("msr fpcr, %0" : : "r"(fpcr | (uint64_t(1) << 24))); // FZ: inputs and results
#endif
}

} // namespace

CpuBackend::CpuBackend(int threads, std::optional<CpuInt8Path> int8Path)
{
    m_int8Path = chooseInt8Path(int8Path);
    setThreads(threads);
}

void CpuBackend::setThreads(int threads)
{
    m_followLoad = threads <= 0;
    useThreads(threads > 0 ? threads : m_cores.cores());
}

void CpuBackend::useThreads(int threads)
{
    m_threads = threads;
    omp_set_num_threads(m_threads);
    // The control register is per thread: set it on the caller and on every thread of the OpenMP
    // team, which oneDNN's GEMMs and forChunks() reuse.
    flushDenormalsOnThisThread();
#pragma omp parallel num_threads(m_threads)
    flushDenormalsOnThisThread();
}

void CpuBackend::attachToThread()
{
    flushDenormalsOnThisThread();
}

void CpuBackend::followLoad()
{
    if (!m_followLoad)
        return;
    // A first look after a tenth of a second (what ran before this backend existed is not in it),
    // then every half second: enough of the kernel's 10 ms ticks to see a core's load to a few per cent.
    const double others = m_cores.othersBusySince(std::chrono::milliseconds(m_loadMeasured ? 500 : 100));
    if (others < 0.0)
        return;
    m_loadMeasured = true;
    // OpenMP teams and oneDNN's GEMMs split work evenly and wait at barriers: a thread that shares
    // its core with another process holds every region up (a 2-thread epoch took several times longer
    // than with 1 thread when one of two cores was busy). A busy process that shares a core with one
    // of ours shows as about half a core, so each 0.4 of a core that others use costs a thread.
    const int cores = m_cores.cores();
    const int free = std::clamp(cores - int(std::ceil(others - kLoadPerThread)), 1, cores);
    if (free != m_threads)
        useThreads(free);
}

std::string CpuBackend::description() const
{
    const dnnl_version_t *v = dnnl_version();
    return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch)
        + ", isa " + cpuIsaName() + ", int8 " + int8PathName(m_int8Path) + " (" + int8PathDescription(m_int8Path)
        + "), "
        + (m_followLoad ? "threads following the load, up to " + std::to_string(m_cores.cores())
                        : std::to_string(m_threads) + " threads");
}

void CpuBackend::gemmF32(Trans ta, Trans tb, int m, int n, int k, float alpha, const float *a, int lda, const float *b,
                         int ldb, float beta, float *c, int ldc)
{
    if (m == 0 || n == 0)
        return;
    followLoad();
    FFINT8_DNNL_CHECK(dnnl_sgemm(transChar(ta), transChar(tb), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc));
}

void CpuBackend::gemmS8S8S32(Trans ta, Trans tb, int m, int n, int k, const int8_t *a, int lda, const int8_t *b,
                             int ldb, int32_t *c, int ldc)
{
    if (m == 0 || n == 0)
        return;
    followLoad();
    const char ca = transChar(ta), cb = transChar(tb);
    const int32_t noOffset = 0;
    if (m_int8Path == CpuInt8Path::OneDnn) {
        FFINT8_DNNL_CHECK(dnnl_gemm_s8s8s32(ca, cb, 'F', m, n, k, 1.0f, a, lda, 0, b, ldb, 0, 0.0f, c, ldc, &noOffset));
        return;
    }
    // Which operand is non-negative is read off the codes (a pass over a few kilobytes), so a caller
    // can never get a saturated product by declaring it wrongly.
    using int8gemm::Operands;
    Operands operands = Operands::BothSigned;
    int8gemm::Kernels kernels = int8gemm::Kernels::Portable;
    if (m_int8Path == CpuInt8Path::NeonDot)
        kernels = int8gemm::Kernels::NeonDot; // sdot takes any signs
    if (m_int8Path == CpuInt8Path::Avx2) {
        kernels = int8gemm::Kernels::Avx2;
        const bool aUnsigned
            = ta == Trans::Yes ? int8gemm::nonNegative(a, k, m, lda) : int8gemm::nonNegative(a, m, k, lda);
        if (aUnsigned) {
            // oneDNN's u8 x s8 kernel multiplies pairs into 16 bits too, exactly for codes up to 127.
            FFINT8_DNNL_CHECK(dnnl_gemm_u8s8s32(ca, cb, 'F', m, n, k, 1.0f, reinterpret_cast<const uint8_t *>(a), lda,
                                                0, b, ldb, 0, 0.0f, c, ldc, &noOffset));
            return;
        }
        const bool bUnsigned
            = tb == Trans::Yes ? int8gemm::nonNegative(b, n, k, ldb) : int8gemm::nonNegative(b, k, n, ldb);
        operands = bUnsigned ? Operands::BUnsigned : Operands::BothSigned;
    }
    uint8_t *scratch = int8Scratch(int8gemm::scratchBytes(m, k, m_threads));
    int8gemm::gemm(kernels, operands, ta == Trans::Yes, tb == Trans::Yes, m, n, k, a, lda, b, ldb, c, ldc, scratch,
                   m_threads, [this](int slots, const std::function<void(int)> &body) { parallelSlots(slots, body); });
}

uint8_t *CpuBackend::int8Scratch(size_t bytes)
{
    if (m_int8Scratch.bytes() < bytes) {
        m_int8Scratch = Tensor();
        m_int8Scratch = allocate(1, int(bytes), DType::S8, MemoryCategory::Workspace);
    }
    return reinterpret_cast<uint8_t *>(m_int8Scratch.s8());
}

FFINT8_OMP_REGION_HOLDER void CpuBackend::parallelSlots(int slots, const std::function<void(int)> &body)
{
    omptsan::beforeRegion();
#pragma omp parallel num_threads(slots)
    {
        omptsan::enterRegion();
        flushDenormalsOnThisThread();
        body(omp_get_thread_num());
        omptsan::leaveRegion();
    }
    omptsan::afterRegion();
}

FFINT8_OMP_REGION_HOLDER void CpuBackend::forChunks(int count, size_t work, const std::function<void(int, int)> &body)
{
    // Below about 32 K values an op takes a few microseconds, about what handing half of it to the
    // other thread costs; above that, splitting pays (measured with `ffint8 bench` at the paper's MLP).
    constexpr size_t kParallelWork = size_t(1) << 15;
    int chunks = work < kParallelWork ? 1 : std::min(m_threads, std::max(1, count / 8));
    if (chunks <= 1) {
        body(0, count);
        return;
    }
    omptsan::beforeRegion();
#pragma omp parallel for num_threads(chunks) schedule(static)
    for (int i = 0; i < chunks; ++i) {
        omptsan::enterRegion();
        int begin = int(int64_t(count) * i / chunks);
        int end = int(int64_t(count) * (i + 1) / chunks);
        flushDenormalsOnThisThread(); // cheap, and the team's threads may not all be the ones set up
        body(begin, end);
        omptsan::leaveRegion();
    }
    omptsan::afterRegion();
}

} // namespace ffint8
