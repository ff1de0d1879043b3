// FF on model graphs with each unit's activations rebuilt from its input for its backward pass
// (ff.recompute): the same bits as keeping them (losses, goodness, accuracy, weights, batch norm's
// running statistics), with look-ahead's chain and the random draws of INT8 rounding and dropout,
// in less memory; and the setting refused for the MLP of `layers`.
#include "engine/backend/backend_factory.h"
#include "engine/core/error.h"
#include "engine/train/graph_ff_trainer.h"
#include "engine/train/memory_estimate.h"
#include "engine/train/training_run.h"
#include "support/exception_message.h"
#include "support/qt_compat.h"
#include "support/synthetic_data.h"

#include <QtTest>

using namespace ffint8;
using ffint8::testing::messageOf;

namespace {

// Every kind of op the paper's CNNs add, with state that a second forward pass could disturb:
// batch norm's running statistics, dropout's mask, max pooling's argmax.
std::shared_ptr<ModelSpec> mobileOps()
{
    auto spec = std::make_shared<ModelSpec>();
    spec->name = "mobile-ops";
    spec->blocks.push_back({"stem", {NodeSpec::conv(8, 3, 1, 1), NodeSpec::batchNorm(), NodeSpec::relu6()}, false, true, {}});
    spec->blocks.push_back({"dw",
                            {NodeSpec::conv(16, 1), NodeSpec::batchNorm(), NodeSpec::silu(),
                             NodeSpec::conv(16, 3, 1, 1, false, 16), NodeSpec::batchNorm(), NodeSpec::silu(),
                             NodeSpec::conv(8, 1), NodeSpec::batchNorm()},
                            true,
                            false,
                            {}});
    spec->blocks.push_back({"down", {NodeSpec::maxPool(2), NodeSpec::conv(16, 3, 1, 1), NodeSpec::batchNorm(),
                                     NodeSpec::relu6()}, false, true, {}});
    spec->blocks.push_back({"pool", {NodeSpec::globalAvgPool(), NodeSpec::dropout(0.2f)}, false, true, {}});
    return spec;
}

TrainConfig config(Algorithm algorithm, const QString &model, bool recompute)
{
    TrainConfig c;
    c.algorithm = algorithm;
    c.threads = 1;
    c.batch = 16;
    c.evalBatch = 4;
    c.epochs = 2;
    c.lr = 0.003f;
    c.inputShape = Shape::image(1, 12, 12);
    c.lambda.start = 0.05f; // look-ahead's chain from the first step
    c.ffRecompute = recompute;
    if (model == "mobile-ops") {
        const auto spec = mobileOps();
        c.model = spec->name;
        c.customModel = spec;
    } else {
        c.model = model.toStdString();
    }
    return c;
}

struct Trained
{
    std::vector<EpochMetrics> epochs;
    std::vector<NamedValues> state;
    double testAccuracy = 0.0;
    size_t peakBytes = 0;
};

Trained train(const TrainConfig &c, const DatasetSplits &data)
{
    auto backend = createBackend("cpu", 1);
    GraphFfTrainer trainer(c, *backend);
    Trained t;
    RunCallbacks record;
    record.onEpoch = [&](const EpochMetrics &m) { t.epochs.push_back(m); };
    const RunSummary s = TrainingRun(trainer, data, record).run();
    if (s.status != RunStatus::Completed)
        throw EngineError("the run did not complete: " + s.message);
    t.state = trainer.exportState();
    t.testAccuracy = s.testAccuracy;
    t.peakBytes = s.memory.peakTotal;
    return t;
}

} // namespace

class TestFfRecompute : public QObject
{
    Q_OBJECT

private slots:
    void sameBitsInLessMemory_data()
    {
        QTest::addColumn<int>("algo");
        QTest::addColumn<QString>("model");
        QTest::newRow("ff-fp32 cnn-small") << int(Algorithm::FfFp32) << "cnn-small";
        QTest::newRow("ff-int8 cnn-small") << int(Algorithm::FfInt8) << "cnn-small";
        QTest::newRow("ff-int8 mobile ops") << int(Algorithm::FfInt8) << "mobile-ops";
    }

    void sameBitsInLessMemory()
    {
        QFETCH(int, algo);
        QFETCH(QString, model);
        const DatasetSplits data = testing::barSplits(160, 40);
        const Trained kept = train(config(Algorithm(algo), model, false), data);
        const Trained rebuilt = train(config(Algorithm(algo), model, true), data);
        QCOMPARE(rebuilt.epochs.size(), kept.epochs.size());
        for (size_t e = 0; e < kept.epochs.size(); ++e) {
            QCOMPARE(rebuilt.epochs[e].trainLoss, kept.epochs[e].trainLoss);
            QCOMPARE(rebuilt.epochs[e].testAccuracy, kept.epochs[e].testAccuracy);
            QCOMPARE(rebuilt.epochs[e].layers.size(), kept.epochs[e].layers.size());
            for (size_t l = 0; l < kept.epochs[e].layers.size(); ++l) {
                QCOMPARE(rebuilt.epochs[e].layers[l].goodnessPos, kept.epochs[e].layers[l].goodnessPos);
                QCOMPARE(rebuilt.epochs[e].layers[l].goodnessNeg, kept.epochs[e].layers[l].goodnessNeg);
            }
        }
        // Weights, biases, batch norm's parameters and running statistics, all to the bit.
        QCOMPARE(rebuilt.state.size(), kept.state.size());
        for (size_t t = 0; t < kept.state.size(); ++t) {
            QCOMPARE(rebuilt.state[t].name, kept.state[t].name);
            QVERIFY2(rebuilt.state[t].values == kept.state[t].values, kept.state[t].name.c_str());
        }
        QVERIFY2(rebuilt.peakBytes < kept.peakBytes,
                 qPrintable(QString("%1 vs %2 bytes").arg(rebuilt.peakBytes).arg(kept.peakBytes)));
        // And the estimate before a run knows it.
        QCOMPARE(estimateTrainerBytes(config(Algorithm(algo), model, true)), rebuilt.peakBytes);
    }

    void refusedForTheMlpOfLayers()
    {
        TrainConfig c;
        c.ffRecompute = true;
        QVERIFY(messageOf([&] { c.validate(); }).contains("ff.recompute"));
        c.model = "mlp";
        c.validate();
    }
};

QTEST_GUILESS_MAIN(TestFfRecompute)
#include "tst_ff_recompute.moc"
