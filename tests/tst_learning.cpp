// Training learns: loss falls and accuracy rises far above chance within seconds, in FP32 and
// INT8; a diverging run stops as "diverged" and a cancelled one as "cancelled".
#include "engine/backend/cpu_backend.h"
#include "engine/core/error.h"
#include "engine/data/dataset.h"
#include "engine/train/training_run.h"
#include "support/synthetic_data.h"

#include <QtTest>

#include <algorithm>
#include <numeric>

using namespace ffint8;

class TestLearning : public QObject
{
    Q_OBJECT

    static TrainConfig smallConfig(Algorithm algo)
    {
        TrainConfig c;
        c.algorithm = algo;
        c.layers = {64, 100, 100};
        c.epochs = 3;
        c.batch = 32;
        c.metricsEvery = 10;
        c.lambda.perEpoch = 0.05f; // so that look-ahead is active from the second epoch of a short run
        return c;
    }

    // Trains `trainer` and cancels the run from the progress report for which `when` is true.
    static RunSummary runCancelledWhen(Trainer &trainer, const DatasetSplits &data,
                                       const std::function<bool(const ProgressMetrics &)> &when,
                                       std::function<void(const EpochMetrics &)> onEpoch = {})
    {
        TrainingRun run(trainer, data);
        RunCallbacks callbacks;
        callbacks.onProgress = [&](const ProgressMetrics &p) {
            if (when(p))
                run.cancel();
        };
        callbacks.onEpoch = std::move(onEpoch);
        run.setCallbacks(callbacks);
        return run.run();
    }

private slots:
    void learnsClusters_data()
    {
        QTest::addColumn<int>("algo");
        QTest::addColumn<bool>("master");
        QTest::addColumn<bool>("hardest");
        QTest::newRow("ff-fp32") << int(Algorithm::FfFp32) << true << false;
        QTest::newRow("ff-int8") << int(Algorithm::FfInt8) << true << false;
        QTest::newRow("ff-int8 without master weights") << int(Algorithm::FfInt8) << false << false;
        QTest::newRow("ff-int8 with hardest negatives") << int(Algorithm::FfInt8) << true << true;
    }

    void learnsClusters()
    {
        QFETCH(int, algo);
        QFETCH(bool, master);
        QFETCH(bool, hardest);
        TrainConfig c = smallConfig(Algorithm(algo));
        c.masterWeights = master;
        c.negatives = hardest ? NegativeLabels::Hardest : NegativeLabels::Random;
        DatasetSplits data = testing::clusterSplits(3000, 500, 64);
        CpuBackend backend(2);
        auto trainer = createTrainer(c, backend);
        std::vector<EpochMetrics> epochs;
        int progressReports = 0;
        RunCallbacks callbacks;
        callbacks.onEpoch = [&](const EpochMetrics &e) { epochs.push_back(e); };
        callbacks.onProgress = [&](const ProgressMetrics &p) {
            ++progressReports;
            QCOMPARE(int(p.layers.size()), 2);
        };
        RunSummary s = TrainingRun(*trainer, data, callbacks).run();
        QCOMPARE(int(s.status), int(RunStatus::Completed));
        QCOMPARE(int(epochs.size()), 3);
        // Hardest negatives get harder as the network improves, so their loss falls more slowly.
        const double fall = hardest ? 0.9 : 0.8;
        QVERIFY2(epochs.back().trainLoss < fall * epochs.front().trainLoss,
                 qPrintable(QString("loss %1 -> %2").arg(epochs.front().trainLoss).arg(epochs.back().trainLoss)));
        QVERIFY2(s.testAccuracy > 0.8, qPrintable(QString("test accuracy %1").arg(s.testAccuracy)));
        // Goodness separates: positive data above negative data in every layer.
        for (const auto &l : epochs.back().layers)
            QVERIFY(l.goodnessPos > l.goodnessNeg);
        QCOMPARE(progressReports, 3 * 10); // 94 batches per epoch: 9 full windows and the epoch's end
        QVERIFY(s.memory.peakTotal > 0);
        QVERIFY(epochs[1].lambda > 0.0f);
    }

    // INT8 products are exact on every path (cpu_int8_path.h), and the element-wise ops split rows the
    // same way at any thread count: an INT8 run is bit-identical on every path the CPU can take.
    void int8TrainingIsTheSameOnEveryPath_data()
    {
        QTest::addColumn<int>("algo");
        QTest::newRow("ff-int8") << int(Algorithm::FfInt8);
        QTest::newRow("bp-int8") << int(Algorithm::BpInt8);
        QTest::newRow("bp-ui8") << int(Algorithm::BpUi8);
    }

    void int8TrainingIsTheSameOnEveryPath()
    {
        QFETCH(int, algo);
        TrainConfig c = smallConfig(Algorithm(algo));
        c.epochs = 2;
        if (!isForwardForward(c.algorithm))
            c.lr = 0.001f;
        const DatasetSplits data = testing::clusterSplits(1000, 300, 64);
        std::vector<LayerParameters> initial;
        auto train = [&](CpuInt8Path path, int threads) {
            CpuBackend backend(threads, path);
            auto trainer = createTrainer(c, backend);
            initial = trainer->parameters();
            const RunSummary s = TrainingRun(*trainer, data).run();
            return std::make_pair(s.testAccuracy, trainer->parameters());
        };
        const auto baseline = train(CpuInt8Path::Portable, 1);
        QVERIFY(baseline.second.front().weights != initial.front().weights); // it trained
        int compared = 0;
        for (CpuInt8Path path : allInt8Paths()) {
            if (!int8PathUnavailableReason(path).empty())
                continue;
            const auto other = train(path, 2);
            QCOMPARE(other.first, baseline.first);
            QCOMPARE(other.second.size(), baseline.second.size());
            for (size_t l = 0; l < other.second.size(); ++l) {
                QVERIFY2(other.second[l].weights == baseline.second[l].weights, int8PathName(path));
                QVERIFY2(other.second[l].bias == baseline.second[l].bias, int8PathName(path));
            }
            ++compared;
        }
        QVERIFY(compared >= 2); // portable and at least this CPU's best
    }

    // The real dataset, where installed: a few thousand images are enough to be far above chance.
    void learnsFashionMnist()
    {
        DatasetSplits data;
        try {
            data = loadDataset("fashion-mnist", datasetSearchPaths());
        } catch (const EngineError &e) {
            QSKIP(e.what());
        }
        truncateDataset(data.train, 30000);
        truncateDataset(data.test, 1000);
        for (Algorithm algo : {Algorithm::FfFp32, Algorithm::FfInt8}) {
            TrainConfig c;
            c.algorithm = algo;
            c.layers = {784, 200, 200};
            c.epochs = 1;
            CpuBackend backend(2);
            auto trainer = createTrainer(c, backend);
            RunSummary s = TrainingRun(*trainer, data).run();
            qInfo("%s: %.3f after one epoch of 30000 images", algorithmName(algo), s.testAccuracy);
            QVERIFY2(s.testAccuracy > 0.4, qPrintable(QString("%1: %2").arg(algorithmName(algo)).arg(s.testAccuracy)));
        }
    }

    // The BP baselines learn the same data with their softmax head.
    void bpLearnsClusters_data()
    {
        QTest::addColumn<int>("algo");
        QTest::newRow("bp-fp32") << int(Algorithm::BpFp32);
        QTest::newRow("bp-int8") << int(Algorithm::BpInt8);
        QTest::newRow("bp-ui8") << int(Algorithm::BpUi8);
    }

    void bpLearnsClusters()
    {
        QFETCH(int, algo);
        TrainConfig c = smallConfig(Algorithm(algo));
        c.lr = 0.003f;
        DatasetSplits data = testing::clusterSplits(3000, 500, 64);
        CpuBackend backend(2);
        auto trainer = createTrainer(c, backend);
        std::vector<EpochMetrics> epochs;
        RunCallbacks callbacks;
        callbacks.onEpoch = [&](const EpochMetrics &e) { epochs.push_back(e); };
        RunSummary s = TrainingRun(*trainer, data, callbacks).run();
        QCOMPARE(int(s.status), int(RunStatus::Completed));
        QVERIFY(epochs.back().trainLoss < 0.5 * epochs.front().trainLoss);
        QVERIFY2(s.testAccuracy > 0.9, qPrintable(QString("test accuracy %1").arg(s.testAccuracy)));
        for (const auto &l : epochs.back().layers)
            QVERIFY(l.gradNorm > 0);
        if (algo != int(Algorithm::BpFp32))
            QVERIFY(epochs.back().layers[0].deviation > 0);
    }

    void divergenceStopsTheRun()
    {
        TrainConfig c = smallConfig(Algorithm::FfFp32);
        c.optimizer = OptimizerKind::Sgd;
        c.lr = 1e30f;
        DatasetSplits data = testing::clusterSplits(500, 100, 64);
        CpuBackend backend(1);
        auto trainer = createTrainer(c, backend);
        RunSummary s = TrainingRun(*trainer, data).run();
        QCOMPARE(int(s.status), int(RunStatus::Diverged));
        QVERIFY2(QString::fromStdString(s.message).contains("NaN or infinite"), s.message.c_str());
        QCOMPARE(s.epochsCompleted, 0);
    }

    void cancelStopsAfterTheCurrentBatch()
    {
        TrainConfig c = smallConfig(Algorithm::FfInt8);
        c.metricsEvery = 5;
        DatasetSplits data = testing::clusterSplits(2000, 100, 64);
        CpuBackend backend(1);
        auto trainer = createTrainer(c, backend);
        int reports = 0;
        RunSummary s = runCancelledWhen(*trainer, data, [&](const ProgressMetrics &) { return ++reports == 2; });
        QCOMPARE(int(s.status), int(RunStatus::Cancelled));
        QVERIFY2(QString::fromStdString(s.message).contains("after 10 of"), s.message.c_str());
    }

    // A stop that arrives once an epoch's batches are done ends the evaluation at the trainer's next
    // chunk: the epoch is not reported, and its training time still counts.
    void cancelStopsTheEvaluation()
    {
        TrainConfig c = smallConfig(Algorithm::FfInt8);
        c.epochs = 2;
        DatasetSplits data = testing::clusterSplits(200, 3000, 64);
        CpuBackend backend(1);
        auto trainer = createTrainer(c, backend);
        const int batches = (data.train.count + c.batch - 1) / c.batch;
        int epochsReported = 0;
        // The epoch's last progress report: evaluation comes next.
        RunSummary s = runCancelledWhen(*trainer, data, [&](const ProgressMetrics &p) { return p.batch == batches; },
                                        [&](const EpochMetrics &) { ++epochsReported; });
        QCOMPARE(int(s.status), int(RunStatus::Cancelled));
        QVERIFY2(QString::fromStdString(s.message).contains("while it was being evaluated"), s.message.c_str());
        QCOMPARE(epochsReported, 0);
        QCOMPARE(s.epochsCompleted, 0);
        QVERIFY(s.trainSeconds > 0.0);

        // A flag that stays false changes nothing; one already set stops before the first chunk.
        std::atomic<bool> never{false}, already{true};
        const double whole = TrainingRun::accuracy(*trainer, data.test);
        QCOMPARE(TrainingRun::accuracy(*trainer, data.test, &never), whole);
        QVERIFY(std::isnan(TrainingRun::accuracy(*trainer, data.test, &already)));
        std::vector<int> indices(size_t(data.test.count));
        std::iota(indices.begin(), indices.end(), 0);
        std::vector<uint8_t> predictions(indices.size(), 255);
        QVERIFY(!trainer->predict(data.test, indices.data(), data.test.count, predictions.data(), &already));
        QCOMPARE(int(std::count(predictions.begin(), predictions.end(), uint8_t(255))), data.test.count);
    }
};

QTEST_APPLESS_MAIN(TestLearning)
#include "tst_learning.moc"
