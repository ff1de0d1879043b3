// The engine's memory account against a count of the buffers each trainer needs, made here from
// the shapes alone: the same counters, counted the same way, for FF and BP.
#include "engine/backend/reference_backend.h"
#include "engine/train/bp_trainer.h"
#include "engine/train/ff_trainer.h"
#include "engine/train/memory_estimate.h"
#include "engine/train/training_run.h"
#include "support/synthetic_data.h"

#include <QtTest>

using namespace ffint8;

namespace {

using Counts = std::array<size_t, size_t(MemoryCategory::Count)>;
size_t &at(Counts &c, MemoryCategory k) { return c[size_t(k)]; }

void compare(const MemorySnapshot &s, const Counts &expected)
{
    for (size_t i = 0; i < expected.size(); ++i)
        QVERIFY2(s.current[i] == expected[i], qPrintable(QString("%1: account %2, expected %3")
                                                             .arg(memoryCategoryName(MemoryCategory(i)))
                                                             .arg(s.current[i])
                                                             .arg(expected[i])));
}

// One epoch of an FF run on clusters; `resident` is what the trainer held before it.
RunSummary runFf(Algorithm algorithm, int batch, int evalBatch, size_t &resident)
{
    TrainConfig c;
    c.algorithm = algorithm;
    c.layers = {64, 32, 32};
    c.batch = batch;
    c.epochs = 1;
    c.evalBatch = evalBatch;
    DatasetSplits data = testing::clusterSplits(16, 100, 64);
    ReferenceBackend backend;
    auto trainer = createTrainer(c, backend);
    resident = backend.memory().snapshot().total;
    return TrainingRun(*trainer, data).run();
}

} // namespace

class TestMemoryAccount : public QObject
{
    Q_OBJECT

private slots:
    void ffInt8MatchesItsBuffers()
    {
        TrainConfig c;
        c.algorithm = Algorithm::FfInt8;
        c.layers = {20, 8, 6};
        c.batch = 4;
        ReferenceBackend backend;
        {
            FfTrainer trainer(c, backend);
            const size_t rows = 8, f = 4; // positive and negative rows; bytes per float
            Counts e{};
            size_t maxParams = 0;
            for (auto [in, out] : {std::pair{20, 8}, std::pair{8, 6}}) {
                at(e, MemoryCategory::MasterWeights) += size_t(out) * in * f;
                at(e, MemoryCategory::Weights) += size_t(out) * in + out * f + out * f; // INT8, scales, bias
                at(e, MemoryCategory::OptimizerState) += 2 * (size_t(out) * in + out) * f; // Adam's two moments
                at(e, MemoryCategory::Activations) += rows * in * f + rows * f + rows * in + f // input, norms, INT8 input, scale
                                                      + rows * out * f + 2 * rows * f;          // output, goodness, loss
                at(e, MemoryCategory::Gradients) += rows * out * f;                             // dL_i/dy_i
                maxParams = std::max(maxParams, size_t(in) * out);
            }
            at(e, MemoryCategory::Activations) += rows * 20 * f; // the embedded batch
            at(e, MemoryCategory::Gradients) += maxParams * 4 + 8 * f + f // one shared weight gradient (INT32), bias, scale
                                                + 4 * rows * 20 * f;      // look-ahead chain buffers at the widest width
            at(e, MemoryCategory::Workspace) += rows * 20 * 4 + rows * 20 + f; // accumulators, quantised gradient, scale
            compare(backend.memory().snapshot(), e);
        }
        // Everything is given back.
        QCOMPARE(backend.memory().snapshot().total, size_t(0));
    }

    // The low-memory FF-INT8: no master copy, BF16 moments (2 bytes each, counted as such) and a
    // weight gradient of 3 rows shared by every layer.
    void ffInt8LowMemoryMatchesItsBuffers()
    {
        TrainConfig c;
        c.algorithm = Algorithm::FfInt8;
        c.layers = {20, 8, 6};
        c.batch = 4;
        c.masterWeights = false;
        c.optimizerState = StateFormat::Bf16;
        c.gradientBlockRows = 3;
        ReferenceBackend backend;
        FfTrainer trainer(c, backend);
        const size_t rows = 8, f = 4, bf16 = 2;
        Counts e{};
        for (auto [in, out] : {std::pair{20, 8}, std::pair{8, 6}}) {
            at(e, MemoryCategory::Weights) += size_t(out) * in + out * f + out * f;    // INT8, scales, bias
            at(e, MemoryCategory::OptimizerState) += 2 * size_t(out) * in * bf16    // the weights' two moments
                                                     + 2 * size_t(out) * f;         // the bias's, in FP32
            at(e, MemoryCategory::Activations) += rows * in * f + rows * f + rows * in + f + rows * out * f + 2 * rows * f;
            at(e, MemoryCategory::Gradients) += rows * out * f;
        }
        at(e, MemoryCategory::Activations) += rows * 20 * f;
        at(e, MemoryCategory::Gradients) += 3 * 20 * 4 + 8 * f + f // 3 rows of the widest input (INT32), bias, scale
                                            + 4 * rows * 20 * f;
        // Accumulators, the quantised gradient and its scale, and with blocks the gradient and the
        // input transposed for the blocks' GEMMs (two rows x widest S8 buffers).
        at(e, MemoryCategory::Workspace) += rows * 20 * 4 + rows * 20 + f + 2 * rows * 20;
        compare(backend.memory().snapshot(), e);
    }

    // Evaluation that fits in a training step's rows runs in the training buffers: the peak of a
    // whole run (training and evaluation) is then what the trainer holds, nothing more.
    void evaluationInTrainingBuffersAddsNothing()
    {
        size_t resident = 0;
        RunSummary s = runFf(Algorithm::FfInt8, 5, 1, resident); // 10 evaluation rows, the 10 of a training step
        QCOMPARE(s.memory.total, resident);
        QCOMPARE(s.memory.peakTotal, resident);
        QVERIFY(s.testAccuracy >= 0.0); // it did evaluate
    }

    void bpFp32MatchesItsBuffers()
    {
        TrainConfig c;
        c.algorithm = Algorithm::BpFp32;
        c.layers = {20, 8, 6};
        c.batch = 4;
        c.optimizer = OptimizerKind::Sgd;
        c.momentum = 0.9f;
        ReferenceBackend backend;
        BpTrainer trainer(c, backend);
        const size_t rows = 4, f = 4;
        Counts e{};
        for (auto [in, out] : {std::pair{20, 8}, std::pair{8, 6}, std::pair{6, 10}}) {
            at(e, MemoryCategory::Weights) += (size_t(out) * in + out) * f;
            at(e, MemoryCategory::OptimizerState) += (size_t(out) * in + out) * f; // one momentum buffer
            at(e, MemoryCategory::Activations) += rows * out * f;                   // every layer's output is kept
            at(e, MemoryCategory::Gradients) += (size_t(out) * in + out) * f + f;   // every layer's gradient at once
        }
        at(e, MemoryCategory::Activations) += rows * 20 * f;       // the input batch
        at(e, MemoryCategory::Gradients) += 2 * rows * 20 * f;     // output gradients, ping-pong at the widest width
        at(e, MemoryCategory::Workspace) += f + rows * 4 + rows * f; // scale, labels, per-row loss
        compare(backend.memory().snapshot(), e);
    }

    // The peak covers what a run allocates only for a while (evaluation scratch), and only that.
    void peakIncludesEvaluationScratch()
    {
        size_t resident = 0;
        RunSummary s = runFf(Algorithm::FfFp32, 4, 50, resident); // 500 evaluation rows: far above training's 8
        QCOMPARE(s.memory.total, resident);
        // Evaluation holds the embedded input (500 x 64) and three 500 x 64 buffers, among others.
        QVERIFY(s.memory.peakTotal >= resident + 500 * 64 * 4 * 4);
        QVERIFY(s.memory.peakOf(MemoryCategory::Workspace) > s.memory.currentOf(MemoryCategory::Workspace));
    }

    // The estimate made before allocating (a trainer taken through a step and an evaluation chunk
    // on the counting backend) is a real run's peak on the reference backend.
    void estimateIsWhatTheTrainerHolds_data()
    {
        QTest::addColumn<int>("algo");
        QTest::addColumn<bool>("master");
        QTest::newRow("ff-int8") << int(Algorithm::FfInt8) << false;
        QTest::newRow("ff-int8 with master weights") << int(Algorithm::FfInt8) << true;
        QTest::newRow("ff-fp32") << int(Algorithm::FfFp32) << true;
        QTest::newRow("bp-fp32") << int(Algorithm::BpFp32) << true;
        QTest::newRow("bp-int8") << int(Algorithm::BpInt8) << true;
        QTest::newRow("bp-ui8") << int(Algorithm::BpUi8) << true;
    }

    void estimateIsWhatTheTrainerHolds()
    {
        QFETCH(int, algo);
        QFETCH(bool, master);
        TrainConfig c;
        c.algorithm = Algorithm(algo);
        c.layers = {64, 120, 80};
        c.batch = 16;
        c.epochs = 1;
        c.evalBatch = 8;
        c.masterWeights = master;
        const size_t estimate = estimateTrainerBytes(c);
        ReferenceBackend backend;
        auto trainer = createTrainer(c, backend);
        const DatasetSplits data = testing::clusterSplits(64, 40, 64);
        const RunSummary s = TrainingRun(*trainer, data).run();
        QCOMPARE(int(s.status), int(RunStatus::Completed));
        QCOMPARE(estimate, s.memory.peakTotal);
    }
};

QTEST_APPLESS_MAIN(TestMemoryAccount)
#include "tst_memory_account.moc"
