// The engine's own memory account.
#include "engine/core/memory_account.h"

#include <algorithm>

namespace ffint8 {

const char *memoryCategoryName(MemoryCategory category)
{
    switch (category) {
    case MemoryCategory::Weights: return "weights";
    case MemoryCategory::MasterWeights: return "master_weights";
    case MemoryCategory::OptimizerState: return "optimizer_state";
    case MemoryCategory::Activations: return "activations";
    case MemoryCategory::Gradients: return "gradients";
    case MemoryCategory::Workspace: return "workspace";
    case MemoryCategory::Count: break;
    }
    return "?";
}

void MemoryAccount::add(MemoryCategory category, size_t bytes)
{
    auto i = size_t(category);
    m_snapshot.current[i] += bytes;
    m_snapshot.peak[i] = std::max(m_snapshot.peak[i], m_snapshot.current[i]);
    m_snapshot.total += bytes;
    m_snapshot.peakTotal = std::max(m_snapshot.peakTotal, m_snapshot.total);
}

void MemoryAccount::remove(MemoryCategory category, size_t bytes)
{
    auto i = size_t(category);
    m_snapshot.current[i] -= std::min(bytes, m_snapshot.current[i]);
    m_snapshot.total -= std::min(bytes, m_snapshot.total);
}

void MemoryAccount::resetPeak()
{
    m_snapshot.peak = m_snapshot.current;
    m_snapshot.peakTotal = m_snapshot.total;
}

} // namespace ffint8
