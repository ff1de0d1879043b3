// The caching device memory pool (see device_pool.h).
#include "engine/backend/cuda/device_pool.h"

#include "engine/backend/cuda/cuda_check.h"
#include "engine/core/error.h"

#include <algorithm>

namespace ffint8::cuda {

DevicePool::~DevicePool()
{
    // Destructors do not throw: errors here (a lost device) leave nothing to recover.
    for (auto &[p, size] : m_live)
        cudaFree(p);
    for (auto &[size, blocks] : m_cached)
        for (void *p : blocks)
            cudaFree(p);
}

void *DevicePool::allocate(size_t bytes)
{
    const size_t size = poolSizeClass(bytes);
    auto cached = m_cached.find(size);
    if (cached != m_cached.end() && !cached->second.empty()) {
        void *p = cached->second.back();
        cached->second.pop_back();
        m_live.emplace(p, size);
        m_stats.inUseBytes += size;
        return p;
    }
    void *p = nullptr;
    cudaError_t status = cudaMalloc(&p, size);
    if (status == cudaErrorMemoryAllocation) {
        cudaGetLastError(); // an allocation failure is not sticky: clear it, free the cache, try once more
        trim();
        status = cudaMalloc(&p, size);
        if (status == cudaErrorMemoryAllocation) {
            cudaGetLastError();
            return nullptr;
        }
    }
    if (status != cudaSuccess)
        throwCudaError(status, ("cudaMalloc(" + std::to_string(size) + " bytes)").c_str(), __FILE__, __LINE__);
    ++m_stats.mallocCalls;
    m_live.emplace(p, size);
    m_stats.reservedBytes += size;
    m_stats.inUseBytes += size;
    m_stats.peakReservedBytes = std::max(m_stats.peakReservedBytes, m_stats.reservedBytes);
    return p;
}

void DevicePool::release(void *p)
{
    auto it = m_live.find(p);
    if (it == m_live.end())
        throw EngineError("cuda device pool: release of a pointer it did not hand out");
    m_cached[it->second].push_back(p);
    m_stats.inUseBytes -= it->second;
    m_live.erase(it);
}

void DevicePool::trim()
{
    // A cached block may still be read or written by work queued before its tensor was released
    // (reuse is stream-ordered, cudaFree is not documented to be): wait for the device first.
    bool any = false;
    for (auto &[size, blocks] : m_cached)
        any = any || !blocks.empty();
    if (any)
        cudaDeviceSynchronize();
    for (auto &[size, blocks] : m_cached) {
        for (void *p : blocks) {
            cudaFree(p);
            m_stats.reservedBytes -= size;
        }
        blocks.clear();
    }
}

} // namespace ffint8::cuda
