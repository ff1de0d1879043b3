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

// Sets the kernel's peak-RSS mark (VmHWM) back to the current RSS, so that a run's peak is its own
// and not an earlier run's of the same process (Linux >= 4.0; nothing elsewhere).
void resetPeakRss();

} // namespace ffint8
