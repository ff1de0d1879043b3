// Quantisers: error bounds, unbiased stochastic rounding, saturation, seeding, and their record.
#include "engine/backend/reference_backend.h"
#include "engine/core/bf16.h"
#include "engine/core/counter_rng.h"
#include "engine/train/ff_trainer.h"

#include <QtTest>

#include <cmath>
#include <cstring>

using namespace ffint8;

class TestQuantiser : public QObject
{
    Q_OBJECT

private:
    ReferenceBackend m_backend;

    struct Result
    {
        std::vector<int8_t> q;
        std::vector<float> scales;
    };

    Result quantise(const std::vector<float> &x, int rows, int cols, bool perRow, Rounding rounding, uint64_t seed = 1,
                    uint64_t counter = 0)
    {
        Result r{std::vector<int8_t>(x.size()), std::vector<float>(size_t(perRow ? rows : 1))};
        QuantiseArgs a;
        a.x = x.data();
        a.rows = rows;
        a.cols = cols;
        a.perRow = perRow;
        a.rounding = rounding;
        a.seed = seed;
        a.counter = counter;
        a.q = r.q.data();
        a.scales = r.scales.data();
        m_backend.quantise(a);
        return r;
    }

    static std::vector<float> randomValues(size_t n, uint64_t seed, float spread)
    {
        SplitMix64 rng(seed);
        std::vector<float> v(n);
        for (float &x : v)
            x = (2.0f * rng.uniform() - 1.0f) * spread;
        return v;
    }

private slots:
    void errorBound_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<bool>("perRow");
        QTest::addColumn<bool>("stochastic");
        for (bool perRow : {false, true})
            for (bool stochastic : {false, true}) {
                QByteArray tag = QByteArray(perRow ? "per-row" : "per-tensor") + (stochastic ? " stochastic" : " nearest");
                QTest::newRow(tag + " 1x1") << 1 << 1 << perRow << stochastic;
                QTest::newRow(tag + " 13x257") << 13 << 257 << perRow << stochastic;
                QTest::newRow(tag + " 64x1000") << 64 << 1000 << perRow << stochastic;
            }
    }

    // Nearest rounding is off by at most half a step, stochastic by less than a whole one.
    void errorBound()
    {
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(bool, perRow);
        QFETCH(bool, stochastic);
        std::vector<float> x = randomValues(size_t(rows) * cols, 3, 5.0f);
        Result r = quantise(x, rows, cols, perRow, stochastic ? Rounding::Stochastic : Rounding::Nearest);
        for (int i = 0; i < rows; ++i) {
            float s = r.scales[perRow ? size_t(i) : 0];
            QVERIFY(s > 0);
            for (int c = 0; c < cols; ++c) {
                size_t k = size_t(i) * cols + c;
                float error = std::abs(x[k] - float(r.q[k]) * s);
                float bound = stochastic ? s : 0.5f * s;
                QVERIFY2(error <= bound * (1.0f + 1e-5f),
                         qPrintable(QString("x %1 q %2 scale %3 error %4 > %5").arg(x[k]).arg(r.q[k]).arg(s).arg(error).arg(bound)));
                QVERIFY(r.q[k] >= -127 && r.q[k] <= 127);
            }
        }
    }

    // The expected value of a stochastically rounded number is the number itself.
    void stochasticRoundingIsUnbiased()
    {
        // One fixed scale (max 127 -> scale 1) and values between the grid points.
        const std::vector<float> probes{0.1f, 0.5f, -0.25f, 3.7f, -12.93f, 126.6f};
        const int draws = 20000;
        std::vector<float> x(size_t(draws) * (probes.size() + 1));
        for (int d = 0; d < draws; ++d) {
            x[size_t(d) * (probes.size() + 1)] = 127.0f;
            for (size_t p = 0; p < probes.size(); ++p)
                x[size_t(d) * (probes.size() + 1) + 1 + p] = probes[p];
        }
        Result r = quantise(x, draws, int(probes.size() + 1), false, Rounding::Stochastic, 99);
        QCOMPARE(r.scales[0], 1.0f);
        for (size_t p = 0; p < probes.size(); ++p) {
            double sum = 0;
            for (int d = 0; d < draws; ++d)
                sum += r.q[size_t(d) * (probes.size() + 1) + 1 + p];
            double mean = sum / draws;
            // A Bernoulli rounding has variance <= 1/4: four standard errors is 4 * 0.5 / sqrt(draws).
            double tolerance = 4.0 * 0.5 / std::sqrt(double(draws));
            QVERIFY2(std::abs(mean - probes[p]) < tolerance,
                     qPrintable(QString("mean of rounded %1 is %2").arg(probes[p]).arg(mean)));
        }
        // Nearest rounding of the same values is biased (that is why FF-INT8 uses stochastic rounding).
        Result n = quantise(x, draws, int(probes.size() + 1), false, Rounding::Nearest);
        QCOMPARE(int(n.q[1]), 0); // 0.1 always rounds to 0
    }

    void saturatesAtPlusMinus127()
    {
        // The largest magnitude maps exactly to +-127 and nothing reaches -128.
        std::vector<float> x{-4.0f, 4.0f, -3.99999f, 0.0f};
        for (auto rounding : {Rounding::Nearest, Rounding::Stochastic}) {
            Result r = quantise(x, 1, 4, false, rounding);
            QCOMPARE(int(r.q[0]), -127);
            QCOMPARE(int(r.q[1]), 127);
            QVERIFY(r.q[2] >= -127);
        }
        // With column factors the scale follows the scaled values, so they saturate the same way.
        std::vector<float> f{1.0f, 0.5f, 2.0f, 1.0f};
        std::vector<int8_t> q(4);
        float scale = 0;
        QuantiseArgs a;
        a.x = x.data();
        a.rows = 1;
        a.cols = 4;
        a.columnFactors = f.data();
        a.q = q.data();
        a.scales = &scale;
        m_backend.quantise(a);
        QCOMPARE(scale, 8.0f / 127.0f);
        QCOMPARE(int(q[2]), -127);
    }

    void zeroTensorStaysZero()
    {
        std::vector<float> x(20, 0.0f);
        Result r = quantise(x, 4, 5, true, Rounding::Stochastic);
        for (int8_t v : r.q)
            QCOMPARE(int(v), 0);
        for (float s : r.scales)
            QCOMPARE(s, 1.0f);
    }

    void seededAndReproducible()
    {
        std::vector<float> x = randomValues(4096, 5, 1.0f);
        Result a = quantise(x, 64, 64, false, Rounding::Stochastic, 7, 100);
        Result b = quantise(x, 64, 64, false, Rounding::Stochastic, 7, 100);
        Result c = quantise(x, 64, 64, false, Rounding::Stochastic, 8, 100);
        Result d = quantise(x, 64, 64, false, Rounding::Stochastic, 7, 5000);
        QVERIFY(a.q == b.q);
        QVERIFY(a.q != c.q);
        QVERIFY(a.q != d.q);
    }

    // Every INT8 run records its quantisers; FP32 runs have none.
    void trainerRecordsQuantisers()
    {
        TrainConfig config;
        config.layers = {20, 8, 8};
        config.batch = 4;
        config.algorithm = Algorithm::FfInt8;
        config.quant.weightsPerChannel = false;
        FfTrainer int8(config, m_backend);
        auto q = int8.quantisers();
        QCOMPARE(q.size(), size_t(3));
        QCOMPARE(QString::fromStdString(q[0].tensor), QString("activations"));
        QCOMPARE(QString::fromStdString(q[0].rounding), QString("stochastic"));
        QCOMPARE(QString::fromStdString(q[1].granularity), QString("per-tensor"));
        QCOMPARE(QString::fromStdString(q[2].tensor), QString("output_gradients"));
        QCOMPARE(QString::fromStdString(q[0].codes), QString("0..127"));
        QCOMPARE(QString::fromStdString(q[1].codes), QString("-127..127"));
        QCOMPARE(QString::fromStdString(q[2].codes), QString("-127..127"));
        config.algorithm = Algorithm::FfFp32;
        FfTrainer fp32(config, m_backend);
        QVERIFY(fp32.quantisers().empty());
    }

    // What the recorded "0..127" of activations rests on: non-negative values quantise to non-negative
    // codes in both rounding modes (symmetric scales keep the sign; floor(v + u) >= 0 for v >= 0).
    void nonNegativeValuesGiveNonNegativeCodes()
    {
        const int rows = 16, cols = 257;
        std::vector<float> x(size_t(rows) * cols);
        SplitMix64 rng(3);
        for (size_t i = 0; i < x.size(); ++i)
            x[i] = i % 7 == 0 ? 0.0f : rng.uniform() * 5.0f;
        for (Rounding rounding : {Rounding::Nearest, Rounding::Stochastic}) {
            for (bool perRow : {false, true}) {
                const std::vector<int8_t> q = quantise(x, rows, cols, perRow, rounding, 9).q;
                QVERIFY(*std::min_element(q.begin(), q.end()) >= 0);
                QCOMPARE(int(*std::max_element(q.begin(), q.end())), 127);
            }
        }
    }

    // BF16 optimizer state: stochastic rounding lands on one of the two neighbours and is right on
    // average; representable values, infinities and NaN come through.
    void bf16StochasticRoundingIsUnbiased()
    {
        for (float x : {1.0f + 0.3f / 128.0f, -3.7e-5f, 123.456f, 7.3e-12f}) {
            uint32_t bits;
            std::memcpy(&bits, &x, sizeof bits);
            const float down = bf16ToFloat(uint16_t(bits >> 16));
            const float up = bf16ToFloat(uint16_t((bits >> 16) + 1)); // the next magnitude, same sign
            const int n = 200000;
            double sum = 0.0;
            for (int i = 0; i < n; ++i) {
                float r = bf16ToFloat(floatToBf16Stochastic(x, counterHash(3, uint64_t(i))));
                QVERIFY2(r == down || r == up, qPrintable(QString("%1 rounded to %2").arg(x).arg(r)));
                sum += r;
            }
            // The mean of n draws is within 5 standard deviations of x (the spread is below |up - down| / 2).
            const double tolerance = 5.0 * std::abs(double(up) - down) / 2.0 / std::sqrt(double(n));
            QVERIFY2(std::abs(sum / n - x) < tolerance, qPrintable(QString("mean %1 of %2").arg(sum / n).arg(x)));
        }
        for (float exact : {0.0f, 1.0f, -2.5f, 0.15625f})
            QCOMPARE(bf16ToFloat(floatToBf16Stochastic(exact, 0xFFFFu)), exact);
        QVERIFY(std::isinf(bf16ToFloat(floatToBf16Stochastic(INFINITY, 0xFFFFu))));
        QVERIFY(std::isnan(bf16ToFloat(floatToBf16Stochastic(NAN, 0u))));
    }

    // Why the rounding is stochastic: with no gradient, Adam's second moment decays by 0.1 % a step,
    // far below BF16's resolution (0.4 %). Rounded to nearest it would never move; stochastically it
    // follows beta2^t on average. Checked through the backend's update over a row of 512 moments.
    void bf16SecondMomentDecaysOnAverage()
    {
        const int cols = 512, steps = 2000;
        std::vector<float> w(cols, 0.5f), g(cols, 0.0f);
        std::vector<uint16_t> m(cols, 0), v(cols, 0x3F80); // v = 1.0
        for (int t = 1; t <= steps; ++t) {
            UpdateArgs u;
            u.rows = 1;
            u.cols = cols;
            u.master = w.data();
            u.grad.f32 = g.data();
            u.state1Bf16 = m.data();
            u.state2Bf16 = v.data();
            u.optimizer = OptimizerKind::Adam;
            u.lr = 1e-3f;
            u.step = t;
            u.seed = 11;
            u.counter = uint64_t(t) * cols;
            m_backend.updateParameters(u);
        }
        double mean = 0.0;
        for (uint16_t h : v)
            mean += bf16ToFloat(h) / cols;
        const double expected = std::pow(0.999, steps); // 0.135
        QVERIFY2(std::abs(mean - expected) < 0.05 * expected,
                 qPrintable(QString("mean second moment %1, expected %2").arg(mean).arg(expected)));
    }
};

QTEST_APPLESS_MAIN(TestQuantiser)
#include "tst_quantiser.moc"
