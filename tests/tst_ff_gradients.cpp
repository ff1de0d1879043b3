// FF and look-ahead gradients of the trainer against central finite differences of the objective
// L_i + lambda * (L_{i+1} + ... + L_last), computed independently here in double precision.
#include "engine/backend/reference_backend.h"
#include "engine/train/ff_trainer.h"
#include "support/synthetic_data.h"

#include <QtTest>

#include <cmath>

using namespace ffint8;

namespace {

struct HostNet
{
    std::vector<LayerParameters> layers;
};

double softplus(double z) { return std::max(z, 0.0) + std::log1p(std::exp(-std::abs(z))); }

// Per-layer FF losses (mean over the 2 * count rows) of the given parameters, in double.
std::vector<double> layerLosses(const HostNet &net, const Dataset &data, const std::vector<int> &indices,
                                const std::vector<uint8_t> &negatives, const TrainConfig &c)
{
    const int count = int(indices.size());
    std::vector<double> losses(net.layers.size(), 0.0);
    for (int r = 0; r < 2 * count; ++r) {
        const bool positive = r < count;
        const int image = indices[size_t(r % count)];
        const int label = positive ? data.labels[size_t(image)] : negatives[size_t(r % count)];
        std::vector<double> x(data.image(image), data.image(image) + data.features());
        double maxValue = *std::max_element(x.begin(), x.end());
        std::fill(x.begin(), x.begin() + 10, 0.0);
        x[size_t(label)] = maxValue > 0 ? maxValue : 1.0;
        for (size_t l = 0; l < net.layers.size(); ++l) {
            const LayerParameters &p = net.layers[l];
            double norm = 0;
            for (double v : x)
                norm += v * v;
            norm = std::sqrt(norm);
            std::vector<double> y(size_t(p.out));
            double goodness = 0;
            for (int o = 0; o < p.out; ++o) {
                double z = p.bias[size_t(o)];
                for (int i = 0; i < p.in; ++i)
                    z += double(p.weights[size_t(o) * p.in + i]) * x[size_t(i)] / (norm + 1e-4);
                y[size_t(o)] = std::max(z, 0.0);
                goodness += y[size_t(o)] * y[size_t(o)];
            }
            if (c.goodness == Goodness::Mean)
                goodness /= p.out;
            losses[l] += softplus(positive ? c.theta - goodness : goodness - c.theta) / (2 * count);
            x = y;
        }
    }
    return losses;
}

double objective(const HostNet &net, size_t layer, float lambda, const Dataset &data, const std::vector<int> &indices,
                 const std::vector<uint8_t> &negatives, const TrainConfig &c)
{
    std::vector<double> l = layerLosses(net, data, indices, negatives, c);
    double total = l[layer];
    for (size_t j = layer + 1; j < l.size(); ++j)
        total += lambda * l[j];
    return total;
}

} // namespace

class TestFfGradients : public QObject
{
    Q_OBJECT

private slots:
    void matchesFiniteDifferences_data()
    {
        QTest::addColumn<float>("lambda");
        QTest::addColumn<int>("goodness");
        QTest::newRow("no look-ahead, mean") << 0.0f << int(Goodness::Mean);
        QTest::newRow("no look-ahead, sum") << 0.0f << int(Goodness::Sum);
        QTest::newRow("look-ahead 0.3, mean") << 0.3f << int(Goodness::Mean);
        QTest::newRow("look-ahead 0.7, sum") << 0.7f << int(Goodness::Sum);
    }

    void matchesFiniteDifferences()
    {
        QFETCH(float, lambda);
        QFETCH(int, goodness);
        TrainConfig c;
        c.algorithm = Algorithm::FfFp32;
        c.layers = {16, 7, 6, 5};
        c.batch = 3;
        c.optimizer = OptimizerKind::Sgd;
        c.momentum = 0.0f;
        c.lr = 1.0f; // one step of plain SGD with lr 1 moves each parameter by minus its gradient
        c.goodness = Goodness(goodness);
        c.theta = c.goodness == Goodness::Mean ? 0.05f : 0.3f;
        c.lambda.enabled = lambda > 0;
        c.lambda.start = lambda;
        c.lambda.perEpoch = 0.0f;
        c.lambda.cap = 1.0f;
        c.seed = 3;

        Dataset data = testing::clusters(3, 16, 9);
        std::vector<int> indices{0, 1, 2};
        std::vector<uint8_t> negatives;
        for (int i : indices)
            negatives.push_back(uint8_t((data.labels[size_t(i)] + 1 + i) % 10));

        ReferenceBackend backend;
        FfTrainer trainer(c, backend);
        trainer.beginEpoch(0);
        QCOMPARE(trainer.lambda(), lambda);
        HostNet before{trainer.parameters()};
        StepStats stats = trainer.trainStep(data, indices.data(), 3, negatives.data());
        QVERIFY(stats.finite);
        HostNet after{trainer.parameters()};

        // The losses the trainer reports are the ones computed here.
        std::vector<double> losses = layerLosses(before, data, indices, negatives, c);
        for (size_t l = 0; l < losses.size(); ++l)
            QVERIFY2(std::abs(stats.layers[l].loss - losses[l]) < 1e-5, qPrintable(QString("layer %1 loss").arg(l)));

        const double h = 1e-4;
        int checked = 0;
        for (size_t l = 0; l < before.layers.size(); ++l) {
            const auto &p = before.layers[l];
            std::vector<double> analytic, numeric;
            auto probe = [&](bool isWeight, size_t k) {
                double an = isWeight ? before.layers[l].weights[k] - after.layers[l].weights[k]
                                     : before.layers[l].bias[k] - after.layers[l].bias[k];
                HostNet plus = before, minus = before;
                (isWeight ? plus.layers[l].weights[k] : plus.layers[l].bias[k]) += float(h);
                (isWeight ? minus.layers[l].weights[k] : minus.layers[l].bias[k]) -= float(h);
                double hp = isWeight ? double(plus.layers[l].weights[k]) - before.layers[l].weights[k]
                                     : double(plus.layers[l].bias[k]) - before.layers[l].bias[k];
                double hm = isWeight ? double(before.layers[l].weights[k]) - minus.layers[l].weights[k]
                                     : double(before.layers[l].bias[k]) - minus.layers[l].bias[k];
                double fd = (objective(plus, l, lambda, data, indices, negatives, c) -
                             objective(minus, l, lambda, data, indices, negatives, c)) / (hp + hm);
                analytic.push_back(an);
                numeric.push_back(fd);
            };
            for (size_t k = 0; k < p.weights.size(); ++k)
                probe(true, k);
            for (size_t k = 0; k < p.bias.size(); ++k)
                probe(false, k);
            double scale = 0;
            for (double v : numeric)
                scale = std::max(scale, std::abs(v));
            QVERIFY2(scale > 1e-6, qPrintable(QString("layer %1 has no gradient to check").arg(l)));
            for (size_t k = 0; k < analytic.size(); ++k) {
                QVERIFY2(std::abs(analytic[k] - numeric[k]) <= 2e-3 * scale + 1e-7,
                         qPrintable(QString("layer %1 parameter %2: trainer %3, finite difference %4 (scale %5)")
                                        .arg(l).arg(k).arg(analytic[k]).arg(numeric[k]).arg(scale)));
                ++checked;
            }
        }
        QCOMPARE(checked, 16 * 7 + 7 + 7 * 6 + 6 + 6 * 5 + 5);
    }

    // Look-ahead must change what the first layer learns (otherwise the test above could pass vacuously).
    void lookaheadChangesEarlyLayerUpdates()
    {
        Dataset data = testing::clusters(4, 16, 5);
        std::vector<int> indices{0, 1, 2, 3};
        std::vector<uint8_t> negatives{1, 2, 3, 4};
        for (int i = 0; i < 4; ++i)
            if (negatives[size_t(i)] == data.labels[size_t(i)])
                negatives[size_t(i)] = uint8_t((negatives[size_t(i)] + 1) % 10);
        std::vector<float> firstLayer[2];
        for (int on = 0; on < 2; ++on) {
            TrainConfig c;
            c.algorithm = Algorithm::FfFp32;
            c.layers = {16, 8, 8};
            c.batch = 4;
            c.lambda.enabled = on;
            c.lambda.start = 0.5f;
            ReferenceBackend backend;
            FfTrainer trainer(c, backend);
            trainer.beginEpoch(0);
            trainer.trainStep(data, indices.data(), 4, negatives.data());
            firstLayer[on] = trainer.parameters()[0].weights;
        }
        QVERIFY(firstLayer[0] != firstLayer[1]);
    }

    // A weight gradient computed and applied block by block must give the very same step as the
    // whole layer at once: blocking is a memory saving, not a change of the method.
    void blockedUpdateEqualsWholeLayer_data()
    {
        QTest::addColumn<int>("algorithm");
        QTest::addColumn<bool>("master");
        QTest::newRow("ff-fp32") << int(Algorithm::FfFp32) << true;
        QTest::newRow("ff-int8 master") << int(Algorithm::FfInt8) << true;
        QTest::newRow("ff-int8 int8-only") << int(Algorithm::FfInt8) << false;
    }
    void blockedUpdateEqualsWholeLayer()
    {
        QFETCH(int, algorithm);
        QFETCH(bool, master);
        Dataset data = testing::clusters(4, 16, 5);
        std::vector<int> indices{0, 1, 2, 3};
        std::vector<uint8_t> negatives(4);
        for (int i = 0; i < 4; ++i)
            negatives[size_t(i)] = uint8_t((data.labels[size_t(i)] + 1 + i) % 10);
        std::vector<LayerParameters> after[2];
        for (int blocked = 0; blocked < 2; ++blocked) {
            TrainConfig c;
            c.algorithm = Algorithm(algorithm);
            c.layers = {16, 8, 7};
            c.batch = 4;
            c.masterWeights = master;
            c.lambda.start = 0.5f; // the look-ahead chain runs too
            c.gradientBlockRows = blocked ? 3 : 0; // 8 and 7 rows: blocks of 3, 3, 2 and 3, 3, 1
            ReferenceBackend backend;
            FfTrainer trainer(c, backend);
            trainer.beginEpoch(0);
            for (int step = 0; step < 3; ++step)
                trainer.trainStep(data, indices.data(), 4, negatives.data());
            after[blocked] = trainer.parameters();
        }
        QCOMPARE(after[1].size(), after[0].size());
        for (size_t l = 0; l < after[0].size(); ++l) {
            QVERIFY(after[1][l].weights == after[0][l].weights);
            QVERIFY(after[1][l].bias == after[0][l].bias);
        }
    }
};

QTEST_APPLESS_MAIN(TestFfGradients)
#include "tst_ff_gradients.moc"
