// Forward-Forward on model graphs: the MLP trains bit-identically through the graph trainer and
// through FfTrainer (look-ahead and hardest negatives included), units and label embeddings as
// documented, the gradient to a unit's input against finite differences, the head detached from
// the units, state round trips, and FF-INT8 following FF-FP32 on cnn-small.
#include "engine/backend/backend_factory.h"
#include "engine/backend/reference_backend.h"
#include "engine/core/counter_rng.h"
#include "engine/core/error.h"
#include "engine/nn/model_graph.h"
#include "engine/train/ff_trainer.h"
#include "engine/train/ff_units.h"
#include "engine/train/graph_ff_trainer.h"
#include "engine/train/label_embedding.h"
#include "engine/train/training_run.h"
#include "support/exception_message.h"
#include "support/int8_follows_fp32.h"
#include "support/qt_compat.h"
#include "support/synthetic_data.h"

#include <QtTest>
#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

using namespace ffint8;

namespace {

using testing::messageOf;

TrainConfig ffConfig(Algorithm algorithm)
{
    TrainConfig c;
    c.algorithm = algorithm;
    c.threads = 1;
    c.batch = 16;
    c.evalBatch = 8;
    return c;
}

// Every value of every tensor of the trainer's model, for bit-for-bit comparisons.
std::vector<float> flatState(GraphFfTrainer &trainer)
{
    std::vector<float> all;
    for (const NamedValues &v : trainer.exportState())
        all.insert(all.end(), v.values.begin(), v.values.end());
    return all;
}

} // namespace

class TestGraphFf : public QObject
{
    Q_OBJECT

private slots:
    // The acceptance check of the graph engine: the paper MLP (784-1000-1000) gives the same loss
    // curve, per-layer goodness, accuracy and weights through both trainers, computed here both ways.
    void paperMlpIsBitIdenticalThroughBothTrainers_data()
    {
        QTest::addColumn<int>("algo");
        QTest::addColumn<bool>("hardest");
        QTest::addColumn<float>("lambda");
        QTest::newRow("ff-fp32") << int(Algorithm::FfFp32) << false << 0.05f;
        QTest::newRow("ff-int8") << int(Algorithm::FfInt8) << false << 0.05f;
        QTest::newRow("ff-int8 hardest negatives") << int(Algorithm::FfInt8) << true << 0.05f;
        // Look-ahead at its full weight: every later loss counts as much as the unit's own.
        QTest::newRow("ff-fp32 lambda 1") << int(Algorithm::FfFp32) << false << 1.0f;
        QTest::newRow("ff-int8 lambda 1") << int(Algorithm::FfInt8) << false << 1.0f;
    }

    void paperMlpIsBitIdenticalThroughBothTrainers()
    {
        QFETCH(int, algo);
        QFETCH(bool, hardest);
        QFETCH(float, lambda);
        const DatasetSplits data = testing::clusterSplits(96, 40, 784);
        TrainConfig mlp = ffConfig(Algorithm(algo));
        mlp.layers = {784, 1000, 1000};
        mlp.epochs = 2;
        mlp.metricsEvery = 2;
        mlp.negatives = hardest ? NegativeLabels::Hardest : NegativeLabels::Random;
        mlp.lambda.start = lambda; // look-ahead's backward chain from the first step
        mlp.lambda.cap = std::max(mlp.lambda.cap, lambda);
        TrainConfig graph = mlp;
        graph.model = "mlp";
        graph.inputShape = Shape::image(1, 1, 784);

        auto backendA = createBackend("cpu", 1);
        auto backendB = createBackend("cpu", 1);
        FfTrainer layers(mlp, *backendA);
        GraphFfTrainer units(graph, *backendB);
        QCOMPARE(units.labelEmbedding(), LabelEmbedding::Pixels);
        QCOMPARE(units.unitNames(), (std::vector<std::string>{"fc1", "fc2"}));
        std::vector<EpochMetrics> epochsA, epochsB;
        RunCallbacks recordA, recordB;
        recordA.onEpoch = [&](const EpochMetrics &m) { epochsA.push_back(m); };
        recordB.onEpoch = [&](const EpochMetrics &m) { epochsB.push_back(m); };
        const RunSummary a = TrainingRun(layers, data, recordA).run();
        const RunSummary b = TrainingRun(units, data, recordB).run();
        QCOMPARE(int(a.status), int(RunStatus::Completed));
        QCOMPARE(int(b.status), int(RunStatus::Completed));
        QCOMPARE(epochsA.size(), size_t(2));
        QCOMPARE(epochsB.size(), epochsA.size());
        for (size_t e = 0; e < epochsA.size(); ++e) {
            QCOMPARE(epochsA[e].trainLoss, epochsB[e].trainLoss); // exact: the same arithmetic
            QCOMPARE(epochsA[e].testAccuracy, epochsB[e].testAccuracy);
            for (size_t l = 0; l < 2; ++l) {
                QCOMPARE(epochsA[e].layers[l].goodnessPos, epochsB[e].layers[l].goodnessPos);
                QCOMPARE(epochsA[e].layers[l].goodnessNeg, epochsB[e].layers[l].goodnessNeg);
            }
        }
        QCOMPARE(a.testAccuracy, b.testAccuracy);
        const std::vector<LayerParameters> weights = layers.parameters();
        const std::vector<NamedValues> state = units.exportState();
        QCOMPARE(state.size(), size_t(4));
        QCOMPARE(state[0].name, std::string("fc1.fc1.weight"));
        QVERIFY(state[0].values == weights[0].weights);
        QVERIFY(state[1].values == weights[0].bias);
        QVERIFY(state[2].values == weights[1].weights);
        QVERIFY(state[3].values == weights[1].bias);
    }

    void unitsAreBlocksOrLayers()
    {
        const ModelSpec cnn = modelPreset("cnn-small", {});
        const std::vector<FfUnitSpec> blocks = ffUnits(cnn, Shape::image(11, 28, 28), FfUnit::Block);
        QCOMPARE(blocks.size(), size_t(3));
        QCOMPARE(blocks[2].name, std::string("res"));
        QCOMPARE(blocks[2].spec.blocks.size(), size_t(2)); // pool (no weights) joins res
        QVERIFY(blocks[0].input == Shape::image(11, 28, 28));
        QVERIFY(blocks[1].input == Shape::image(16, 28, 28));
        QVERIFY(blocks[2].output == Shape::flat(32 * 7 * 7));

        // A plain block of two convolutions is two units in layer mode, its layers keeping their names.
        ModelSpec two;
        two.name = "two";
        two.blocks.push_back({"b",
                              {NodeSpec::conv(4, 3, 1, 1), NodeSpec::batchNorm(), NodeSpec::relu(),
                               NodeSpec::conv(6, 3, 2, 1), NodeSpec::relu()},
                              false,
                              true,
                              {}});
        const std::vector<FfUnitSpec> layers = ffUnits(two, Shape::image(2, 8, 8), FfUnit::Layer);
        QCOMPARE(layers.size(), size_t(2));
        QCOMPARE(layers[0].name, std::string("b.conv1"));
        QCOMPARE(layers[1].name, std::string("b.conv2"));
        QCOMPARE(ModelSpec::nodeName(layers[1].spec.blocks[0], 1), std::string("b.relu2"));
        QVERIFY(layers[1].output == Shape::image(6, 4, 4));
        QCOMPARE(ffUnits(two, Shape::image(2, 8, 8), FfUnit::Block).size(), size_t(1));

        ModelSpec none;
        none.name = "pooling only";
        none.blocks.push_back({"p", {NodeSpec::maxPool(2)}, false, true, {}});
        QVERIFY(messageOf([&] {
                    ffUnits(none, Shape::image(1, 4, 4), FfUnit::Block);
                }).contains("\"pooling only\" has no layer with weights"));
    }

    void labelsAreEmbeddedAsDocumented()
    {
        const Shape data = Shape::image(2, 2, 3); // 6 pixels of 2 channels, NHWC
        std::vector<float> image(12);
        for (size_t i = 0; i < image.size(); ++i)
            image[i] = 0.5f + float(i);
        QVERIFY(embeddedShape(data, LabelEmbedding::Channels, 4) == Shape::image(6, 2, 3));
        std::vector<float> channels(36);
        embedLabel(image.data(), data, LabelEmbedding::Channels, 4, 2, 9.0f, channels.data());
        for (int p = 0; p < 6; ++p) {
            QCOMPARE(channels[size_t(p * 6)], image[size_t(p * 2)]);
            QCOMPARE(channels[size_t(p * 6 + 1)], image[size_t(p * 2 + 1)]);
            for (int k = 0; k < 4; ++k)
                QCOMPARE(channels[size_t(p * 6 + 2 + k)], k == 2 ? 9.0f : 0.0f);
        }
        std::vector<float> pixels(12);
        embedLabel(image.data(), data, LabelEmbedding::Pixels, 4, 1, 9.0f, pixels.data());
        for (int p = 0; p < 6; ++p)
            for (int c = 0; c < 2; ++c)
                QCOMPARE(pixels[size_t(p * 2 + c)], p >= 4 ? image[size_t(p * 2 + c)] : (p == 1 ? 9.0f : 0.0f));
        embedLabel(image.data(), data, LabelEmbedding::Pixels, 4, -1, 8.0f, pixels.data()); // neutral
        QCOMPARE(pixels[0], 2.0f);
        QCOMPARE(pixels[7], 2.0f);
        QCOMPARE(pixels[8], image[8]);
        QVERIFY(messageOf([&] { embeddedShape(data, LabelEmbedding::Pixels, 10); }).contains("use \"channels\""));
        QCOMPARE(resolvedEmbedding(LabelEmbedding::Auto, modelPreset("cnn-small", {})), LabelEmbedding::Channels);
        QCOMPARE(resolvedEmbedding(LabelEmbedding::Auto, modelPreset("mlp", {784, 10})), LabelEmbedding::Pixels);
    }

    // dL/d(input) of a graph whose first block is residual (the input read twice: body and
    // shortcut projection), against central differences of L = sum(r * output).
    void inputGradientMatchesFiniteDifferences()
    {
        ModelSpec m;
        m.name = "unit";
        m.blocks.push_back(
            {"r",
             {NodeSpec::conv(4, 3, 2, 1), NodeSpec::batchNorm(), NodeSpec::relu(), NodeSpec::conv(4, 3, 1, 1)},
             true,
             true,
             {NodeSpec::relu()}});
        m.blocks.push_back({"p", {NodeSpec::avgPool(2), NodeSpec::flatten()}, false, true, {}});
        ReferenceBackend backend;
        LayerOptions fp32;
        SplitMix64 init(4);
        ModelGraph graph(backend, m, Shape::image(3, 6, 6), 0, fp32, init);
        graph.keepInputGradient();
        const int rows = 3;
        graph.reserve(rows, true);
        LayerScratch scratch(backend);
        SplitMix64 rng(8);
        const size_t inputs = size_t(rows) * 108, outputs = size_t(rows) * size_t(graph.outputShape().features());
        std::vector<float> x(inputs), r(outputs);
        for (float &v : x)
            v = 2.0f * rng.uniform() - 1.0f;
        for (float &v : r)
            v = 2.0f * rng.uniform() - 1.0f;
        auto loss = [&](const std::vector<float> &in) {
            backend.upload(graph.input(), in.data(), in.size() * sizeof(float));
            LayerContext ctx{scratch, 1, 0, true};
            graph.forward(rows, ctx);
            std::vector<float> out(outputs);
            graph.downloadOutput(out.data(), rows);
            double sum = 0.0;
            for (size_t i = 0; i < outputs; ++i)
                sum += double(r[i]) * out[i];
            return sum;
        };
        loss(x);
        std::copy(r.begin(), r.end(), graph.outputGradient());
        LayerContext ctx{scratch, 1, 0, true};
        graph.backward(rows, ctx, ModelGraph::BackwardPass::toInputOnly());
        std::vector<float> analytic(graph.inputGradient(), graph.inputGradient() + inputs);
        int checked = 0;
        for (size_t i = 0; i < inputs; i += 7) {
            std::vector<float> up = x, down = x;
            const float h = 1e-2f;
            up[i] += h;
            down[i] -= h;
            const double numeric = (loss(up) - loss(down)) / (2.0 * h);
            QVERIFY2(std::abs(numeric - analytic[i]) <= 2e-2 * std::max(1.0, std::abs(numeric)),
                     qPrintable(QString("input %1: analytic %2, numeric %3").arg(i).arg(analytic[i]).arg(numeric)));
            ++checked;
        }
        QVERIFY(checked > 40);
        QVERIFY(messageOf([&] {
                    ModelGraph plain(backend, m, Shape::image(3, 6, 6), 0, fp32, init);
                    plain.reserve(rows, true);
                    plain.inputGradient();
                }).contains("keepInputGradient"));
    }

    // The head learns from detached features: FF's own training is bit-identical with and without it.
    void headIsDetachedFromTheUnits()
    {
        const DatasetSplits data = testing::barSplits(64, 20);
        TrainConfig c = ffConfig(Algorithm::FfInt8);
        c.model = "cnn-small";
        c.inputShape = Shape::image(1, 12, 12);
        c.lambda.start = 0.05f;
        ReferenceBackend a, b;
        GraphFfTrainer plain(c, a);
        c.ffPrediction = FfPrediction::Head;
        GraphFfTrainer withHead(c, b);
        QCOMPARE(withHead.unitNames().back(), std::string("head"));
        std::vector<int> indices(16);
        for (int step = 0; step < 4; ++step) {
            for (int i = 0; i < 16; ++i)
                indices[size_t(i)] = step * 16 + i;
            const StepStats s1 = plain.trainStep(data.train, indices.data(), 16);
            const StepStats s2 = withHead.trainStep(data.train, indices.data(), 16);
            QCOMPARE(s2.layers.size(), s1.layers.size() + 1);
            QVERIFY(std::isfinite(s2.layers.back().loss) && s2.layers.back().loss > 0);
            for (size_t u = 0; u < s1.layers.size(); ++u)
                QCOMPARE(s1.layers[u].loss, s2.layers[u].loss);
        }
        std::vector<float> unitsOnly = flatState(withHead);
        unitsOnly.resize(flatState(plain).size()); // the head's tensors come last
        QVERIFY(unitsOnly == flatState(plain));
    }

    void stateRoundTripsIntoAFreshTrainer_data()
    {
        QTest::addColumn<bool>("head");
        QTest::newRow("goodness") << false;
        QTest::newRow("head") << true;
    }

    void stateRoundTripsIntoAFreshTrainer()
    {
        QFETCH(bool, head);
        const DatasetSplits data = testing::barSplits(48, 30);
        TrainConfig c = ffConfig(Algorithm::FfInt8);
        c.model = "cnn-small";
        c.inputShape = Shape::image(1, 12, 12);
        c.epochs = 1;
        c.ffPrediction = head ? FfPrediction::Head : FfPrediction::Goodness;
        ReferenceBackend a, b;
        GraphFfTrainer trained(c, a);
        QCOMPARE(int(TrainingRun(trained, data).run().status), int(RunStatus::Completed));
        GraphFfTrainer fresh(c, b); // the initial weights of `trained`, all replaced
        fresh.importState(trained.exportState());
        std::vector<int> all(30);
        std::iota(all.begin(), all.end(), 0);
        std::vector<uint8_t> p1(30), p2(30);
        QVERIFY(trained.predict(data.test, all.data(), 30, p1.data(), nullptr));
        QVERIFY(fresh.predict(data.test, all.data(), 30, p2.data(), nullptr));
        QVERIFY(p1 == p2); // batch norm's running statistics came along
        QVERIFY(flatState(fresh) == flatState(trained));

        std::vector<NamedValues> missing = trained.exportState();
        missing.erase(missing.begin() + 1);
        const QString why = messageOf([&] { fresh.importState(missing); });
        QVERIFY2(why.contains("stem.")
                     && why.contains(QString::fromStdString(trained.exportState()[1].name).section('.', 2)),
                 qPrintable(why));
        std::vector<NamedValues> stranger = trained.exportState();
        stranger.push_back({"nowhere.conv1.weight", {1.0f}});
        QVERIFY(messageOf([&] { fresh.importState(stranger); }).contains("\"nowhere.conv1.weight\""));
    }

    // FF-INT8 on cnn-small learns the bars as FF-FP32 does, with every unit separating positive
    // from negative data.
    void int8FollowsFp32OnCnnSmall()
    {
        TrainConfig c = ffConfig(Algorithm::FfFp32);
        c.model = "cnn-small";
        c.inputShape = Shape::image(1, 12, 12);
        c.epochs = 4;
        c.lr = 0.003f;
        c.threads = 2;
        testing::checkInt8FollowsFp32(c, testing::barSplits(1200, 300));
    }
};

QTEST_GUILESS_MAIN(TestGraphFf)
#include "tst_graph_ff.moc"
