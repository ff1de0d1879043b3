// A Trainer that hands every call to another one, for test trainers that change or watch only a few calls.
#pragma once

#include "engine/train/trainer.h"

namespace ffint8::testing {

class ForwardingTrainer : public Trainer
{
public:
    explicit ForwardingTrainer(Trainer &inner) : m_inner(inner) { }
    const TrainConfig &config() const override { return m_inner.config(); }
    Backend &backend() override { return m_inner.backend(); }
    void beginEpoch(int epoch) override { m_inner.beginEpoch(epoch); }
    StepStats trainStep(const Dataset &data, const int *indices, int count) override
    {
        return m_inner.trainStep(data, indices, count);
    }
    std::vector<std::string> unitNames() const override { return m_inner.unitNames(); }
    bool predict(const Dataset &data, const int *indices, int count, uint8_t *predictions,
                 const std::atomic<bool> *cancel) override
    {
        return m_inner.predict(data, indices, count, predictions, cancel);
    }
    std::vector<QuantiserInfo> quantisers() const override { return m_inner.quantisers(); }
    std::vector<LayerParameters> parameters() override { return m_inner.parameters(); }
    void setParameters(const std::vector<LayerParameters> &p) override { m_inner.setParameters(p); }
    void setLearningRateFactor(float factor) override
    {
        Trainer::setLearningRateFactor(factor);
        m_inner.setLearningRateFactor(factor);
    }

protected:
    Trainer &m_inner;
};

} // namespace ffint8::testing
