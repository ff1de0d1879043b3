// A matrix held in a backend's memory (host for reference and cpu, device for cuda), and counted
// in that backend's memory account for as long as it lives.
#pragma once

#include "engine/core/memory_account.h"

#include <cstddef>
#include <cstdint>

namespace ffint8 {

class Backend;

// BF16 is the upper half of an FP32 (same exponent range, 8 significant bits): reduced-precision
// optimizer state, held as raw 16-bit words.
enum class DType : uint8_t { F32, S8, S32, BF16 };

inline size_t dtypeSize(DType t) { return t == DType::S8 ? 1 : t == DType::BF16 ? 2 : 4; }
const char *dtypeName(DType t);

class Tensor
{
public:
    Tensor() = default;
    Tensor(Backend *backend, void *data, int rows, int cols, DType dtype, MemoryCategory category);
    Tensor(Tensor &&other) noexcept;
    Tensor &operator=(Tensor &&other) noexcept;
    Tensor(const Tensor &) = delete;
    Tensor &operator=(const Tensor &) = delete;
    ~Tensor();

    int rows() const { return m_rows; }
    int cols() const { return m_cols; }
    size_t count() const { return size_t(m_rows) * size_t(m_cols); }
    size_t bytes() const { return count() * dtypeSize(m_dtype); }
    DType dtype() const { return m_dtype; }
    MemoryCategory category() const { return m_category; }
    bool empty() const { return m_data == nullptr; }

    float *f32() { return static_cast<float *>(m_data); }
    const float *f32() const { return static_cast<const float *>(m_data); }
    int8_t *s8() { return static_cast<int8_t *>(m_data); }
    const int8_t *s8() const { return static_cast<const int8_t *>(m_data); }
    int32_t *s32() { return static_cast<int32_t *>(m_data); }
    const int32_t *s32() const { return static_cast<const int32_t *>(m_data); }
    uint16_t *bf16() { return static_cast<uint16_t *>(m_data); }
    const uint16_t *bf16() const { return static_cast<const uint16_t *>(m_data); }
    void *raw() { return m_data; }
    const void *raw() const { return m_data; }

private:
    void release();

    Backend *m_backend = nullptr;
    void *m_data = nullptr;
    int m_rows = 0;
    int m_cols = 0;
    DType m_dtype = DType::F32;
    MemoryCategory m_category = MemoryCategory::Workspace;
};

} // namespace ffint8
