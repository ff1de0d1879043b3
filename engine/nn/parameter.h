// A layer's trained tensor [rows x cols] with its gradient and optimizer state: FP32 values, or INT8
// codes with per-row (per output channel) or per-tensor scales and optionally an FP32 master copy;
// the gradient in FP32, or as INT32 accumulators with the scales of their two INT8 operands; and the
// fused optimizer step that joins them (Backend::updateParameters, issued as LinearLayer issues it).
#pragma once

#include "engine/backend/backend.h"
#include "engine/nn/layer_options.h"

#include <cstdint>
#include <vector>

namespace ffint8 {

class Parameter
{
public:
    struct Options
    {
        bool int8 = false;
        bool masterWeights = true;
        bool perRow = true;
        bool bf16State = false;
        bool weightDecay = true; // biases and batch norm's gamma and beta take none, as LinearLayer's bias
        Rounding rounding = Rounding::Nearest; // re-quantisation after an update with a master copy
        OptimizerKind optimizer = OptimizerKind::Adam;
        float momentum = 0.9f;
    };
    // A GEMM layer's weights, and a per-channel vector (bias, gamma, beta: always FP32).
    static Options weightsOf(const LayerOptions &options);
    static Options vectorOf(const LayerOptions &options);

    Parameter(Backend &backend, int rows, int cols, const Options &options);

    int rows() const { return m_rows; }
    int cols() const { return m_cols; }
    size_t count() const { return size_t(m_rows) * size_t(m_cols); }
    bool int8() const { return m_options.int8; }
    bool perRow() const { return m_options.perRow; }

    float *values() { return m_values.empty() ? nullptr : m_values.f32(); } // FP32 or master; null without
    int8_t *codes() { return m_codes.s8(); }
    float *scales() { return m_scales.f32(); }
    float *gradient() { return m_gradient.f32(); }
    int32_t *gradientAccumulators() { return m_gradient.s32(); }
    // INT8: [0] the scale of the quantised output gradient, [1] the input's.
    float *gradientScales() { return m_gradientScales.f32(); }

    void setHost(const std::vector<float> &values);
    std::vector<float> toHost();
    std::vector<float> gradientToHost();
    // One optimizer step with the current gradient; advances `counter` by count() when it draws
    // random values (BF16 state, INT8 re-quantisation).
    void update(const OptimizerStep &step, uint64_t seed, uint64_t &counter);

private:
    // The INT8 codes and scales of FP32 values (round to nearest), from the master copy or a staging one.
    void quantiseFrom(const float *source);

    Backend &m_backend;
    int m_rows;
    int m_cols;
    Options m_options;
    Tensor m_values; // F32: the values, or the INT8 codes' master copy
    Tensor m_codes; // S8 (INT8 only)
    Tensor m_scales; // F32, one per row or one (INT8 only)
    Tensor m_gradient; // F32, or S32 accumulators (INT8)
    Tensor m_gradientScales; // F32, 2 values (INT8 only)
    Tensor m_state1, m_state2;
};

} // namespace ffint8
