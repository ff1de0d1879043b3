// Backends by name, and which of them this build and this machine can run.
#pragma once

#include "engine/backend/backend.h"

#include <memory>
#include <string>
#include <vector>

namespace ffint8 {

struct BackendAvailability
{
    std::string name;
    bool available = false;
    std::string reason; // why not, or what it runs on
};

std::vector<BackendAvailability> backendAvailability();
// Throws EngineError naming the valid backends, or why the asked one cannot run here.
std::unique_ptr<Backend> createBackend(const std::string &name, int threads);

} // namespace ffint8
