// This process's memory as the kernel counts it (procfs), beside the engine's own account.
#pragma once

#include <cstdint>

namespace ffint8 {

struct ProcessMemory
{
    uint64_t rssBytes = 0;     // VmRSS
    uint64_t peakRssBytes = 0; // VmHWM
};

// Zeros where /proc is not there.
ProcessMemory readProcessMemory();

} // namespace ffint8
