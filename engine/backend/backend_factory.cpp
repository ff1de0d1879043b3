// Backends by name: which this build has, which this machine can run, and why not the others.
#include "engine/backend/backend_factory.h"

#include "engine/backend/reference_backend.h"
#include "engine/core/error.h"

#ifdef FFINT8_WITH_ONEDNN
#include "engine/backend/cpu_backend.h"
#endif
#ifdef FFINT8_WITH_CUDA
#include "engine/backend/cuda/cuda_backend.h"
#include "engine/backend/cuda/cuda_device_probe.h"
#endif

namespace ffint8 {

namespace {

BackendAvailability cudaAvailability()
{
#if defined(FFINT8_WITH_CUDA)
    const cuda::DeviceProbe probe = cuda::probeDevice();
    return {"cuda", probe.available, probe.text};
#elif defined(FFINT8_CUDA_TOOLKIT_FOUND)
    return {"cuda", false, "the CUDA toolkit was found at build time, but the cuda backend was switched off (FFINT8_CUDA=OFF)"};
#else
    return {"cuda", false, "this build has no CUDA toolkit (configure with CUDA installed to get it)"};
#endif
}

BackendAvailability cpuAvailability()
{
#ifdef FFINT8_WITH_ONEDNN
    try {
        return {"cpu", true, CpuBackend().description()};
    } catch (const EngineError &e) { // FFINT8_INT8_PATH names a path this CPU cannot run
        return {"cpu", false, e.what()};
    }
#else
    return {"cpu", false, "this build has no oneDNN or no OpenMP (configure with libdnnl-dev installed to get it)"};
#endif
}

} // namespace

std::vector<BackendAvailability> backendAvailability()
{
    return {{"reference", true, ReferenceBackend().description()}, cpuAvailability(), cudaAvailability()};
}

std::unique_ptr<Backend> createBackend(const std::string &name, int threads)
{
    (void)threads; // only the cpu backend has threads
    if (name == "reference")
        return std::make_unique<ReferenceBackend>();
#ifdef FFINT8_WITH_ONEDNN
    if (name == "cpu")
        return std::make_unique<CpuBackend>(threads);
#endif
#ifdef FFINT8_WITH_CUDA
    // Probed first: without a device the constructor's error would name a CUDA call, not the cause.
    if (name == "cuda" && cuda::probeDevice().available)
        return std::make_unique<CudaBackend>(0);
#endif
    for (const auto &b : backendAvailability())
        if (b.name == name)
            throw EngineError("backend '" + name + "' is not available: " + b.reason);
    throw EngineError("unknown backend '" + name + "'; valid: reference, cpu, cuda");
}

} // namespace ffint8
