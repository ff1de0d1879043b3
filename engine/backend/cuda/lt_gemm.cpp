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
        cublasLtMatmulHeuristicResult_t result{};
        int found = 0;
        if (status == CUBLAS_STATUS_SUCCESS)
            status = cublasLtMatmulAlgoGetHeuristic(m_handle, plan.desc, plan.a, plan.b, plan.c, plan.c, preference, 1,
                                                    &result, &found);
        cublasLtMatmulPreferenceDestroy(preference);
        // NOT_SUPPORTED from the heuristic means "no algorithm": remembered, so callers can fall back.
        if (status != CUBLAS_STATUS_SUCCESS && status != CUBLAS_STATUS_NOT_SUPPORTED)
            throwCublasError(status, ("cublasLtMatmulAlgoGetHeuristic for " + p.describe()).c_str(), __FILE__, __LINE__);
        plan.found = status == CUBLAS_STATUS_SUCCESS && found > 0 && result.state == CUBLAS_STATUS_SUCCESS;
        if (plan.found)
            plan.algo = result.algo;
    } catch (...) {
        destroy(plan);
        throw;
    }
    return m_cache.emplace(key, plan).first->second;
}

bool LtGemm::supported(const LtProblem &p) { return plan(p).found; }

void LtGemm::matmul(const LtProblem &p, const void *alpha, const void *a, const void *b, const void *beta, void *c)
{
    Plan &pl = plan(p);
    if (!pl.found)
        throw EngineError("cuBLASLt has no algorithm for " + p.describe() +
                          " (CUBLASLT_LOG_LEVEL=5 makes cuBLASLt say why)");
    const cublasStatus_t status = cublasLtMatmul(m_handle, pl.desc, alpha, a, pl.a, b, pl.b, beta, c, pl.c, c, pl.c,
                                                 &pl.algo, m_workspace, m_workspaceBytes, m_stream);
    if (status != CUBLAS_STATUS_SUCCESS)
        throwCublasError(status, ("cublasLtMatmul for " + p.describe()).c_str(), __FILE__, __LINE__);
}

} // namespace ffint8::cuda
