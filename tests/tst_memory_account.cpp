// The engine's memory account against a count of the buffers each trainer needs, made here from
// the shapes alone: the same counters, counted the same way, for FF and BP.
#include "engine/backend/reference_backend.h"
#include "engine/train/bp_trainer.h"
#include "engine/train/ff_trainer.h"
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
        TrainConfig c;
        c.algorithm = Algorithm::FfFp32;
        c.layers = {64, 32, 32};
        c.batch = 4;
        c.epochs = 1;
        c.evalBatch = 50; // 500 rows: far above training's 8
        DatasetSplits data = testing::clusterSplits(16, 100, 64);
        ReferenceBackend backend;
        auto trainer = createTrainer(c, backend);
        const size_t resident = backend.memory().snapshot().total;
        RunSummary s = TrainingRun(*trainer, data).run();
        QCOMPARE(s.memory.total, resident);
        // Evaluation holds the embedded input (500 x 64) and three 500 x 64 buffers, among others.
        QVERIFY(s.memory.peakTotal >= resident + 500 * 64 * 4 * 4);
        QVERIFY(s.memory.peakOf(MemoryCategory::Workspace) > s.memory.currentOf(MemoryCategory::Workspace));
    }
};

QTEST_APPLESS_MAIN(TestMemoryAccount)
#include "tst_memory_account.moc"
