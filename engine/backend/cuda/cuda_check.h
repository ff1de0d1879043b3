// Checked calls into the CUDA runtime and cuBLASLt: a failure becomes an EngineError that names the
// call as written, the error's name and text, the file and the line.
#pragma once

#include <cublasLt.h>
#include <cuda_runtime_api.h>

namespace ffint8::cuda {

[[noreturn]] void throwCudaError(cudaError_t status, const char *call, const char *file, int line);
[[noreturn]] void throwCublasError(cublasStatus_t status, const char *call, const char *file, int line);
const char *cublasStatusName(cublasStatus_t status);
// After a kernel launch: a bad configuration (too many threads, no kernel image for this GPU's
// architecture) is reported here, naming the kernel; faults inside it surface at the next sync.
void checkLaunch(const char *kernel, const char *file, int line);

} // namespace ffint8::cuda

#define FFINT8_CUDA_CHECK(call)                                                                                \
    do {                                                                                                       \
        cudaError_t status_ = (call);                                                                          \
        if (status_ != cudaSuccess)                                                                            \
            ::ffint8::cuda::throwCudaError(status_, #call, __FILE__, __LINE__);                                \
    } while (0)

#define FFINT8_CUBLAS_CHECK(call)                                                                              \
    do {                                                                                                       \
        cublasStatus_t status_ = (call);                                                                       \
        if (status_ != CUBLAS_STATUS_SUCCESS)                                                                  \
            ::ffint8::cuda::throwCublasError(status_, #call, __FILE__, __LINE__);                              \
    } while (0)
