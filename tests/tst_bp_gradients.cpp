// Backpropagation baselines: FP32 gradients against finite differences, INT8 gradients against
// FP32 ones, the clipping search of BP-UI8, and why plain BP-INT8 collapses.
#include "engine/backend/cpu_backend.h"
#include "engine/backend/reference_backend.h"
#include "engine/train/bp_trainer.h"
#include "support/synthetic_data.h"

#include <QtTest>

#include <cmath>

using namespace ffint8;

namespace {

// Mean softmax cross-entropy of an MLP (ReLU hidden layers, linear head) in double.
double crossEntropy(const std::vector<LayerParameters> &layers, const Dataset &data, const std::vector<int> &indices)
{
    double total = 0.0;
    for (int image : indices) {
        std::vector<double> x(data.image(image), data.image(image) + data.features());
        for (size_t l = 0; l < layers.size(); ++l) {
            const LayerParameters &p = layers[l];
            std::vector<double> y(size_t(p.out));
            for (int o = 0; o < p.out; ++o) {
                double z = p.bias[size_t(o)];
                for (int i = 0; i < p.in; ++i)
                    z += double(p.weights[size_t(o) * p.in + i]) * x[size_t(i)];
                y[size_t(o)] = l + 1 < layers.size() ? std::max(z, 0.0) : z;
            }
            x = y;
        }
        double top = *std::max_element(x.begin(), x.end()), sum = 0.0;
        for (double z : x)
            sum += std::exp(z - top);
        total += std::log(sum) - (x[data.labels[size_t(image)]] - top);
    }
    return total / double(indices.size());
}

double cosine(const std::vector<float> &a, const std::vector<float> &b)
{
    double ab = 0, aa = 0, bb = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        ab += double(a[i]) * b[i];
        aa += double(a[i]) * a[i];
        bb += double(b[i]) * b[i];
    }
    return ab / std::sqrt(aa * bb);
}

TrainConfig bpConfig(Algorithm algo, std::vector<int> layers, int batch)
{
    TrainConfig c;
    c.algorithm = algo;
    c.layers = std::move(layers);
    c.batch = batch;
    c.seed = 5;
    return c;
}

} // namespace

class TestBpGradients : public QObject
{
    Q_OBJECT

private slots:
    void fp32GradientsMatchFiniteDifferences()
    {
        TrainConfig c = bpConfig(Algorithm::BpFp32, {16, 9, 7}, 5);
        Dataset data = testing::clusters(5, 16, 4);
        std::vector<int> indices{0, 1, 2, 3, 4};
        ReferenceBackend backend;
        BpTrainer trainer(c, backend);
        auto params = trainer.parameters();
        auto grads = trainer.gradients(data, indices.data(), 5);
        QCOMPARE(grads.size(), size_t(3)); // two hidden layers and the head
        const double h = 1e-4;
        int checked = 0;
        for (size_t l = 0; l < params.size(); ++l) {
            const size_t nw = params[l].weights.size();
            double scale = 0;
            for (float g : grads[l])
                scale = std::max(scale, double(std::abs(g)));
            QVERIFY(scale > 1e-6);
            for (size_t k = 0; k < nw + params[l].bias.size(); ++k) {
                auto plus = params, minus = params;
                float &p = k < nw ? plus[l].weights[k] : plus[l].bias[k - nw];
                float &m = k < nw ? minus[l].weights[k] : minus[l].bias[k - nw];
                const float original = p;
                p = original + float(h);
                m = original - float(h);
                double fd = (crossEntropy(plus, data, indices) - crossEntropy(minus, data, indices)) / (double(p) - double(m));
                QVERIFY2(std::abs(fd - grads[l][k]) <= 2e-3 * scale + 1e-6,
                         qPrintable(QString("layer %1 parameter %2: trainer %3, finite difference %4").arg(l).arg(k).arg(grads[l][k]).arg(fd)));
                ++checked;
            }
        }
        QCOMPARE(checked, 16 * 9 + 9 + 9 * 7 + 7 + 7 * 10 + 10);
    }

    // INT8 gradients point where the FP32 ones do at the head, and drift further with every layer
    // the error is propagated through: plain rounding drifts more than BP-UI8's clipped, stochastic one.
    void int8GradientsFollowFp32WithinBounds()
    {
        DatasetSplits data = testing::clusterSplits(64, 10, 64);
        std::vector<int> indices(64);
        std::iota(indices.begin(), indices.end(), 0);
        const std::vector<int> widths{64, 256, 256, 256, 256};
        CpuBackend backend(1);
        BpTrainer fp32(bpConfig(Algorithm::BpFp32, widths, 64), backend);
        BpTrainer int8(bpConfig(Algorithm::BpInt8, widths, 64), backend);
        BpTrainer ui8(bpConfig(Algorithm::BpUi8, widths, 64), backend);
        int8.setParameters(fp32.parameters());
        ui8.setParameters(fp32.parameters());
        auto reference = fp32.gradients(data.train, indices.data(), 64);
        auto plain = int8.gradients(data.train, indices.data(), 64);
        auto clipped = ui8.gradients(data.train, indices.data(), 64);
        std::vector<double> plainCos, clippedCos;
        for (size_t l = 0; l < reference.size(); ++l) {
            plainCos.push_back(cosine(plain[l], reference[l]));
            clippedCos.push_back(cosine(clipped[l], reference[l]));
            qInfo("layer %zu: cos(int8, fp32) %.4f   cos(ui8, fp32) %.4f", l, plainCos.back(), clippedCos.back());
        }
        const size_t head = reference.size() - 1;
        QVERIFY2(plainCos[head] > 0.99, "the head's INT8 gradient is one quantisation away from FP32");
        for (size_t l = 0; l < head; ++l)
            QVERIFY2(plainCos[l] > 0.5, "INT8 gradients still point roughly the right way");
        // Deviation compounds: the first layer's gradient is further from FP32 than the head's.
        QVERIFY(1.0 - plainCos[0] > 2.0 * (1.0 - plainCos[head]));
    }

    void clipSearchFindsTheKnownOptimum_data()
    {
        QTest::addColumn<int>("kind");
        QTest::newRow("equal magnitudes: no clipping") << 0;
        QTest::newRow("one outlier holding most of the energy: keep it") << 1;
        QTest::newRow("bulk near zero with a heavy tail") << 2;
    }

    // The search must return the candidate whose deviation, computed here independently, is least.
    void clipSearchFindsTheKnownOptimum()
    {
        QFETCH(int, kind);
        std::vector<float> x(4000);
        SplitMix64 rng(3);
        for (size_t i = 0; i < x.size(); ++i) {
            float sign = (i % 2) ? 1.0f : -1.0f;
            if (kind == 0)
                x[i] = 0.5f * sign;
            else if (kind == 1)
                x[i] = (i == 17) ? 1000.0f : sign * rng.uniform();
            else
                x[i] = sign * std::pow(rng.uniform(), 4.0f) * 10.0f;
        }
        ReferenceBackend backend;
        BpTrainer::Clip found = BpTrainer::searchClip(backend, x.data(), x.size(), 16);

        float top = 0;
        for (float v : x)
            top = std::max(top, std::abs(v));
        double bestDeviation = 1e9;
        float bestClip = 0;
        for (int k = 0; k < 16; ++k) {
            const float clip = top * std::exp2(-float(k) / 3.0f);
            const float scale = clip / 127.0f;
            double xq = 0, xx = 0, qq = 0;
            for (float v : x) {
                double q = std::nearbyint(std::clamp(double(v) / scale, -127.0, 127.0));
                xq += v * q;
                xx += double(v) * v;
                qq += q * q;
            }
            double deviation = 1.0 - xq / std::sqrt(xx * qq);
            if (deviation < bestDeviation - 1e-9) {
                bestDeviation = deviation;
                bestClip = clip;
            }
        }
        // Candidates whose deviations differ by less than float rounding are equally good.
        QVERIFY2(std::abs(found.deviation - bestDeviation) < 1e-6,
                 qPrintable(QString("found clip %1 (deviation %2), best %3 (deviation %4)")
                                .arg(found.value).arg(found.deviation).arg(bestClip).arg(bestDeviation)));
        if (kind == 0) {
            QCOMPARE(found.value, 0.5f); // every value lands exactly on +-127: deviation 0
            QVERIFY(found.deviation < 1e-6);
        }
        if (kind == 1)
            QCOMPARE(found.value, top); // clipping the outlier would turn the whole vector

    }
};

QTEST_APPLESS_MAIN(TestBpGradients)
#include "tst_bp_gradients.moc"
