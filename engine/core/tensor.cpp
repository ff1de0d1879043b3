// Tensors: backend memory that gives itself back, and the account with it.
#include "engine/core/tensor.h"

#include "engine/backend/backend.h"

#include <utility>

namespace ffint8 {

const char *dtypeName(DType t)
{
    switch (t) {
    case DType::F32: return "f32";
    case DType::S8: return "s8";
    case DType::S32: return "s32";
    case DType::BF16: return "bf16";
    }
    return "?";
}

Tensor::Tensor(Backend *backend, void *data, int rows, int cols, DType dtype, MemoryCategory category)
    : m_backend(backend), m_data(data), m_rows(rows), m_cols(cols), m_dtype(dtype), m_category(category)
{
}

Tensor::Tensor(Tensor &&other) noexcept { *this = std::move(other); }

Tensor &Tensor::operator=(Tensor &&other) noexcept
{
    if (this != &other) {
        release();
        m_backend = std::exchange(other.m_backend, nullptr);
        m_data = std::exchange(other.m_data, nullptr);
        m_rows = std::exchange(other.m_rows, 0);
        m_cols = std::exchange(other.m_cols, 0);
        m_dtype = other.m_dtype;
        m_category = other.m_category;
    }
    return *this;
}

Tensor::~Tensor() { release(); }

void Tensor::release()
{
    if (m_backend && m_data)
        m_backend->releaseTensor(m_data, bytes(), m_category);
    m_data = nullptr;
    m_backend = nullptr;
}

} // namespace ffint8
