// The learning-rate schedule: its curve, the factor every trainer applies to its steps, the training
// loop that sets it, and the setting in specs and flags.
#include "app/cli/command_line.h"
#include "app/spec/experiment_spec.h"
#include "engine/backend/backend_factory.h"
#include "engine/train/training_run.h"
#include "support/exception_message.h"
#include "support/forwarding_trainer.h"
#include "support/learned_values.h"
#include "support/synthetic_data.h"

#include <QtTest>
#include <cmath>

using namespace ffint8;
using ffint8::testing::LearnedValues;
using ffint8::testing::learnedValues;
using ffint8::testing::messageOf;

namespace {

// Wraps a real trainer and keeps the learning-rate factor the loop set before each step.
class FactorRecorder final : public ffint8::testing::ForwardingTrainer
{
public:
    using ForwardingTrainer::ForwardingTrainer;
    std::vector<float> factors;

    StepStats trainStep(const Dataset &data, const int *indices, int count) override
    {
        factors.push_back(learningRateFactor());
        return ForwardingTrainer::trainStep(data, indices, count);
    }
};

TrainConfig configFor(Algorithm algorithm, const std::string &model)
{
    TrainConfig c;
    c.algorithm = algorithm;
    c.lr = defaultLearningRate(algorithm);
    c.backend = "reference";
    c.threads = 1;
    c.epochs = 3;
    c.batch = 16;
    c.layers = {784, 24, 24};
    c.model = model;
    c.inputShape = Shape::image(1, 28, 28);
    c.seed = 5;
    c.metricsEvery = 1000;
    return c;
}

// The parameters after one step at `factor` of the learning rate, from the same start and batch.
LearnedValues afterOneStep(const TrainConfig &config, const Dataset &data, float factor)
{
    auto backend = createBackend(config.backend, config.threads);
    auto trainer = createTrainer(config, *backend);
    trainer->beginEpoch(0);
    std::vector<int> indices(size_t(config.batch));
    for (int i = 0; i < config.batch; ++i)
        indices[size_t(i)] = i;
    trainer->setLearningRateFactor(factor);
    trainer->trainStep(data, indices.data(), config.batch);
    return learnedValues(*trainer, false);
}

} // namespace

class TestLrSchedule : public QObject
{
    Q_OBJECT

private slots:
    void theFactorFollowsTheCurve()
    {
        for (long long step : {0LL, 7LL, 99LL})
            QCOMPARE(learningRateScheduleFactor(LrSchedule::Constant, step, 100), 1.0f);
        QCOMPARE(learningRateScheduleFactor(LrSchedule::Cosine, 0, 100), 1.0f);
        QVERIFY(std::abs(learningRateScheduleFactor(LrSchedule::Cosine, 50, 100) - 0.5f) < 1e-6f);
        QVERIFY(std::abs(learningRateScheduleFactor(LrSchedule::Cosine, 25, 100) - 0.8535534f) < 1e-6f);
        const float last = learningRateScheduleFactor(LrSchedule::Cosine, 99, 100);
        QVERIFY2(last > 0.0f && last < 0.001f, qPrintable(QString::number(last)));
        float previous = 1.0f;
        for (long long step = 1; step < 100; ++step) {
            const float f = learningRateScheduleFactor(LrSchedule::Cosine, step, 100);
            QVERIFY2(f < previous, qPrintable(QStringLiteral("step %1: %2 after %3").arg(step).arg(f).arg(previous)));
            previous = f;
        }
        // A run without steps has nothing to anneal.
        QCOMPARE(learningRateScheduleFactor(LrSchedule::Cosine, 0, 0), 1.0f);
    }

    void theLoopSetsTheFactorOfEveryStep_data()
    {
        QTest::addColumn<int>("schedule");
        QTest::newRow("constant") << int(LrSchedule::Constant);
        QTest::newRow("cosine") << int(LrSchedule::Cosine);
    }

    void theLoopSetsTheFactorOfEveryStep()
    {
        QFETCH(int, schedule);
        const DatasetSplits data = ffint8::testing::squareSplits(40); // 3 batches of 16 an epoch
        TrainConfig config = configFor(Algorithm::BpFp32, "");
        config.lrSchedule = LrSchedule(schedule);
        auto backend = createBackend(config.backend, config.threads);
        auto inner = createTrainer(config, *backend);
        FactorRecorder recorder(*inner);
        std::vector<float> epochRates;
        TrainingRun run(recorder, data, RunCallbacks{{}, [&](const EpochMetrics &e) { epochRates.push_back(e.learningRate); }});
        const RunSummary summary = run.run();
        QCOMPARE(int(summary.status), int(RunStatus::Completed));
        QCOMPARE(recorder.factors.size(), size_t(9));
        // Each epoch reports the rate of its last step (steps 2, 5 and 8).
        QCOMPARE(epochRates.size(), size_t(3));
        for (size_t epoch = 0; epoch < 3; ++epoch)
            QCOMPARE(epochRates[epoch], config.lr * recorder.factors[3 * epoch + 2]);
        for (size_t s = 0; s < recorder.factors.size(); ++s) {
            const float expected = config.lrSchedule == LrSchedule::Constant
                ? 1.0f
                : float(0.5 * (1.0 + std::cos(3.14159265358979323846 * double(s) / 9.0)));
            QVERIFY2(std::abs(recorder.factors[s] - expected) < 1e-6f,
                     qPrintable(QStringLiteral("step %1: %2, expected %3").arg(s).arg(recorder.factors[s]).arg(expected)));
        }
        // The wrapped trainer stepped at the same factors: the last one is what it holds.
        QCOMPARE(inner->learningRateFactor(), recorder.factors.back());
    }

    void everyTrainerStepsByTheFactor_data()
    {
        QTest::addColumn<int>("algorithm");
        QTest::addColumn<QString>("model");
        QTest::addColumn<bool>("head");
        for (Algorithm a : {Algorithm::FfFp32, Algorithm::BpFp32, Algorithm::BpUi8})
            QTest::newRow(qPrintable(QString(algorithmName(a)) + " mlp")) << int(a) << QString() << false;
        for (Algorithm a : {Algorithm::FfFp32, Algorithm::BpFp32})
            QTest::newRow(qPrintable(QString(algorithmName(a)) + " cnn-small")) << int(a) << QStringLiteral("cnn-small")
                                                                                 << false;
        QTest::newRow("ff-fp32 cnn-small head") << int(Algorithm::FfFp32) << QStringLiteral("cnn-small") << true;
    }

    void everyTrainerStepsByTheFactor()
    {
        // With FP32 arithmetic a step's change is proportional to its learning rate (Adam's first
        // step too): half the factor, half the change. FF updates its first unit before the
        // second one sees the batch, so later units move by about half; the first exactly.
        QFETCH(int, algorithm);
        QFETCH(QString, model);
        QFETCH(bool, head);
        const DatasetSplits data = ffint8::testing::squareSplits(16);
        TrainConfig config = configFor(Algorithm(algorithm), model.toStdString());
        if (head)
            config.ffPrediction = FfPrediction::Head;
        const auto before = afterOneStep(config, data.train, 0.0f);
        const auto full = afterOneStep(config, data.train, 1.0f);
        const auto half = afterOneStep(config, data.train, 0.5f);
        QCOMPARE(full.size(), before.size());
        QCOMPARE(half.size(), before.size());
        bool headSeen = false;
        for (size_t t = 0; t < before.size(); ++t) {
            const std::string &name = before[t].first;
            headSeen = headSeen || name.find("head") != std::string::npos;
            double fullMove = 0.0, mismatch = 0.0;
            for (size_t i = 0; i < before[t].second.size(); ++i) {
                const double dFull = double(full[t].second[i]) - before[t].second[i];
                const double dHalf = double(half[t].second[i]) - before[t].second[i];
                fullMove += dFull * dFull;
                mismatch += (dHalf - 0.5 * dFull) * (dHalf - 0.5 * dFull);
            }
            QVERIFY2(fullMove > 0.0, name.c_str());
            const bool exact = !isForwardForward(config.algorithm) || t < 2;
            // Exact up to float rounding of weight + change (a change 1e-3 of its weight's size).
            const double tolerance = exact ? 1e-4 : 0.25;
            QVERIFY2(std::sqrt(mismatch / fullMove) < tolerance,
                     qPrintable(QStringLiteral("%1: the half-rate step is off by %2 of the full step")
                                    .arg(QString::fromStdString(name))
                                    .arg(std::sqrt(mismatch / fullMove))));
        }
        QCOMPARE(headSeen, head || (model == "cnn-small" && !isForwardForward(config.algorithm)));
    }

    void int8TrainersHoldStillAtFactorZero_data()
    {
        QTest::addColumn<int>("algorithm");
        QTest::addColumn<QString>("model");
        for (Algorithm a : {Algorithm::FfInt8, Algorithm::BpInt8}) {
            QTest::newRow(qPrintable(QString(algorithmName(a)) + " mlp")) << int(a) << QString();
            QTest::newRow(qPrintable(QString(algorithmName(a)) + " cnn-small")) << int(a) << QStringLiteral("cnn-small");
        }
    }

    void int8TrainersHoldStillAtFactorZero()
    {
        // INT8 steps round stochastically, so halves are not exact; a zero rate must still move nothing.
        QFETCH(int, algorithm);
        QFETCH(QString, model);
        const DatasetSplits data = ffint8::testing::squareSplits(16);
        const TrainConfig config = configFor(Algorithm(algorithm), model.toStdString());
        auto backend = createBackend(config.backend, config.threads);
        auto trainer = createTrainer(config, *backend);
        const auto start = learnedValues(*trainer, false);
        const auto still = afterOneStep(config, data.train, 0.0f);
        const auto moved = afterOneStep(config, data.train, 1.0f);
        QCOMPARE(still.size(), start.size());
        bool anyMoved = false;
        for (size_t t = 0; t < start.size(); ++t) {
            QVERIFY2(still[t].second == start[t].second, start[t].first.c_str());
            anyMoved = anyMoved || moved[t].second != start[t].second;
        }
        QVERIFY(anyMoved);
    }

    void specsAndFlagsSetIt()
    {
        const ExperimentSpec cosine = parseSpecText(R"({"format": "ffint8-experiment", "version": 1, "name": "c",
            "algorithm": "bp-fp32", "training": {"lr_schedule": "cosine"}})",
                                                    "cosine.json");
        QCOMPARE(int(cosine.config.lrSchedule), int(LrSchedule::Cosine));
        QCOMPARE(int(parseSpecText(R"({"format": "ffint8-experiment", "version": 1, "name": "c"})", "plain.json")
                         .config.lrSchedule),
                 int(LrSchedule::Constant));
        // Written back as it was read.
        QCOMPARE(specToJson(cosine)["training"].toObject()["lr_schedule"].toString(), QStringLiteral("cosine"));

        const QString message = messageOf([] {
            parseSpecText(R"({"format": "ffint8-experiment", "version": 1, "name": "c",
                "training": {"lr_schedule": "linear"}})",
                          "linear.json");
        });
        QVERIFY2(message.contains("linear.json") && message.contains("lr_schedule") && message.contains("'linear'")
                     && message.contains("constant, cosine"),
                 qPrintable(message));

        QCOMPARE(int(parseTrainArguments({"--lr-schedule", "cosine"}, ExtraFlags{}).spec.config.lrSchedule),
                 int(LrSchedule::Cosine));
        const QString flagMessage = messageOf([] { parseTrainArguments({"--lr-schedule", "step"}, ExtraFlags{}); });
        QVERIFY2(flagMessage.contains("--lr-schedule") && flagMessage.contains("'step'"), qPrintable(flagMessage));
    }
};

QTEST_GUILESS_MAIN(TestLrSchedule)
#include "tst_lr_schedule.moc"
