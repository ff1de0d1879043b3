// Batch normalisation: the backend's batch-norm ops and the parameters' optimizer steps.
#include "engine/nn/batch_norm.h"

#include "engine/core/error.h"

namespace ffint8 {

Shape BatchNorm::outputShape(const std::string &name, const Shape &input)
{
    if (input.features() <= 0)
        throwShapeMismatch("batch_norm", name, input, "at least one value");
    return input;
}

BatchNorm::BatchNorm(Backend &backend, std::string name, Shape input, const LayerOptions &options,
                     const BatchNormOptions &norm)
    : Layer(backend, name, {input}, outputShape(name, input)),
      m_norm(norm),
      m_gamma(backend, 1, input.channels, Parameter::vectorOf(options)),
      m_beta(backend, 1, input.channels, Parameter::vectorOf(options))
{
    const size_t c = static_cast<size_t>(input.channels);
    m_gamma.setHost(std::vector<float>(c, 1.0f));
    m_beta.setHost(std::vector<float>(c, 0.0f));
    m_runningMean = backend.allocate(1, input.channels, DType::F32, MemoryCategory::Weights);
    m_runningVar = backend.allocate(1, input.channels, DType::F32, MemoryCategory::Weights);
    m_mean = backend.allocate(1, input.channels, DType::F32, MemoryCategory::Activations);
    m_var = backend.allocate(1, input.channels, DType::F32, MemoryCategory::Activations);
    const std::vector<float> zeros(c, 0.0f), ones(c, 1.0f);
    backend.upload(m_runningMean, zeros.data(), c * sizeof(float));
    backend.upload(m_runningVar, ones.data(), c * sizeof(float));
}

void BatchNorm::forward(std::span<const Activation> inputs, int rows, float *output, LayerContext &ctx)
{
    BatchNormArgs a;
    a.x = singleInput(inputs).values;
    a.count = count(rows);
    a.channels = channels();
    a.gamma = m_gamma.values();
    a.beta = m_beta.values();
    a.eps = m_norm.eps;
    a.training = ctx.training;
    // A replay keeps the running statistics as they are: (1 - 0) * running + 0 * mean.
    a.momentum = ctx.replay ? 0.0f : m_norm.momentum;
    a.mean = ctx.training ? m_mean.f32() : m_runningMean.f32();
    a.var = ctx.training ? m_var.f32() : m_runningVar.f32();
    a.runningMean = m_runningMean.f32();
    a.runningVar = m_runningVar.f32();
    a.y = output;
    m_backend.batchNormForward(a);
    m_haveBatchStatistics = m_haveBatchStatistics || ctx.training;
}

void BatchNorm::backward(const LayerBackward &args, LayerContext &ctx)
{
    (void)ctx;
    if (!m_haveBatchStatistics)
        throw EngineError(label() + ": backward needs a training-mode forward pass first");
    if (args.gradInputs.size() != 1)
        throw EngineError(label() + ": backward takes 1 input gradient, given "
                          + std::to_string(args.gradInputs.size()));
    BatchNormBackwardArgs a;
    a.x = singleInput(args.inputs).values;
    a.gradY = args.gradOutput;
    a.count = count(args.rows);
    a.channels = channels();
    a.gamma = m_gamma.values();
    a.mean = m_mean.f32();
    a.var = m_var.f32();
    a.eps = m_norm.eps;
    a.gradX = args.gradInputs[0];
    a.gradGamma = m_gamma.gradient();
    a.gradBeta = m_beta.gradient();
    m_backend.batchNormBackward(a);
}

void BatchNorm::update(const OptimizerStep &step, LayerContext &ctx)
{
    m_gamma.update(step, ctx.seed, ctx.counter);
    m_beta.update(step, ctx.seed, ctx.counter);
}

std::vector<NamedValues> BatchNorm::exportState()
{
    const size_t c = static_cast<size_t>(channels());
    std::vector<float> mean(c), var(c);
    m_backend.download(m_runningMean, mean.data(), c * sizeof(float));
    m_backend.download(m_runningVar, var.data(), c * sizeof(float));
    return {{"gamma", m_gamma.toHost()}, {"beta", m_beta.toHost()}, {"running_mean", mean}, {"running_var", var}};
}

void BatchNorm::importState(const std::vector<NamedValues> &state)
{
    const size_t c = static_cast<size_t>(channels());
    checkStateNames(state, {"gamma", "beta", "running_mean", "running_var"});
    m_gamma.setHost(stateValues(state, "gamma", c));
    m_beta.setHost(stateValues(state, "beta", c));
    m_backend.upload(m_runningMean, stateValues(state, "running_mean", c).data(), c * sizeof(float));
    m_backend.upload(m_runningVar, stateValues(state, "running_var", c).data(), c * sizeof(float));
}

std::vector<NamedValues> BatchNorm::gradientsToHost()
{
    return {{"gamma", m_gamma.gradientToHost()}, {"beta", m_beta.gradientToHost()}};
}

} // namespace ffint8
