// Trained tensors: storage, host transfers and the optimizer step.
#include "engine/nn/parameter.h"

#include "engine/core/error.h"

#include <string>

namespace ffint8 {

Parameter::Options Parameter::weightsOf(const LayerOptions &o)
{
    Options p;
    p.int8 = o.precision == Precision::Int8;
    p.masterWeights = o.masterWeights;
    p.perRow = o.weightsPerChannel;
    p.bf16State = o.bf16State;
    p.rounding = o.weightRounding;
    p.optimizer = o.optimizer;
    p.momentum = o.momentum;
    return p;
}

Parameter::Options Parameter::vectorOf(const LayerOptions &o)
{
    Options p;
    p.weightDecay = false;
    p.optimizer = o.optimizer;
    p.momentum = o.momentum;
    return p;
}

Parameter::Parameter(Backend &backend, int rows, int cols, const Options &options)
    : m_backend(backend), m_rows(rows), m_cols(cols), m_options(options)
{
    const bool int8 = options.int8;
    if (!int8 || options.masterWeights)
        m_values
            = backend.allocate(rows, cols, DType::F32, int8 ? MemoryCategory::MasterWeights : MemoryCategory::Weights);
    if (int8) {
        m_codes = backend.allocate(rows, cols, DType::S8, MemoryCategory::Weights);
        m_scales = backend.allocate(1, options.perRow ? rows : 1, DType::F32, MemoryCategory::Weights);
        m_gradientScales = backend.allocate(1, 2, DType::F32, MemoryCategory::Gradients);
    }
    m_gradient = backend.allocate(rows, cols, int8 ? DType::S32 : DType::F32, MemoryCategory::Gradients);
    backend.fillZero(m_gradient);
    const bool adam = options.optimizer == OptimizerKind::Adam;
    const DType stateType = options.bf16State ? DType::BF16 : DType::F32;
    if (adam || options.momentum > 0.0f) {
        m_state1 = backend.allocate(rows, cols, stateType, MemoryCategory::OptimizerState);
        backend.fillZero(m_state1);
    }
    if (adam) {
        m_state2 = backend.allocate(rows, cols, stateType, MemoryCategory::OptimizerState);
        backend.fillZero(m_state2);
    }
}

void Parameter::setHost(const std::vector<float> &values)
{
    if (values.size() != count())
        throw EngineError("parameter " + std::to_string(m_rows) + " x " + std::to_string(m_cols) + ": given "
                          + std::to_string(values.size()) + " values");
    if (!m_values.empty())
        m_backend.upload(m_values, values.data(), values.size() * sizeof(float));
    if (!m_options.int8)
        return;
    if (!m_values.empty()) {
        quantiseFrom(m_values.f32());
        return;
    }
    // No master copy: quantise the given values straight from a temporary upload.
    Tensor staging = m_backend.allocate(m_rows, m_cols, DType::F32, MemoryCategory::Workspace);
    m_backend.upload(staging, values.data(), values.size() * sizeof(float));
    quantiseFrom(staging.f32());
}

void Parameter::quantiseFrom(const float *source)
{
    QuantiseArgs q;
    q.x = source;
    q.rows = m_rows;
    q.cols = m_cols;
    q.perRow = m_options.perRow;
    q.q = m_codes.s8();
    q.scales = m_scales.f32();
    m_backend.quantise(q);
}

std::vector<float> Parameter::toHost()
{
    std::vector<float> v(count());
    if (!m_values.empty()) {
        m_backend.download(m_values, v.data(), v.size() * sizeof(float));
        return v;
    }
    std::vector<int8_t> q(count());
    std::vector<float> s(static_cast<size_t>(m_scales.cols()));
    m_backend.download(m_codes, q.data(), q.size());
    m_backend.download(m_scales, s.data(), s.size() * sizeof(float));
    for (size_t i = 0; i < v.size(); ++i)
        v[i] = float(q[i]) * s[s.size() == 1 ? 0 : i / size_t(m_cols)];
    return v;
}

std::vector<float> Parameter::gradientToHost()
{
    std::vector<float> g(count());
    if (!m_options.int8) {
        m_backend.download(m_gradient, g.data(), g.size() * sizeof(float));
        return g;
    }
    std::vector<int32_t> acc(count());
    float scales[2];
    m_backend.download(m_gradient, acc.data(), acc.size() * sizeof(int32_t));
    m_backend.download(m_gradientScales, scales, sizeof scales);
    // The factor the optimizer applies (hostkernels::updateRows): the two scales' product first.
    const float scale = scales[0] * scales[1];
    for (size_t i = 0; i < g.size(); ++i)
        g[i] = float(acc[i]) * scale;
    return g;
}

void Parameter::update(const OptimizerStep &step, uint64_t seed, uint64_t &counter)
{
    auto f32 = [](Tensor &t) { return t.empty() || t.dtype() != DType::F32 ? nullptr : t.f32(); };
    auto bf16 = [](Tensor &t) { return t.empty() || t.dtype() != DType::BF16 ? nullptr : t.bf16(); };
    UpdateArgs u;
    u.rows = m_rows;
    u.cols = m_cols;
    u.master = values();
    u.state1 = f32(m_state1);
    u.state2 = f32(m_state2);
    u.state1Bf16 = bf16(m_state1);
    u.state2Bf16 = bf16(m_state2);
    u.optimizer = m_options.optimizer;
    u.lr = step.lr;
    u.momentum = step.momentum;
    u.weightDecay = m_options.weightDecay ? step.weightDecay : 0.0f;
    u.step = step.step;
    u.seed = seed;
    u.counter = counter;
    if (m_options.int8) {
        u.grad.s32 = m_gradient.s32();
        u.grad.scaleA = m_gradientScales.f32();
        u.grad.scaleB = m_gradientScales.f32() + 1;
        u.q = m_codes.s8();
        u.qScales = m_scales.f32();
        u.qPerRow = m_options.perRow;
        // Without a master copy an update is mostly smaller than one INT8 step: only stochastic
        // rounding lets it move the weight on average.
        u.qRounding = u.master ? m_options.rounding : Rounding::Stochastic;
    } else {
        u.grad.f32 = m_gradient.f32();
    }
    m_backend.updateParameters(u);
    // Only INT8 re-quantisation and BF16 state draw random values: an FP32 vector (a bias) takes
    // none from the stream, as LinearLayer's bias takes none.
    if (m_options.int8 || m_options.bf16State)
        counter += count();
}

} // namespace ffint8
