// Device discovery for the backend list (see cuda_device_probe.h).
#include "engine/backend/cuda/cuda_device_probe.h"

#include <cuda_runtime_api.h>

namespace ffint8::cuda {

namespace {

std::string versionText(int v) { return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10); }

} // namespace

DeviceProbe probeDevice()
{
    DeviceProbe probe;
    int runtime = 0;
    cudaRuntimeGetVersion(&runtime);
    int count = 0;
    const cudaError_t status = cudaGetDeviceCount(&count);
    cudaGetLastError(); // the probe's failure must not linger as the thread's last error
    if (status == cudaErrorInsufficientDriver) {
        int driver = 0;
        cudaDriverGetVersion(&driver);
        probe.text = driver == 0 ? "no NVIDIA driver is installed (cudaGetDeviceCount: " +
                                       std::string(cudaGetErrorString(status)) + ")"
                                 : "the NVIDIA driver supports CUDA " + versionText(driver) +
                                       ", older than this build's runtime " + versionText(runtime);
        return probe;
    }
    if (status == cudaErrorNoDevice || (status == cudaSuccess && count == 0)) {
        probe.text = "no CUDA device found (the driver is loaded, but it sees no GPU)";
        return probe;
    }
    if (status != cudaSuccess) {
        probe.text = std::string("cudaGetDeviceCount failed: ") + cudaGetErrorName(status) + ": " +
                     cudaGetErrorString(status);
        return probe;
    }
    cudaDeviceProp prop{};
    const cudaError_t propStatus = cudaGetDeviceProperties(&prop, 0);
    cudaGetLastError();
    if (propStatus != cudaSuccess) {
        probe.text = std::string("cudaGetDeviceProperties(0) failed: ") + cudaGetErrorName(propStatus) + ": " +
                     cudaGetErrorString(propStatus);
        return probe;
    }
    probe.available = true;
    probe.text = std::string(prop.name) + ", compute capability " + std::to_string(prop.major) + "." +
                 std::to_string(prop.minor) + ", CUDA runtime " + versionText(runtime) +
                 (count > 1 ? " (device 0 of " + std::to_string(count) + ")" : "");
    return probe;
}

} // namespace ffint8::cuda
