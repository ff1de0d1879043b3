// cuBLASLt matmuls with their descriptors and heuristic choice made once per problem and cached:
// the handle, the layouts, the matmul descriptor and the algorithm are created the first time a
// shape is seen and reused for every later call (cuda-int8.md: "never per call"). One workspace.
// Large INT8 and FP16 problems are tuned on their first call: the heuristic's candidates are timed
// and the fastest kept. FP32 and TF32 keep the heuristic's first choice, because algorithms differ
// in their rounding and a choice made by timing would make training differ from run to run; INT8
// results are exact whichever algorithm computes them.
#pragma once

#include "engine/backend/cuda/gemm_plan.h"

#include <cublasLt.h>
#include <cuda_runtime_api.h>

#include <array>
#include <map>
#include <vector>

namespace ffint8::cuda {

class LtGemm
{
public:
    LtGemm(cudaStream_t stream, void *workspace, size_t workspaceBytes);
    LtGemm(const LtGemm &) = delete;
    LtGemm &operator=(const LtGemm &) = delete;
    ~LtGemm();

    // Whether cuBLASLt has an algorithm for the problem (made and cached on first use).
    bool supported(const LtProblem &p);
    // D = alpha * op(A) op(B) + beta * C with C = D, column-major as in `p`; alpha and beta are host
    // values of the scale type (int32 for Int8, float otherwise). Throws EngineError naming the
    // problem when cuBLASLt has no algorithm for it or the call fails.
    void matmul(const LtProblem &p, const void *alpha, const void *a, const void *b, const void *beta, void *c);
    size_t cachedProblems() const { return m_cache.size(); }

private:
    struct Plan
    {
        cublasLtMatmulDesc_t desc = nullptr;
        cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
        cublasLtMatmulAlgo_t algo{};
        bool found = false;
        std::vector<cublasLtMatmulAlgo_t> candidates; // the heuristic's, best first
        bool tuned = true; // false until a problem worth tuning (worthTuning) has been timed
    };
    Plan &plan(const LtProblem &p);
    // Times each candidate on the call's own operands (beta = 0 only, so C is just overwritten).
    void tune(Plan &plan, const void *alpha, const void *a, const void *b, const void *beta,
              void *c);
    static void destroy(Plan &plan);

    cublasLtHandle_t m_handle = nullptr;
    cudaStream_t m_stream;
    void *m_workspace;
    size_t m_workspaceBytes;
    std::map<std::array<int, 14>, Plan> m_cache;
};

} // namespace ffint8::cuda
