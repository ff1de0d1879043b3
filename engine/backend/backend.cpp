// What every backend shares: allocation through the memory account.
#include "engine/backend/backend.h"

#include "engine/core/error.h"

#include <string>

namespace ffint8 {

Tensor Backend::allocate(int rows, int cols, DType dtype, MemoryCategory category)
{
    if (rows < 0 || cols < 0)
        throw EngineError("allocate: negative shape " + std::to_string(rows) + " x " + std::to_string(cols));
    size_t bytes = size_t(rows) * size_t(cols) * dtypeSize(dtype);
    void *p = rawAllocate(bytes == 0 ? 64 : bytes);
    if (!p)
        throw EngineError(name() + " backend: out of memory allocating " + std::to_string(bytes) + " bytes for " +
                          memoryCategoryName(category));
    m_memory.add(category, bytes);
    return Tensor(this, p, rows, cols, dtype, category);
}

void Backend::releaseTensor(void *p, size_t bytes, MemoryCategory category)
{
    rawFree(p);
    m_memory.remove(category, bytes);
}

} // namespace ffint8
