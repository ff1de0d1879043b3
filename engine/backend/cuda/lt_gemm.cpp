// cuBLASLt matmuls with cached descriptors and heuristic results (see lt_gemm.h).
#include "engine/backend/cuda/lt_gemm.h"

#include "engine/backend/cuda/cuda_check.h"
#include "engine/core/error.h"

#include <cstdint>

namespace ffint8::cuda {

namespace {

struct Types
{
    cublasComputeType_t compute;
    cudaDataType_t scale, ab, c;
};

Types typesOf(LtKind kind)
{
    switch (kind) {
    // INT8 x INT8 with exact INT32 accumulation and INT32 output: the scale type must then be INT32.
    case LtKind::Int8: return {CUBLAS_COMPUTE_32I, CUDA_R_32I, CUDA_R_8I, CUDA_R_32I};
    case LtKind::F32: return {CUBLAS_COMPUTE_32F, CUDA_R_32F, CUDA_R_32F, CUDA_R_32F};
    case LtKind::Tf32: return {CUBLAS_COMPUTE_32F_FAST_TF32, CUDA_R_32F, CUDA_R_32F, CUDA_R_32F};
    case LtKind::F16: return {CUBLAS_COMPUTE_32F, CUDA_R_32F, CUDA_R_16F, CUDA_R_16F};
    }
    throw EngineError("cuBLASLt: unknown matmul kind");
}

// Candidates asked of the heuristic; only problems worth tuning use more than the first.
constexpr int kCandidates = 8;

// Worth timing: at least 2^30 multiply-adds (a few hundred microseconds, where a better kernel
// saves more than the tuning costs), exact or benchmark-only kinds, C not read.
bool worthTuning(const LtProblem &p)
{
    return (p.kind == LtKind::Int8 || p.kind == LtKind::F16) && !p.accumulate &&
           double(p.m) * double(p.n) * double(p.k) >= double(1 << 30);
}

} // namespace

LtGemm::LtGemm(cudaStream_t stream, void *workspace, size_t workspaceBytes)
    : m_stream(stream), m_workspace(workspace), m_workspaceBytes(workspaceBytes)
{
    FFINT8_CUBLAS_CHECK(cublasLtCreate(&m_handle));
}

LtGemm::~LtGemm()
{
    for (auto &[key, plan] : m_cache)
        destroy(plan);
    if (m_handle)
        cublasLtDestroy(m_handle);
}

void LtGemm::destroy(Plan &plan)
{
    if (plan.a)
        cublasLtMatrixLayoutDestroy(plan.a);
    if (plan.b)
        cublasLtMatrixLayoutDestroy(plan.b);
    if (plan.c)
        cublasLtMatrixLayoutDestroy(plan.c);
    if (plan.desc)
        cublasLtMatmulDescDestroy(plan.desc);
    plan = Plan{};
}

LtGemm::Plan &LtGemm::plan(const LtProblem &p)
{
    const auto key = p.key();
    auto it = m_cache.find(key);
    if (it != m_cache.end())
        return it->second;

    Plan plan;
    try {
        const Types t = typesOf(p.kind);
        FFINT8_CUBLAS_CHECK(cublasLtMatmulDescCreate(&plan.desc, t.compute, t.scale));
        const cublasOperation_t opA = p.transA ? CUBLAS_OP_T : CUBLAS_OP_N, opB = p.transB ? CUBLAS_OP_T : CUBLAS_OP_N;
        FFINT8_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(plan.desc, CUBLASLT_MATMUL_DESC_TRANSA, &opA, sizeof opA));
        FFINT8_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(plan.desc, CUBLASLT_MATMUL_DESC_TRANSB, &opB, sizeof opB));
        // Stored shapes (column-major): A is k x m when transposed, else m x k; likewise B.
        FFINT8_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&plan.a, t.ab, p.transA ? p.k : p.m, p.transA ? p.m : p.k, p.lda));
        FFINT8_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&plan.b, t.ab, p.transB ? p.n : p.k, p.transB ? p.k : p.n, p.ldb));
        FFINT8_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&plan.c, t.c, p.m, p.n, p.ldc));

        cublasLtMatmulPreference_t preference = nullptr;
        FFINT8_CUBLAS_CHECK(cublasLtMatmulPreferenceCreate(&preference));
        const uint64_t workspace = m_workspaceBytes;
        const uint32_t alignA = uint32_t(p.alignA), alignB = uint32_t(p.alignB), alignC = uint32_t(p.alignC);
        cublasStatus_t status =
            cublasLtMatmulPreferenceSetAttribute(preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace, sizeof workspace);
        // The algorithm must suit the pointers' actual alignment, not the best case.
        if (status == CUBLAS_STATUS_SUCCESS)
            status = cublasLtMatmulPreferenceSetAttribute(preference, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, &alignA, sizeof alignA);
        if (status == CUBLAS_STATUS_SUCCESS)
            status = cublasLtMatmulPreferenceSetAttribute(preference, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, &alignB, sizeof alignB);
        if (status == CUBLAS_STATUS_SUCCESS)
            status = cublasLtMatmulPreferenceSetAttribute(preference, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, &alignC, sizeof alignC);
        if (status == CUBLAS_STATUS_SUCCESS)
            status = cublasLtMatmulPreferenceSetAttribute(preference, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, &alignC, sizeof alignC);
        std::array<cublasLtMatmulHeuristicResult_t, kCandidates> results{};
        int found = 0;
        if (status == CUBLAS_STATUS_SUCCESS)
            status = cublasLtMatmulAlgoGetHeuristic(m_handle, plan.desc, plan.a, plan.b, plan.c, plan.c, preference,
                                                    kCandidates, results.data(), &found);
        cublasLtMatmulPreferenceDestroy(preference);
        // NOT_SUPPORTED from the heuristic means "no algorithm": remembered, so callers can fall back.
        if (status != CUBLAS_STATUS_SUCCESS && status != CUBLAS_STATUS_NOT_SUPPORTED)
            throwCublasError(status, ("cublasLtMatmulAlgoGetHeuristic for " + p.describe()).c_str(), __FILE__, __LINE__);
        for (int i = 0; status == CUBLAS_STATUS_SUCCESS && i < found; ++i)
            if (results[size_t(i)].state == CUBLAS_STATUS_SUCCESS)
                plan.candidates.push_back(results[size_t(i)].algo);
        plan.found = !plan.candidates.empty();
        if (plan.found)
            plan.algo = plan.candidates.front();
        // Decided once here rather than on every call: the first call of a problem worth it tunes.
        plan.tuned = !(plan.candidates.size() > 1 && worthTuning(p));
    } catch (...) {
        destroy(plan);
        throw;
    }
    return m_cache.emplace(key, plan).first->second;
}

bool LtGemm::supported(const LtProblem &p) { return plan(p).found; }

void LtGemm::tune(Plan &pl, const void *alpha, const void *a, const void *b, const void *beta,
                  void *c)
{
    cudaEvent_t start = nullptr, stop = nullptr;
    FFINT8_CUDA_CHECK(cudaEventCreate(&start));
    if (cudaEventCreate(&stop) != cudaSuccess) {
        cudaEventDestroy(start);
        throw EngineError("cuBLASLt tuning: cudaEventCreate failed");
    }
    float best = 0.0f;
    for (const cublasLtMatmulAlgo_t &algo : pl.candidates) {
        auto run = [&] {
            return cublasLtMatmul(m_handle, pl.desc, alpha, a, pl.a, b, pl.b, beta, c, pl.c, c, pl.c, &algo, m_workspace,
                                  m_workspaceBytes, m_stream);
        };
        if (run() != CUBLAS_STATUS_SUCCESS) // a candidate that does not run here is skipped
            continue;
        constexpr int kRepeats = 3;
        cudaEventRecord(start, m_stream);
        for (int i = 0; i < kRepeats; ++i)
            run();
        cudaEventRecord(stop, m_stream);
        float ms = 0.0f;
        if (cudaEventSynchronize(stop) == cudaSuccess && cudaEventElapsedTime(&ms, start, stop) == cudaSuccess &&
            (best == 0.0f || ms < best)) {
            best = ms;
            pl.algo = algo;
        }
    }
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
    pl.tuned = true;
}

void LtGemm::matmul(const LtProblem &p, const void *alpha, const void *a, const void *b, const void *beta, void *c)
{
    Plan &pl = plan(p);
    if (!pl.found)
        throw EngineError("cuBLASLt has no algorithm for " + p.describe() +
                          " (CUBLASLT_LOG_LEVEL=5 makes cuBLASLt say why)");
    if (!pl.tuned)
        tune(pl, alpha, a, b, beta, c);
    const cublasStatus_t status = cublasLtMatmul(m_handle, pl.desc, alpha, a, pl.a, b, pl.b, beta, c, pl.c, c, pl.c,
                                                 &pl.algo, m_workspace, m_workspaceBytes, m_stream);
    if (status != CUBLAS_STATUS_SUCCESS)
        throwCublasError(status, ("cublasLtMatmul for " + p.describe()).c_str(), __FILE__, __LINE__);
}

} // namespace ffint8::cuda
