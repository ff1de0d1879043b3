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

void checkWindowGeometry(const char *op, const WindowGeometry &g, int groups, bool pooling)
{
    const bool sizes = g.batch >= 0 && g.height > 0 && g.width > 0 && g.channels > 0 && g.kernelH > 0 &&
        g.kernelW > 0 && g.strideH > 0 && g.strideW > 0 && g.padH >= 0 && g.padW >= 0;
    const bool fits = sizes && g.outHeight() > 0 && g.outWidth() > 0 && groups > 0 && g.channels % groups == 0;
    const bool reaches = !pooling || (2 * g.padH <= g.kernelH && 2 * g.padW <= g.kernelW);
    if (fits && reaches)
        return;
    throw EngineError(std::string(op) + ": window " + std::to_string(g.kernelH) + "x" + std::to_string(g.kernelW) +
                      " stride " + std::to_string(g.strideH) + "x" + std::to_string(g.strideW) + " padding " +
                      std::to_string(g.padH) + "x" + std::to_string(g.padW) + " in " + std::to_string(groups) +
                      " groups does not fit images of " + std::to_string(g.channels) + "x" + std::to_string(g.height) +
                      "x" + std::to_string(g.width) + (reaches ? "" : " (a pooling's padding is at most half its kernel)"));
}

void Backend::releaseTensor(void *p, size_t bytes, MemoryCategory category)
{
    rawFree(p);
    m_memory.remove(category, bytes);
}

} // namespace ffint8
