// Whether this machine can run the cuda backend, and why not: asked without creating a backend.
#pragma once

#include <string>

namespace ffint8::cuda {

struct DeviceProbe
{
    bool available = false;
    std::string text; // the device when available, else the reason (no driver, no device, the error)
};

// Device 0 as the cuda backend would use it. Never throws; a machine without a driver or GPU is an
// ordinary answer, not an error.
DeviceProbe probeDevice();

} // namespace ffint8::cuda
