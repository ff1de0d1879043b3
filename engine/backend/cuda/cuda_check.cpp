// Error messages of the CUDA runtime and cuBLASLt as EngineErrors (see cuda_check.h).
#include "engine/backend/cuda/cuda_check.h"

#include "engine/core/error.h"

#include <string>

namespace ffint8::cuda {

void throwCudaError(cudaError_t status, const char *call, const char *file, int line)
{
    throw EngineError(std::string("CUDA call failed: ") + call + " returned " + cudaGetErrorName(status) + " (" +
                      std::to_string(int(status)) + ": " + cudaGetErrorString(status) + ") at " + file + ":" +
                      std::to_string(line));
}

const char *cublasStatusName(cublasStatus_t status)
{
    // cublasGetStatusName lives in libcublas, which this backend does not otherwise need.
    switch (status) {
    case CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
    case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_ARCH_MISMATCH: return "CUBLAS_STATUS_ARCH_MISMATCH";
    case CUBLAS_STATUS_MAPPING_ERROR: return "CUBLAS_STATUS_MAPPING_ERROR";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
    case CUBLAS_STATUS_INTERNAL_ERROR: return "CUBLAS_STATUS_INTERNAL_ERROR";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
    case CUBLAS_STATUS_LICENSE_ERROR: return "CUBLAS_STATUS_LICENSE_ERROR";
    }
    return "unknown cuBLAS status";
}

void throwCublasError(cublasStatus_t status, const char *call, const char *file, int line)
{
    std::string hint;
    if (status == CUBLAS_STATUS_NOT_SUPPORTED)
        hint = " (CUBLASLT_LOG_LEVEL=5 makes cuBLASLt say why)";
    throw EngineError(std::string("cuBLASLt call failed: ") + call + " returned " + cublasStatusName(status) + " (" +
                      std::to_string(int(status)) + ")" + hint + " at " + file + ":" + std::to_string(line));
}

void checkLaunch(const char *kernel, const char *file, int line)
{
    cudaError_t status = cudaGetLastError();
    if (status != cudaSuccess)
        throw EngineError(std::string("CUDA kernel launch failed: ") + kernel + ": " + cudaGetErrorName(status) + " (" +
                          cudaGetErrorString(status) + ") at " + file + ":" + std::to_string(line));
}

} // namespace ffint8::cuda
