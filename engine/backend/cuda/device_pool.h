// A caching pool of device memory: blocks freed by tensors are kept and handed out again, so a
// training step (which frees and re-allocates the same sizes, e.g. evaluation scratch) never calls
// cudaMalloc or cudaFree after the first one. One stream uses the memory, so reuse is stream-ordered.
#pragma once

#include <cstddef>
#include <unordered_map>
#include <vector>

namespace ffint8::cuda {

// The size a request is rounded up to: a multiple of 512 bytes, and of an eighth of the request's
// power of two above that, so sizes cluster into few classes at under 12.5 % waste.
inline size_t poolSizeClass(size_t bytes)
{
    if (bytes == 0)
        bytes = 1;
    size_t power = 1;
    while (power * 2 <= bytes)
        power *= 2;
    const size_t granule = power / 8 > 512 ? power / 8 : 512;
    return (bytes + granule - 1) / granule * granule;
}

struct PoolStats
{
    size_t reservedBytes = 0;     // held from cudaMalloc, in use or cached
    size_t peakReservedBytes = 0;
    size_t inUseBytes = 0;        // handed out, by size class
    size_t mallocCalls = 0;
};

class DevicePool
{
public:
    DevicePool() = default;
    DevicePool(const DevicePool &) = delete;
    DevicePool &operator=(const DevicePool &) = delete;
    ~DevicePool(); // frees every block; the caller synchronises the stream first

    // nullptr when the device is out of memory even after the cache was returned to the driver;
    // other CUDA errors throw EngineError.
    void *allocate(size_t bytes);
    void release(void *p);
    // Returns every cached (unused) block to the driver.
    void trim();
    // Starts a new peak window from what is reserved now.
    void resetPeak() { m_stats.peakReservedBytes = m_stats.reservedBytes; }
    PoolStats stats() const { return m_stats; }

private:
    std::unordered_map<void *, size_t> m_live;                 // pointer -> size class
    std::unordered_map<size_t, std::vector<void *>> m_cached;  // size class -> free blocks
    PoolStats m_stats;
};

} // namespace ffint8::cuda
