// The op-timing backend `ffint8 bench` splits steps with: every op reaches the wrapped backend (a
// training step through it gives the bits of one without it, for every method that trains a graph),
// each category gets the time of its ops, and the wrapper's memory account sees the trainer's tensors.
#include "engine/backend/op_timing_backend.h"
#include "engine/backend/reference_backend.h"
#include "engine/nn/model_spec.h"
#include "engine/train/trainer.h"
#include "support/synthetic_data.h"

#include <QtTest>
#include <chrono>
#include <numeric>

using namespace ffint8;

namespace {

DatasetSplits diagonals()
{
    return testing::patternSplits(
        "diagonals", 12, 32, 5, 0.8f, 0.2f, [](int label, int y, int x) { return (x + y) % 10 == label; }, 8);
}

TrainConfig graphConfig(Algorithm algorithm)
{
    TrainConfig c;
    c.algorithm = algorithm;
    // A small graph of every kind of op the paper's CNNs add: depthwise convolution, ReLU6, SiLU,
    // dropout, batch norm and an inverted residual's add.
    auto spec = std::make_shared<ModelSpec>();
    spec->name = "mobile-ops";
    spec->blocks.push_back({"stem", {NodeSpec::conv(8, 3, 1, 1), NodeSpec::batchNorm(), NodeSpec::relu6()}, false, true, {}});
    spec->blocks.push_back({"dw",
                            {NodeSpec::conv(8, 3, 1, 1, false, 8), NodeSpec::batchNorm(), NodeSpec::silu(),
                             NodeSpec::conv(8, 1), NodeSpec::batchNorm()},
                            true,
                            false,
                            {}});
    spec->blocks.push_back({"pool", {NodeSpec::globalAvgPool(), NodeSpec::dropout(0.2f)}, false, true, {}});
    c.model = spec->name;
    c.customModel = spec;
    c.inputShape = Shape::image(1, 12, 12);
    c.threads = 1;
    c.batch = 8;
    c.lambda.start = 0.05f; // FF's look-ahead pass too
    return c;
}

} // namespace

class TestOpTiming : public QObject
{
    Q_OBJECT

private slots:
    void stepsThroughTheWrapperAreTheSame_data()
    {
        QTest::addColumn<int>("algorithm");
        for (Algorithm a : {Algorithm::BpFp32, Algorithm::BpInt8, Algorithm::FfFp32, Algorithm::FfInt8})
            QTest::newRow(algorithmName(a)) << int(a);
    }
    void stepsThroughTheWrapperAreTheSame()
    {
        QFETCH(int, algorithm);
        const DatasetSplits data = diagonals();
        const TrainConfig c = graphConfig(Algorithm(algorithm));
        ReferenceBackend plainBackend, innerBackend;
        OpTimingBackend timing(innerBackend);
        std::unique_ptr<Trainer> plain = createTrainer(c, plainBackend);
        std::unique_ptr<Trainer> timed = createTrainer(c, timing);
        std::vector<int> indices(8);
        timing.reset(); // building the trainer uploaded its weights
        double wall = 0.0;
        for (int step = 0; step < 2; ++step) {
            std::iota(indices.begin(), indices.end(), step * 8);
            const StepStats a = plain->trainStep(data.train, indices.data(), 8);
            const auto start = std::chrono::steady_clock::now();
            const StepStats b = timed->trainStep(data.train, indices.data(), 8);
            wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            QCOMPARE(b.loss, a.loss);
        }
        QVERIFY(timing.totalSeconds() <= wall);
        std::vector<uint8_t> pa(8), pb(8);
        std::iota(indices.begin(), indices.end(), 0);
        QVERIFY(plain->predict(data.test, indices.data(), 8, pa.data(), nullptr));
        QVERIFY(timed->predict(data.test, indices.data(), 8, pb.data(), nullptr));
        QCOMPARE(pb, pa);
        // Every category the step must have used took time, and together no more than the steps.
        QVERIFY(timing.seconds(OpCategory::Gemm) > 0.0);
        QVERIFY(timing.seconds(OpCategory::Convolution) > 0.0);
        QVERIFY(timing.seconds(OpCategory::BatchNorm) > 0.0);
        QVERIFY(timing.seconds(OpCategory::Optimizer) > 0.0);
        QCOMPARE(timing.seconds(OpCategory::Quantisation) > 0.0, isInt8(Algorithm(algorithm)));
        QVERIFY(timing.totalSeconds() > 0.0);
        const MemorySnapshot wrapped = timing.memory().snapshot(), plainMemory = plainBackend.memory().snapshot();
        QCOMPARE(wrapped.peakTotal, plainMemory.peakTotal);
        QVERIFY(wrapped.peakTotal > 0);
        QCOMPARE(innerBackend.memory().snapshot().peakTotal, size_t(0)); // allocated through the wrapper
        timing.reset();
        QCOMPARE(timing.totalSeconds(), 0.0);
    }
};

QTEST_GUILESS_MAIN(TestOpTiming)
#include "tst_op_timing.moc"
