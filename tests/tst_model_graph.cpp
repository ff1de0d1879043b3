// Model descriptions and graphs: preset contents and layer names, shapes chained (or refused by
// name) before anything is allocated, the whole graph's gradients against finite differences
// (residual fork and join included), state round trips by name, and BP on cnn-small learning.
#include "engine/backend/backend_factory.h"
#include "engine/backend/reference_backend.h"
#include "engine/core/counter_rng.h"
#include "engine/core/error.h"
#include "engine/data/dataset.h"
#include "engine/nn/model_graph.h"
#include "engine/nn/model_spec.h"
#include "engine/train/graph_bp_trainer.h"
#include "engine/train/memory_estimate.h"
#include "engine/train/training_run.h"
#include "support/exception_message.h"
#include "support/qt_compat.h"
#include "support/synthetic_data.h"

#include <QtTest>
#include <cmath>
#include <map>
#include <numeric>

using namespace ffint8;

namespace {

using Values = std::vector<float>;

LayerOptions fp32()
{
    LayerOptions o;
    o.relu = false;
    return o;
}

// A tiny model with every kind of join: a projected residual block (stride 2, more channels) and
// an identity one, batch norms in training mode, ReLUs, max pooling, and the head.
ModelSpec tinyResidualModel()
{
    ModelSpec m;
    m.name = "tiny";
    m.blocks.push_back({"a", {NodeSpec::conv(3, 3, 1, 1), NodeSpec::batchNorm(), NodeSpec::relu()}, false, true, {}});
    BlockSpec projected{"r",
                        {NodeSpec::conv(4, 3, 2, 1), NodeSpec::batchNorm(), NodeSpec::relu(),
                         NodeSpec::conv(4, 3, 1, 1), NodeSpec::batchNorm()},
                        true,
                        true,
                        {NodeSpec::relu()}};
    m.blocks.push_back(projected);
    m.blocks.push_back({"s", {NodeSpec::conv(4, 3, 1, 1), NodeSpec::batchNorm()}, true, false, {NodeSpec::relu()}});
    m.blocks.push_back({"p", {NodeSpec::maxPool(2, 1)}, false, true, {}});
    return m;
}

Values randomValues(size_t n, SplitMix64 &rng, float lo, float hi)
{
    Values v(n);
    for (float &x : v)
        x = lo + (hi - lo) * rng.uniform();
    return v;
}

// Runs a training-mode forward of `input` and returns L = sum(r * logits).
double lossOf(Backend &backend, ModelGraph &graph, LayerScratch &scratch, const Values &input, const Values &r,
              int rows)
{
    backend.upload(graph.input(), input.data(), input.size() * sizeof(float));
    LayerContext ctx{scratch, 3, 0, true};
    graph.forward(rows, ctx);
    Values out(r.size());
    graph.downloadOutput(out.data(), rows);
    double sum = 0.0;
    for (size_t i = 0; i < r.size(); ++i)
        sum += double(r[i]) * double(out[i]);
    return sum;
}

using testing::messageOf;

TrainConfig graphConfig(Algorithm algorithm)
{
    TrainConfig c;
    c.algorithm = algorithm;
    c.model = "cnn-small";
    c.lr = defaultLearningRate(algorithm);
    c.threads = 1;
    return c;
}

} // namespace

class TestModelGraph : public QObject
{
    Q_OBJECT

private slots:
    void presetsDescribeTheirLayers()
    {
        const ModelSpec mlp = modelPreset("mlp", {784, 100, 50});
        QCOMPARE(mlp.blocks.size(), size_t(2));
        QVERIFY(mlp.input == Shape::flat(784));
        QCOMPARE(int(mlp.blocks[0].body[0].kind), int(NodeKind::Flatten));
        QCOMPARE(mlp.blocks[0].body[1].out, 100);
        QCOMPARE(mlp.blocks[1].body[0].out, 50);
        QCOMPARE(ModelSpec::nodeName(mlp.blocks[1], 0), std::string("fc2.fc1"));

        const ModelSpec cnn = modelPreset("cnn-small", {});
        QCOMPARE(cnn.blocks.size(), size_t(4));
        const BlockSpec &res = cnn.blocks[2];
        QVERIFY(res.residual);
        QCOMPARE(res.body.size(), size_t(5));
        QCOMPARE(ModelSpec::nodeName(res, 3), std::string("res.conv2"));
        QCOMPARE(ModelSpec::nodeName(res, 4), std::string("res.bn2"));
        QCOMPARE(ModelSpec::nodeName(res, 5), std::string("res.relu2")); // after the add
        QVERIFY_THROWS_EXCEPTION(EngineError, ModelSpec::nodeName(res, 6));
    }

    void inputShapesAccepted()
    {
        const ModelSpec mlp = mlpModel({784, 10});
        QVERIFY(mlp.accepts(Shape::image(1, 28, 28))); // flattened first
        QVERIFY(mlp.accepts(Shape::flat(784)));
        QVERIFY(!mlp.accepts(Shape::image(3, 32, 32)));
        const ModelSpec cnn = cnnSmallModel();
        QVERIFY(cnn.accepts(Shape::image(3, 32, 32)));
    }

    void kindNamesRoundTrip()
    {
        for (NodeKind k : {NodeKind::Linear, NodeKind::Conv2d, NodeKind::BatchNorm, NodeKind::Relu, NodeKind::MaxPool,
                           NodeKind::AvgPool, NodeKind::GlobalAvgPool, NodeKind::Flatten, NodeKind::Relu6,
                           NodeKind::Silu, NodeKind::Dropout}) {
            NodeKind back = NodeKind::Relu;
            QVERIFY(nodeKindFromName(nodeKindName(k), back));
            QCOMPARE(int(back), int(k));
        }
        NodeKind unused;
        QVERIFY(!nodeKindFromName("dense", unused));
    }

    // ResNet-18's CIFAR variant: its parameters counted here from the layer sizes, and Table V's
    // figure as torchvision's port of the same network counts it.
    void resnet18CountsAsTheCifarVariant()
    {
        ReferenceBackend backend;
        const GraphPlan plan = ModelGraph::plan(modelPreset("resnet-18", {}), Shape::image(3, 32, 32), 10);
        std::map<std::string, Shape> shapes;
        for (const PlannedLayer &p : plan.layers)
            shapes[p.name] = p.output;
        QVERIFY(shapes.at("stem.relu1") == Shape::image(64, 32, 32)); // stride 1, no max pooling
        QVERIFY(shapes.at("stage2_1.add") == Shape::image(128, 16, 16));
        QVERIFY(shapes.at("stage4_2.add") == Shape::image(512, 4, 4));
        QVERIFY(shapes.count("stage1_1.shortcut_conv") == 0);
        QVERIFY(shapes.at("stage3_1.shortcut_conv") == Shape::image(256, 8, 8));
        QVERIFY(shapes.at("pool.gap1") == Shape::flat(512));
        auto bn = [](size_t c) { return 2 * c; };
        size_t expected = 9 * 3 * 64 + bn(64);
        size_t in = 64;
        for (size_t c : {64, 128, 256, 512}) {
            for (int b = 0; b < 2; ++b) {
                expected += 9 * in * c + bn(c) + 9 * c * c + bn(c);
                if (in != c)
                    expected += in * c + bn(c); // the projected shortcut
                in = c;
            }
        }
        expected += 512 * 10 + 10;
        ModelGraph graph(backend, modelPreset("resnet-18", {}), Shape::image(3, 32, 32), 10, fp32(), 1);
        QCOMPARE(graph.parameterCount(), expected);
        QCOMPARE(graph.parameterCount(), size_t(11173962));
    }

    // MobileNet-V2 with torchvision's plan: the exact 2,236,682 with a 10-class head, the
    // strides adapted to 32x32 (stem and first 24-channel block at 1), an input added back only
    // where the shape stays, depthwise convolutions with one group per channel.
    void mobilenetV2CountsAsTorchvisionsPlan()
    {
        ReferenceBackend backend;
        const ModelSpec spec = modelPreset("mobilenet-v2", {});
        const GraphPlan plan = ModelGraph::plan(spec, Shape::image(3, 32, 32), 10);
        std::map<std::string, const PlannedLayer *> layers;
        for (const PlannedLayer &p : plan.layers)
            layers[p.name] = &p;
        QVERIFY(layers.at("stem.relu6_1")->output == Shape::image(32, 32, 32));
        QVERIFY(layers.at("stage2_1.project_bn")->output == Shape::image(24, 32, 32));
        QVERIFY(layers.at("stage3_1.dw_conv")->output == Shape::image(144, 16, 16));
        QCOMPARE(layers.at("stage3_1.dw_conv")->node.groups, 144);
        QVERIFY(layers.at("stage7_1.project_bn")->output == Shape::image(320, 4, 4));
        QVERIFY(layers.at("pool.dropout1")->output == Shape::flat(1280));
        QCOMPARE(layers.count("stage1_1.expand_conv"), size_t(0)); // expansion 1: no 1x1 expansion
        // Added back: the second and third 32-channel blocks, not the first (stride 2, 24 -> 32).
        QCOMPARE(layers.count("stage3_1.add"), size_t(0));
        QCOMPARE(layers.count("stage3_2.add"), size_t(1));
        QCOMPARE(layers.count("stage5_1.add"), size_t(0)); // 64 -> 96 at stride 1
        for (const PlannedLayer &p : plan.layers)
            QVERIFY2(p.name.find("shortcut") == std::string::npos, p.name.c_str());
        ModelGraph graph(backend, spec, Shape::image(3, 32, 32), 10, fp32(), 1);
        QCOMPARE(graph.parameterCount(), size_t(2236682));
    }

    // EfficientNet-B0 without squeeze-excitation: the 3,383,818 of torchvision's plan, SiLU, 5x5
    // depthwise kernels with padding 2.
    void efficientnetB0CountsAsTorchvisionsPlan()
    {
        ReferenceBackend backend;
        const ModelSpec spec = modelPreset("efficientnet-b0", {});
        const GraphPlan plan = ModelGraph::plan(spec, Shape::image(3, 32, 32), 10);
        std::map<std::string, const PlannedLayer *> layers;
        for (const PlannedLayer &p : plan.layers)
            layers[p.name] = &p;
        QCOMPARE(layers.at("stage3_1.dw_conv")->node.kernel, 5);
        QVERIFY(layers.at("stage3_1.dw_conv")->output == Shape::image(144, 16, 16));
        QCOMPARE(std::string(layers.at("stage3_1.dw_act")->kind), std::string("silu"));
        QVERIFY(layers.at("stage7_1.project_bn")->output == Shape::image(320, 4, 4));
        ModelGraph graph(backend, spec, Shape::image(3, 32, 32), 10, fp32(), 1);
        QCOMPARE(graph.parameterCount(), size_t(3383818));
        // Fashion-MNIST padded to 32x32 fits as it is; 28x28 fits too (the strides round up).
        QVERIFY(ModelGraph::plan(spec, Shape::image(1, 28, 28), 10).layers.back().output == Shape::flat(10));
    }

    void cnnSmallShapesAndTotals()
    {
        ReferenceBackend backend;
        ModelGraph graph(backend, cnnSmallModel(), Shape::image(1, 28, 28), 10, fp32(), 1);
        QVERIFY(graph.outputShape() == Shape::flat(10));
        QCOMPARE(graph.blockNames(), (std::vector<std::string>{"stem", "down", "res", "pool", "head"}));
        std::map<std::string, Shape> shapes;
        for (const PlannedLayer &p : graph.graphPlan().layers)
            shapes[p.name] = p.output;
        QVERIFY(shapes.at("stem.relu1") == Shape::image(16, 28, 28));
        QVERIFY(shapes.at("down.conv1") == Shape::image(32, 14, 14)); // stride 2, padding 1
        QVERIFY(shapes.at("res.add") == Shape::image(32, 14, 14));
        QVERIFY(shapes.count("res.shortcut_conv") == 0); // the body keeps the shape: identity shortcut
        QVERIFY(shapes.at("pool.maxpool1") == Shape::image(32, 7, 7));
        QVERIFY(shapes.at("pool.flatten1") == Shape::flat(32 * 7 * 7));
        QVERIFY(shapes.at("head.fc1") == Shape::flat(10));
        // By hand: 3x3 kernels over Cin, no conv bias before a batch norm, gamma and beta per channel;
        // the head reads the 7x7 map of every channel.
        const size_t params = (9 * 1 * 16 + 2 * 16) + (9 * 16 * 32 + 2 * 32) + 2 * (9 * 32 * 32 + 2 * 32) +
                              (32 * 7 * 7 * 10 + 10);
        QCOMPARE(graph.parameterCount(), params);
        const size_t macs = size_t(28 * 28) * 16 * 9 + size_t(14 * 14) * 32 * 9 * 16 +
                            2 * size_t(14 * 14) * 32 * 9 * 32 + 32 * 7 * 7 * 10;
        QCOMPARE(graph.macsPerImage(), macs);
        // CIFAR-10's images fit as well: the preset takes any image of even size.
        ModelGraph cifar(backend, cnnSmallModel(), Shape::image(3, 32, 32), 10, fp32(), 1);
        QVERIFY(cifar.graphPlan().layers.front().output == Shape::image(16, 32, 32));
    }

    void projectionMatchesTheBody()
    {
        const GraphPlan plan = ModelGraph::plan(tinyResidualModel(), Shape::image(2, 5, 5), 3);
        std::map<std::string, PlannedLayer> layers;
        for (const PlannedLayer &p : plan.layers)
            layers[p.name] = p;
        QVERIFY(layers.at("r.shortcut_conv").output == Shape::image(4, 3, 3));
        QCOMPARE(layers.at("r.shortcut_conv").node.stride, 2);
        QCOMPARE(layers.at("r.shortcut_conv").node.kernel, 1);
        QVERIFY(layers.at("r.add").inputs.size() == 2);
        QVERIFY(layers.count("s.shortcut_conv") == 0);
        QVERIFY(layers.at("head.flatten1").output == Shape::flat(4 * 2 * 2));
    }

    void shapesThatDoNotChainAreRefusedBeforeAllocating_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("conv after flatten") << 0 << QStringList{"conv2d \"b.conv1\"", "784x1x1", "image"};
        QTest::newRow("residual of two shapes") << 1 << QStringList{"residual_add \"r.add\"", "8x14x14", "1x28x28"};
        QTest::newRow("data of another shape") << 2 << QStringList{"model \"mlp\"", "3x32x32", "784x1x1"};
        QTest::newRow("linear on an image") << 3 << QStringList{"linear \"b.fc1\"", "1x28x28", "flatten"};
        QTest::newRow("pool larger than image") << 4 << QStringList{"max_pool \"b.maxpool1\"", "1x28x28"};
    }

    void shapesThatDoNotChainAreRefusedBeforeAllocating()
    {
        QFETCH(int, which);
        QFETCH(QStringList, expected);
        ModelSpec m;
        m.name = "bad";
        Shape input = Shape::image(1, 28, 28);
        switch (which) {
        case 0:
            m.blocks.push_back({"b", {NodeSpec::flatten(), NodeSpec::conv(8, 3, 1, 1)}, false, true, {}});
            break;
        case 1:
            m.blocks.push_back({"r", {NodeSpec::conv(8, 3, 2, 1)}, true, false, {}});
            break;
        case 2:
            m = mlpModel({784, 10});
            input = Shape::image(3, 32, 32);
            break;
        case 3:
            m.blocks.push_back({"b", {NodeSpec::linear(10)}, false, true, {}});
            break;
        case 4:
            m.blocks.push_back({"b", {NodeSpec::maxPool(29)}, false, true, {}});
            break;
        }
        // Early layers that fit come first, so a refusal after them proves nothing was built.
        m.blocks.insert(m.blocks.begin(), BlockSpec{"ok", {NodeSpec::relu()}, false, true, {}});
        ReferenceBackend backend;
        const QString message = messageOf([&] { ModelGraph(backend, m, input, 10, fp32(), 1); });
        for (const QString &part : expected)
            QVERIFY2(message.contains(part), qPrintable(message));
        QCOMPARE(backend.memory().snapshot().peakTotal, size_t(0));
    }

    void wholeGraphGradientsMatchFiniteDifferences()
    {
        // L = sum(r * logits); its gradient by backward() against central differences of every
        // parameter. The identity and projected shortcuts make block inputs forks whose two
        // gradients must be summed, so "a.*" and "r.*" check the fork.
        ReferenceBackend backend;
        const int rows = 3;
        const Shape input = Shape::image(2, 5, 5);
        ModelGraph graph(backend, tinyResidualModel(), input, 3, fp32(), 7);
        graph.reserve(rows, true);
        LayerScratch scratch(backend);
        SplitMix64 rng(11);
        const Values x = randomValues(size_t(rows) * input.features(), rng, -1.0f, 1.0f);
        const Values r = randomValues(size_t(rows) * 3, rng, -1.0f, 1.0f);
        lossOf(backend, graph, scratch, x, r, rows);
        backend.upload(graph.input(), x.data(), x.size() * sizeof(float)); // unchanged; keeps the pass honest
        LayerContext ctx{scratch, 3, 0, true};
        graph.forward(rows, ctx);
        Tensor g = backend.allocate(1, int(r.size()), DType::F32, MemoryCategory::Gradients);
        backend.upload(g, r.data(), r.size() * sizeof(float));
        backend.addTensors(g.f32(), nullptr, 1, int(r.size()), false, graph.outputGradient());
        std::vector<double> norms;
        graph.backward(rows, ctx, &norms);
        QCOMPARE(norms.size(), graph.blockNames().size());
        double rNorm = 0.0;
        for (float v : r)
            rNorm += double(v) * v;
        QVERIFY(std::abs(norms.back() - std::sqrt(rNorm)) < 1e-6); // the head's output gradient is r
        const std::vector<NamedValues> analytic = graph.gradientsToHost();
        const std::vector<NamedValues> state = graph.exportState();
        // Five convolutions without bias (a batch norm follows each), five batch norms, the head.
        QCOMPARE(analytic.size(), size_t(5 + 2 * 5 + 2));
        int checked = 0;
        QStringList failures;
        std::vector<NamedValues> perturbed = state;
        // dL/d(value i of tensor t) by central differences with step h.
        auto numeric = [&](NamedValues &tensor, size_t i, float h) {
            const float original = tensor.values[i];
            tensor.values[i] = original + h;
            graph.importState(perturbed);
            const double up = lossOf(backend, graph, scratch, x, r, rows);
            tensor.values[i] = original - h;
            graph.importState(perturbed);
            const double down = lossOf(backend, graph, scratch, x, r, rows);
            tensor.values[i] = original;
            return (up - down) / (2.0 * double(h));
        };
        for (const NamedValues &grad : analytic) {
            auto it = std::find_if(perturbed.begin(), perturbed.end(),
                                   [&](const NamedValues &v) { return v.name == grad.name; });
            QVERIFY2(it != perturbed.end(), grad.name.c_str());
            QCOMPARE(it->values.size(), grad.values.size());
            std::vector<double> fd(grad.values.size());
            double scale = 0.0;
            for (size_t i = 0; i < fd.size(); ++i) {
                fd[i] = numeric(*it, i, 1e-3f);
                scale = std::max(scale, std::abs(fd[i]));
            }
            QVERIFY2(scale > 1e-3, grad.name.c_str());
            // Batch norm puts many ReLU and max-pool inputs near their switch point, and a step that
            // crosses one makes a finite difference wrong (not the gradient): such a value is
            // measured again with a step 8 times smaller, and at most 2 % of a tensor (at least one
            // value) may still disagree. A wrong gradient (a fork's branch lost) is wrong everywhere.
            const double tolerance = 2e-2 * scale + 2e-3;
            int outliers = 0;
            QString worst;
            for (size_t i = 0; i < fd.size(); ++i) {
                if (std::abs(grad.values[i] - fd[i]) <= tolerance)
                    continue;
                const double finer = numeric(*it, i, 1.25e-4f);
                if (std::abs(grad.values[i] - finer) <= tolerance)
                    continue;
                ++outliers;
                worst = QString("%1[%2]: backward %3, finite differences %4 and %5 (scale %6)")
                            .arg(grad.name.c_str())
                            .arg(i)
                            .arg(grad.values[i])
                            .arg(fd[i])
                            .arg(finer)
                            .arg(scale);
            }
            if (outliers > std::max(1, int(fd.size() / 50)))
                failures << QString("%1 of %2 values, e.g. %3").arg(outliers).arg(fd.size()).arg(worst);
            ++checked;
        }
        graph.importState(state);
        QCOMPARE(checked, int(analytic.size()));
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join("\n")));
    }

    void stateRoundTripsByName()
    {
        ReferenceBackend backend;
        const Shape input = Shape::image(2, 5, 5);
        ModelGraph a(backend, tinyResidualModel(), input, 3, fp32(), 1);
        ModelGraph b(backend, tinyResidualModel(), input, 3, fp32(), 2);
        a.reserve(4, true);
        b.reserve(4, true);
        LayerScratch scratch(backend);
        SplitMix64 rng(5);
        const Values x = randomValues(size_t(4) * input.features(), rng, 0.0f, 1.0f);
        const Values r(12, 1.0f);
        lossOf(backend, a, scratch, x, r, 4); // moves a's running statistics off their start
        std::vector<NamedValues> state = a.exportState();
        QVERIFY(std::any_of(state.begin(), state.end(),
                            [](const NamedValues &v) { return v.name == "r.shortcut_bn.running_mean"; }));
        b.importState(state);
        auto evalOutput = [&](ModelGraph &g) {
            backend.upload(g.input(), x.data(), x.size() * sizeof(float));
            LayerContext ctx{scratch, 3, 0, false};
            g.forward(4, ctx);
            Values out(12);
            g.downloadOutput(out.data(), 4);
            return out;
        };
        QCOMPARE(evalOutput(b), evalOutput(a));

        std::vector<NamedValues> renamed = state;
        renamed.front().name = "a.conv9.weight";
        QVERIFY2(messageOf([&] { b.importState(renamed); }).contains("\"a.conv9.weight\""),
                 qPrintable(messageOf([&] { b.importState(renamed); })));
        std::vector<NamedValues> missing(state.begin() + 1, state.end());
        const QString why = messageOf([&] { b.importState(missing); });
        QVERIFY2(why.contains("\"a.conv1\"") && why.contains("weight"), qPrintable(why));
    }

    void everyMethodTrainsGraphsAndWrongSettingsAreRefusedByName()
    {
        TrainConfig c;
        c.model = "cnn-small";
        for (Algorithm a : {Algorithm::BpFp32, Algorithm::BpInt8, Algorithm::BpUi8, Algorithm::FfFp32, Algorithm::FfInt8}) {
            c.algorithm = a;
            c.validate();
        }
        // A head for FF's prediction is for graphs alone
        TrainConfig mlp;
        mlp.ffPrediction = FfPrediction::Head;
        QVERIFY(messageOf([&] { mlp.validate(); }).contains("\"head\" is for model graphs"));
        c.algorithm = Algorithm::BpFp32;
        c.model = "resnet";
        QVERIFY(messageOf([&] { c.validate(); }).contains("\"resnet\" is not a model; valid: mlp, cnn-small"));
    }

    void memoryEstimateIsWhatTheGraphTrainerHolds_data()
    {
        QTest::addColumn<int>("algo");
        QTest::newRow("bp-fp32") << int(Algorithm::BpFp32);
        QTest::newRow("bp-int8") << int(Algorithm::BpInt8);
        QTest::newRow("bp-ui8") << int(Algorithm::BpUi8);
        QTest::newRow("ff-fp32") << int(Algorithm::FfFp32);
        QTest::newRow("ff-int8") << int(Algorithm::FfInt8);
    }

    void memoryEstimateIsWhatTheGraphTrainerHolds()
    {
        QFETCH(int, algo);
        TrainConfig c;
        c.algorithm = Algorithm(algo);
        c.model = "cnn-small";
        c.inputShape = Shape::image(1, 8, 8);
        c.batch = 6;
        c.evalBatch = 8;
        c.epochs = 1;
        const size_t estimate = estimateTrainerBytes(c);
        ReferenceBackend backend;
        auto trainer = createTrainer(c, backend);
        QVERIFY(dynamic_cast<GraphTrainer *>(trainer.get()));
        DatasetSplits data;
        for (Dataset *d : {&data.train, &data.test}) {
            d->name = "blank";
            d->count = 12;
            d->height = d->width = 8;
            d->images.assign(size_t(12) * 64, 0.5f);
            d->labels.assign(12, 3);
        }
        const RunSummary s = TrainingRun(*trainer, data).run();
        QCOMPARE(int(s.status), int(RunStatus::Completed));
        QCOMPARE(estimate, s.memory.peakTotal);
    }

    void int8GradientsFollowFp32()
    {
        // bp-int8 quantises activations, weights and output gradients to 8 bits: on the same
        // weights and batch its gradients point the way FP32's do (cosine near 1), not exactly.
        const DatasetSplits data = testing::squareSplits(64);
        std::vector<int> indices(16);
        std::iota(indices.begin(), indices.end(), 0);
        std::vector<std::vector<NamedValues>> grads;
        for (Algorithm a : {Algorithm::BpFp32, Algorithm::BpInt8}) {
            TrainConfig c = graphConfig(a);
            c.batch = 16;
            ReferenceBackend backend;
            GraphBpTrainer trainer(c, backend);
            trainer.computeGradients(data.train, indices.data(), 16);
            grads.push_back(trainer.graph().gradientsToHost());
        }
        QCOMPARE(grads[0].size(), grads[1].size());
        double dot = 0.0, a2 = 0.0, b2 = 0.0;
        for (size_t t = 0; t < grads[0].size(); ++t)
            for (size_t i = 0; i < grads[0][t].values.size(); ++i) {
                const double a = grads[0][t].values[i], b = grads[1][t].values[i];
                dot += a * b;
                a2 += a * a;
                b2 += b * b;
            }
        const double cosine = dot / std::sqrt(a2 * b2);
        QVERIFY2(cosine > 0.9, qPrintable(QString::number(cosine)));
    }

    void bpLearnsFashionMnistOnCnnSmall_data()
    {
        QTest::addColumn<int>("algo");
        QTest::addColumn<int>("images");
        QTest::addColumn<int>("epochs");
        QTest::newRow("bp-fp32") << int(Algorithm::BpFp32) << 4000 << 2;
        // Its clip searches make a step several times longer: fewer images.
        QTest::newRow("bp-ui8") << int(Algorithm::BpUi8) << 2000 << 1;
    }

    void bpLearnsFashionMnistOnCnnSmall()
    {
        // A few thousand real images on the cpu backend: far above chance (10 %).
        QFETCH(int, algo);
        QFETCH(int, images);
        QFETCH(int, epochs);
        DatasetSplits data;
        try {
            data = loadDataset("fashion-mnist", {"/usr/share/datasets"});
        } catch (const EngineError &e) {
            QSKIP(e.what());
        }
        truncateDataset(data.train, images);
        truncateDataset(data.test, 1000);
        TrainConfig c = graphConfig(Algorithm(algo));
        c.epochs = epochs;
        c.batch = 32;
        auto backend = createBackend("cpu", 2);
        auto trainer = createTrainer(c, *backend);
        const RunSummary s = TrainingRun(*trainer, data).run();
        QCOMPARE(int(s.status), int(RunStatus::Completed));
        qInfo("cnn-small, %s, %d Fashion-MNIST images, %d epochs: test accuracy %.1f %%", algorithmName(c.algorithm),
              images, epochs, s.testAccuracy * 100.0);
        QVERIFY2(s.testAccuracy > 0.5, qPrintable(QString::number(s.testAccuracy)));
    }

    void unknownPresetNamesTheValidOnes()
    {
        try {
            modelPreset("resnet-1000", {});
            QFAIL("no exception");
        } catch (const EngineError &e) {
            const QString message = e.what();
            QVERIFY2(message.contains("resnet-1000") && message.contains("mlp, cnn-small"), qPrintable(message));
        }
    }
};

QTEST_GUILESS_MAIN(TestModelGraph)
#include "tst_model_graph.moc"
