// Scratch buffers shared by the layers of a network (im2col columns, GEMM accumulators, quantised
// gradients): each slot grows to the largest request and never shrinks, so after a run's first
// step nothing is allocated, and the memory estimate (a step on a SizingBackend) sees the peak.
#pragma once

#include "engine/backend/backend.h"

#include <array>
#include <cstdint>

namespace ffint8 {

class LayerScratch
{
public:
    // What a slot holds while one layer call uses it; nothing in a slot outlives the call.
    enum Slot : uint8_t {
        Columns, // im2col of the FP32 input
        ColumnCodes, // im2col of the INT8 input codes
        InputCodes, // an input's codes when the caller keeps none (evaluation)
        Scales, // per-tensor scales: the input's (evaluation), the input gradient's
        Accumulators, // INT32 GEMM outputs
        OutputGradient, // dL/dz behind a fused ReLU
        GradientCodes, // the quantised output gradient
        GradientColumns, // the input gradient as columns, before col2im
        SlotCount
    };

    explicit LayerScratch(Backend &backend) : m_backend(backend) { }

    float *f32(Slot slot, size_t count) { return static_cast<float *>(grow(slot, count * sizeof(float))); }
    int8_t *s8(Slot slot, size_t count) { return static_cast<int8_t *>(grow(slot, count)); }
    int32_t *s32(Slot slot, size_t count) { return static_cast<int32_t *>(grow(slot, count * sizeof(int32_t))); }
    size_t bytes() const;

private:
    void *grow(Slot slot, size_t bytes);

    Backend &m_backend;
    std::array<Tensor, SlotCount> m_slots;
};

} // namespace ffint8
