// Backends by name.
#include "engine/backend/backend_factory.h"

#include "engine/backend/cpu_backend.h"
#include "engine/backend/reference_backend.h"
#include "engine/core/error.h"

namespace ffint8 {

std::vector<BackendAvailability> backendAvailability()
{
    std::vector<BackendAvailability> result;
    result.push_back({"reference", true, ReferenceBackend().description()});
    result.push_back({"cpu", true, CpuBackend().description()});
#ifdef FFINT8_CUDA_TOOLKIT_FOUND
    result.push_back({"cuda", false, "the CUDA toolkit was found at build time, but the cuda backend is not written yet"});
#else
    result.push_back({"cuda", false, "this build has no CUDA toolkit (configure with CUDA installed to get it)"});
#endif
    return result;
}

std::unique_ptr<Backend> createBackend(const std::string &name, int threads)
{
    std::unique_ptr<Backend> backend;
    if (name == "reference")
        backend = std::make_unique<ReferenceBackend>();
    else if (name == "cpu")
        backend = std::make_unique<CpuBackend>(threads);
    if (backend)
        return backend;
    for (const auto &b : backendAvailability())
        if (b.name == name)
            throw EngineError("backend '" + name + "' is not available: " + b.reason);
    throw EngineError("unknown backend '" + name + "'; valid: reference, cpu, cuda");
}

} // namespace ffint8
