// Scratch slots grown on demand through the backend's allocator (Workspace memory).
#include "engine/nn/layer_scratch.h"

#include "engine/core/error.h"

#include <algorithm>
#include <climits>
#include <string>

namespace ffint8 {

void *LayerScratch::grow(Slot slot, size_t bytes)
{
    Tensor &t = m_slots[slot];
    if (t.empty() || t.bytes() < bytes) {
        if (bytes > size_t(INT_MAX))
            throw EngineError("layer scratch: " + std::to_string(bytes) + " bytes are more than a tensor can hold");
        t = Tensor(); // back to the allocator first, so that the larger block may reuse its memory
        t = m_backend.allocate(1, int(std::max<size_t>(bytes, 1)), DType::S8, MemoryCategory::Workspace);
    }
    return t.raw();
}

size_t LayerScratch::bytes() const
{
    size_t total = 0;
    for (const Tensor &t : m_slots)
        total += t.bytes();
    return total;
}

} // namespace ffint8
