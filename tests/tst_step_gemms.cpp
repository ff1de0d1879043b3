// stepGemms() against the GEMM calls the trainers really make in one training step, recorded by a
// backend that passes every op on to the reference arithmetic: the shapes `ffint8 bench` times must
// be the ones training runs.
#include "engine/backend/reference_backend.h"
#include "engine/train/bp_trainer.h"
#include "engine/train/ff_trainer.h"
#include "engine/train/step_gemms.h"
#include "support/recording_backend.h"
#include "support/synthetic_data.h"

#include <QtTest>

using namespace ffint8;
using ffint8::testing::Call;
using ffint8::testing::RecordingBackend;
using ffint8::testing::describe;

namespace {

std::vector<Call> expand(const std::vector<StepGemm> &gemms)
{
    std::vector<Call> calls;
    for (const StepGemm &g : gemms)
        for (int i = 0; i < g.repeats; ++i)
            calls.push_back({g.ta, g.tb, g.m, g.n, g.k, g.lda, g.ldb, g.int8});
    return calls;
}

void compareCalls(const std::vector<Call> &recorded, const std::vector<Call> &predicted)
{
    QStringList r, p;
    for (const Call &c : recorded)
        r << describe(c);
    for (const Call &c : predicted)
        p << describe(c);
    QCOMPARE(p, r);
}

TrainConfig smallConfig(Algorithm algorithm)
{
    TrainConfig c;
    c.algorithm = algorithm;
    c.layers = {40, 8, 6, 5};
    c.batch = 4;
    c.evalBatch = 3;
    c.epochs = 3;
    return c;
}

} // namespace

class TestStepGemms : public QObject
{
    Q_OBJECT

private slots:
    void forwardForwardStep_data()
    {
        QTest::addColumn<int>("algorithm");
        QTest::addColumn<bool>("lookahead");
        QTest::addColumn<int>("epoch");
        QTest::addColumn<int>("blockRows");
        QTest::addColumn<bool>("hardest");
        QTest::newRow("ff-int8, look-ahead on, blocks of 3 rows") << int(Algorithm::FfInt8) << true << 2 << 3 << false;
        // lambda starts at 0: the first epoch has no backward chain.
        QTest::newRow("ff-int8, epoch 1 (lambda 0)") << int(Algorithm::FfInt8) << true << 0 << 0 << false;
        QTest::newRow("ff-fp32, look-ahead off") << int(Algorithm::FfFp32) << false << 2 << 0 << false;
        QTest::newRow("ff-int8, hardest negatives") << int(Algorithm::FfInt8) << true << 1 << 4 << true;
    }

    void forwardForwardStep()
    {
        QFETCH(int, algorithm);
        QFETCH(bool, lookahead);
        QFETCH(int, epoch);
        QFETCH(int, blockRows);
        QFETCH(bool, hardest);
        TrainConfig c = smallConfig(Algorithm(algorithm));
        c.lambda.enabled = lookahead;
        c.lambda.perEpoch = 0.05f;
        c.gradientBlockRows = blockRows;
        c.negatives = hardest ? NegativeLabels::Hardest : NegativeLabels::Random;
        const Dataset data = testing::clusters(12, c.layers[0], 7);
        RecordingBackend backend;
        FfTrainer trainer(c, backend);
        trainer.beginEpoch(epoch);
        const int indices[] = {0, 1, 2, 3};
        backend.calls.clear();
        trainer.trainStep(data, indices, c.batch);
        QVERIFY(!backend.calls.empty());
        compareCalls(backend.calls, expand(stepGemms(c, epoch)));
    }

    void backpropagationStep_data()
    {
        QTest::addColumn<int>("algorithm");
        QTest::newRow("bp-fp32") << int(Algorithm::BpFp32);
        QTest::newRow("bp-int8") << int(Algorithm::BpInt8);
        QTest::newRow("bp-ui8") << int(Algorithm::BpUi8);
    }

    void backpropagationStep()
    {
        QFETCH(int, algorithm);
        TrainConfig c = smallConfig(Algorithm(algorithm));
        const Dataset data = testing::clusters(12, c.layers[0], 7);
        RecordingBackend backend;
        BpTrainer trainer(c, backend);
        trainer.beginEpoch(0);
        const int indices[] = {0, 1, 2, 3};
        backend.calls.clear();
        trainer.trainStep(data, indices, c.batch);
        QVERIFY(!backend.calls.empty());
        compareCalls(backend.calls, expand(stepGemms(c, 0)));
    }

    void multiplyAddsPerStep()
    {
        // An independent count for the paper's MLP: FF-INT8 with look-ahead multiplies 2 x 32 rows
        // forward and for the weight gradient in both layers, and for the input gradient of layer 1.
        TrainConfig c;
        c.algorithm = Algorithm::FfInt8;
        c.layers = {784, 1000, 1000};
        c.batch = 32;
        c.gradientBlockRows = 128;
        double macs = 0;
        for (const StepGemm &g : stepGemms(c, 10))
            macs += double(g.m) * g.n * g.k * g.repeats;
        const double rows = 64, l0 = 784.0 * 1000, l1 = 1000.0 * 1000;
        QCOMPARE(macs, rows * (2 * l0 + 3 * l1));
    }
};

QTEST_GUILESS_MAIN(TestStepGemms)
#include "tst_step_gemms.moc"
