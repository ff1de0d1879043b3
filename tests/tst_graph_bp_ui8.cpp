// BP-UI8 on model graphs: a convolution's clipped gradient quantisation is that of the gradient
// clamped to the clip, the trainer searches a clip for every INT8 layer and records its direction
// deviation per block, its gradients follow FP32's, and layers that cannot clip refuse by name
// (tst_model_graph trains it on real images).
#include "engine/backend/reference_backend.h"
#include "engine/core/error.h"
#include "engine/data/dataset.h"
#include "engine/nn/batch_norm.h"
#include "engine/nn/conv2d.h"
#include "engine/nn/model_graph.h"
#include "engine/train/graph_bp_trainer.h"
#include "support/exception_message.h"
#include "support/layer_pass.h"
#include "support/qt_compat.h"
#include "support/synthetic_data.h"

#include <QtTest>
#include <algorithm>
#include <cmath>
#include <numeric>

using namespace ffint8;
using ffint8::testing::forwardBackward;
using ffint8::testing::LayerPass;
using ffint8::testing::messageOf;

namespace {

using Values = std::vector<float>;

LayerOptions ui8Options(bool clipped)
{
    LayerOptions o;
    o.precision = Precision::Int8;
    o.weightsPerChannel = false;
    o.masterWeights = true;
    o.relu = false;
    // Round to nearest: a value clamped to the clip and one saturated by it then get the same code
    // without depending on where a random draw falls.
    o.activationRounding = o.gradientRounding = Rounding::Nearest;
    o.clippedGradients = clipped;
    return o;
}

TrainConfig graphConfig(Algorithm algorithm)
{
    TrainConfig c;
    c.algorithm = algorithm;
    c.model = "cnn-small";
    c.lr = defaultLearningRate(algorithm);
    c.threads = 1;
    return c;
}

double cosineOf(const std::vector<NamedValues> &a, const std::vector<NamedValues> &b)
{
    double dot = 0.0, a2 = 0.0, b2 = 0.0;
    for (size_t t = 0; t < a.size(); ++t)
        for (size_t i = 0; i < a[t].values.size(); ++i) {
            dot += double(a[t].values[i]) * b[t].values[i];
            a2 += double(a[t].values[i]) * a[t].values[i];
            b2 += double(b[t].values[i]) * b[t].values[i];
        }
    return dot / std::sqrt(a2 * b2);
}

} // namespace

class TestGraphBpUi8 : public QObject
{
    Q_OBJECT

private slots:
    void clippedGradientIsTheClampedGradient_data()
    {
        QTest::addColumn<int>("groups");
        QTest::newRow("3x3 convolution") << 1;
        QTest::newRow("depthwise 3x3") << 4;
    }

    // Quantising with a clip c (scale min(max|g|, c) / 127, values beyond it saturated) is
    // quantising the gradient clamped to [-c, c]: the input and weight gradients are identical.
    void clippedGradientIsTheClampedGradient()
    {
        QFETCH(int, groups);
        ReferenceBackend backend;
        const Shape input = Shape::image(4, 6, 6);
        ConvOptions conv{4, 3, 1, 1, groups, false}; // a bias's gradient sums the unquantised gradient
        SplitMix64 initA(9), initB(9);
        Conv2d clipped(backend, "clipped", input, conv, ui8Options(true), initA);
        Conv2d plain(backend, "plain", input, conv, ui8Options(false), initB);
        QVERIFY(clipped.clipsGradients());
        QVERIFY(!plain.clipsGradients());
        const int rows = 3;
        SplitMix64 rng(4);
        Values x(size_t(rows) * input.features()), g(size_t(rows) * clipped.outputShape().features());
        for (float &v : x)
            v = 2.0f * rng.uniform() - 1.0f;
        float top = 0.0f;
        for (float &v : g) {
            v = (2.0f * rng.uniform() - 1.0f) * (rng.uniform() < 0.05f ? 20.0f : 1.0f);
            top = std::max(top, std::abs(v));
        }
        const float clip = 0.25f * top;
        Values clamped = g;
        int saturated = 0;
        for (float &v : clamped) {
            saturated += std::abs(v) > clip;
            v = std::clamp(v, -clip, clip);
        }
        QVERIFY(saturated > 0);
        const LayerPass a = forwardBackward(backend, clipped, x, g, rows, [&] { clipped.setGradientClip(clip); });
        const LayerPass b = forwardBackward(backend, plain, x, clamped, rows);
        QCOMPARE(a.gradInput, b.gradInput);
        QCOMPARE(a.gradients.size(), b.gradients.size());
        for (size_t t = 0; t < a.gradients.size(); ++t)
            QCOMPARE(a.gradients[t].values, b.gradients[t].values);
        // And the clip changes something: without it the gradients differ.
        const LayerPass c = forwardBackward(backend, clipped, x, g, rows, [&] { clipped.setGradientClip(INFINITY); });
        QVERIFY(c.gradInput != a.gradInput);
    }

    void layersThatCannotClipRefuseByName()
    {
        ReferenceBackend backend;
        SplitMix64 init(1);
        LayerOptions perChannel = ui8Options(true);
        perChannel.weightsPerChannel = true;
        QVERIFY(messageOf([&] {
                    Conv2d c(backend, "stem.conv", Shape::image(1, 8, 8), ConvOptions{4, 3, 1, 1, 1, true}, perChannel,
                             init);
                })
                    .contains("conv2d \"stem.conv\": clipped gradients need INT8 with per-tensor weights"));
        BatchNorm bn(backend, "stem.bn", Shape::image(4, 8, 8), ui8Options(false));
        QVERIFY(!bn.clipsGradients());
        QVERIFY(messageOf([&] { bn.setGradientClip(1.0f); })
                    .contains("batch_norm \"stem.bn\" was not built with clipped INT8 gradients"));
    }

    // bp-ui8 on the same weights and batch: gradients that point where FP32's do, and a direction
    // deviation recorded for every block with an INT8 layer, as bp-int8 records it (none for FP32).
    void trainerClipsEveryInt8Layer()
    {
        const DatasetSplits data = testing::squareSplits(64);
        std::vector<int> indices(16);
        std::iota(indices.begin(), indices.end(), 0);
        std::vector<std::vector<NamedValues>> grads;
        std::vector<StepStats> stats;
        for (Algorithm a : {Algorithm::BpFp32, Algorithm::BpInt8, Algorithm::BpUi8}) {
            TrainConfig c = graphConfig(a);
            c.batch = 16;
            ReferenceBackend backend;
            GraphBpTrainer trainer(c, backend);
            stats.push_back(trainer.computeGradients(data.train, indices.data(), 16));
            grads.push_back(trainer.graph().gradientsToHost());
            if (a == Algorithm::BpUi8) {
                int clipping = 0;
                for (size_t l = 0; l < trainer.graph().layerCount(); ++l)
                    clipping += trainer.graph().layer(l).clipsGradients();
                QVERIFY(clipping >= 3); // cnn-small's convolutions and the head
            }
        }
        const double cosine = cosineOf(grads[0], grads[2]);
        QVERIFY2(cosine > 0.9, qPrintable(QString::number(cosine)));
        double ui8Deviation = 0.0;
        for (size_t b = 0; b < stats[0].layers.size(); ++b) {
            QVERIFY(std::isnan(stats[0].layers[b].deviation));
            QCOMPARE(std::isnan(stats[1].layers[b].deviation), std::isnan(stats[2].layers[b].deviation));
            if (std::isnan(stats[2].layers[b].deviation))
                continue;
            QVERIFY(stats[2].layers[b].deviation >= 0.0 && stats[2].layers[b].deviation < 1.0);
            ui8Deviation += stats[2].layers[b].deviation;
        }
        QVERIFY(ui8Deviation > 0.0);
    }
};

QTEST_GUILESS_MAIN(TestGraphBpUi8)
#include "tst_graph_bp_ui8.moc"
