// FF's class-groups loss (TrainConfig::ffLoss, channel-wise competition): the backend op against
// its definition and finite differences, steps without negative rows or a label in the example,
// FF-INT8 following FF-FP32 with it on cnn-small, its settings kept by model files, and the models
// and settings it cannot train refused with the reason named.
#include "engine/backend/backend_factory.h"
#include "engine/backend/reference_backend.h"
#include "engine/core/error.h"
#include "engine/io/graph_model_file.h"
#include "engine/train/graph_ff_trainer.h"
#include "engine/train/training_run.h"
#include "support/exception_message.h"
#include "support/int8_follows_fp32.h"
#include "support/synthetic_data.h"

#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <numeric>

using namespace ffint8;

namespace {

using testing::messageOf;

struct Case
{
    int rows, channels, positions, classes;
};

// The loss written out from its definition, in double: channel c of feature i is i % channels,
// in group floor(c * classes / channels); a class's goodness is the mean of squares over its group.
double definedLoss(const std::vector<float> &y, const Case &k, const std::vector<int32_t> &labels,
                   std::vector<double> *goodness = nullptr)
{
    const int cols = k.channels * k.positions;
    double total = 0.0;
    for (int r = 0; r < k.rows; ++r) {
        std::vector<double> sum(size_t(k.classes), 0.0), count(size_t(k.classes), 0.0);
        for (int i = 0; i < cols; ++i) {
            const double v = y[size_t(r) * size_t(cols) + size_t(i)];
            const int group = (i % k.channels) * k.classes / k.channels;
            sum[size_t(group)] += v * v;
            count[size_t(group)] += 1.0;
        }
        double partition = 0.0;
        for (int j = 0; j < k.classes; ++j) {
            sum[size_t(j)] /= count[size_t(j)];
            partition += std::exp(sum[size_t(j)]);
            if (goodness)
                goodness->push_back(sum[size_t(j)]);
        }
        total += std::log(partition) - sum[size_t(labels[size_t(r)])];
    }
    return total / k.rows;
}

TrainConfig classGroupsConfig(Algorithm algorithm)
{
    TrainConfig c;
    c.algorithm = algorithm;
    c.threads = 1;
    c.batch = 16;
    c.evalBatch = 8;
    c.model = "cnn-small";
    c.inputShape = Shape::image(1, 12, 12);
    c.ffLoss = FfLoss::ClassGroups;
    return c;
}

} // namespace

class TestClassGroups : public QObject
{
    Q_OBJECT

private slots:
    void lossMatchesItsDefinition_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("channels");
        QTest::addColumn<int>("positions");
        QTest::addColumn<int>("classes");
        QTest::newRow("groups of 3 and 4 channels, 3x3 positions") << 3 << 13 << 9 << 4;
        QTest::newRow("flat, one channel a class") << 2 << 10 << 1 << 10;
        QTest::newRow("flat, uneven groups") << 2 << 23 << 1 << 10;
    }

    // Goodness, loss and the gradient (against central differences of the defined loss).
    void lossMatchesItsDefinition()
    {
        QFETCH(int, rows);
        QFETCH(int, channels);
        QFETCH(int, positions);
        QFETCH(int, classes);
        const Case k{rows, channels, positions, classes};
        const int cols = channels * positions;
        SplitMix64 rng(11);
        std::vector<float> y(size_t(rows) * size_t(cols));
        for (float &v : y)
            v = 3.0f * rng.uniform() - 1.5f;
        std::vector<int32_t> labels(static_cast<size_t>(rows));
        for (int32_t &l : labels)
            l = int32_t(rng.below(uint32_t(classes)));

        ReferenceBackend backend;
        Tensor yt = backend.allocate(rows, cols, DType::F32, MemoryCategory::Workspace);
        Tensor lt = backend.allocate(1, rows, DType::S32, MemoryCategory::Workspace);
        Tensor gt = backend.allocate(rows, classes, DType::F32, MemoryCategory::Workspace);
        Tensor losst = backend.allocate(1, rows, DType::F32, MemoryCategory::Workspace);
        Tensor grad = backend.allocate(rows, cols, DType::F32, MemoryCategory::Workspace);
        backend.upload(yt, y.data(), y.size() * sizeof(float));
        backend.upload(lt, labels.data(), labels.size() * sizeof(int32_t));
        FfClassGroupsArgs a;
        a.y = yt.f32();
        a.rows = rows;
        a.cols = cols;
        a.channels = channels;
        a.classes = classes;
        a.labels = lt.s32();
        a.lossScale = 1.0f / float(rows);
        a.goodnessOut = gt.f32();
        a.lossOut = losst.f32();
        a.gradY = grad.f32();
        backend.ffClassGroupsLoss(a);

        std::vector<double> expectedGoodness;
        const double expectedLoss = definedLoss(y, k, labels, &expectedGoodness);
        std::vector<float> goodness(size_t(rows) * size_t(classes)), loss(static_cast<size_t>(rows));
        backend.download(gt, goodness.data(), goodness.size() * sizeof(float));
        backend.download(losst, loss.data(), loss.size() * sizeof(float));
        for (size_t i = 0; i < goodness.size(); ++i)
            QVERIFY2(std::abs(goodness[i] - expectedGoodness[i]) < 1e-5,
                     qPrintable(QString("goodness %1: %2, defined %3").arg(i).arg(goodness[i]).arg(expectedGoodness[i])));
        QVERIFY(std::abs(std::accumulate(loss.begin(), loss.end(), 0.0) / rows - expectedLoss) < 1e-5);

        const float *analytic = grad.f32();
        for (int i = 0; i < rows * cols; ++i) {
            std::vector<float> up = y, down = y;
            const float h = 1e-3f;
            up[size_t(i)] += h;
            down[size_t(i)] -= h;
            const double numeric = (definedLoss(up, k, labels) - definedLoss(down, k, labels)) / (2.0 * h);
            QVERIFY2(std::abs(numeric - analytic[i]) <= 1e-4 + 1e-3 * std::abs(numeric),
                     qPrintable(QString("value %1: analytic %2, numeric %3").arg(i).arg(analytic[i]).arg(numeric)));
        }

        // Without labels (evaluation) only the goodness is written.
        std::vector<float> before(size_t(rows) * size_t(cols), 7.0f);
        backend.upload(grad, before.data(), before.size() * sizeof(float));
        a.labels = nullptr;
        backend.ffClassGroupsLoss(a);
        QCOMPARE(grad.f32()[0], 7.0f);
    }

    // A step reads the examples as they are (no label channels) and has no negative rows; every
    // unit's own class ends with more goodness than the others, and FF-INT8 learns as FF-FP32 does.
    void int8FollowsFp32OnCnnSmall()
    {
        TrainConfig c = classGroupsConfig(Algorithm::FfFp32);
        c.epochs = 3;
        c.lr = 0.002f;
        c.threads = 2;
        c.predictFromLayer = -1; // the last unit, as experiments/cnn-small.json predicts
        testing::checkInt8FollowsFp32(c, testing::barSplits(1200, 300), [&](GraphFfTrainer &trainer) {
            QVERIFY(trainer.unitGraph(0).inputShape() == c.inputShape);
            QCOMPARE(trainer.unitNames().size(), size_t(3));
        });
    }

    // A model file keeps the loss, and the trainer rebuilt from it predicts as the one trained.
    void modelFileKeepsTheLoss()
    {
        const DatasetSplits data = testing::barSplits(64, 24);
        TrainConfig c = classGroupsConfig(Algorithm::FfInt8);
        c.epochs = 1;
        ReferenceBackend a, b;
        GraphFfTrainer trained(c, a);
        QCOMPARE(int(TrainingRun(trained, data).run().status), int(RunStatus::Completed));
        QTemporaryDir dir;
        const std::string path = dir.filePath("class-groups.ffm").toStdString();
        saveGraphModel(path, GraphModelFile{c, trained.modelSpec(), trained.exportState()});
        const GraphModelFile loaded = loadGraphModel(path);
        QCOMPARE(int(loaded.config.ffLoss), int(FfLoss::ClassGroups));
        TrainConfig again = c;
        again.ffLoss = loaded.config.ffLoss;
        GraphFfTrainer fresh(again, b);
        fresh.importState(loaded.state);
        std::vector<int> all(24);
        std::iota(all.begin(), all.end(), 0);
        std::vector<uint8_t> p1(24), p2(24);
        QVERIFY(trained.predict(data.test, all.data(), 24, p1.data(), nullptr));
        QVERIFY(fresh.predict(data.test, all.data(), 24, p2.data(), nullptr));
        QVERIFY(p1 == p2);
    }

    void refusedWhereItCannotWork()
    {
        ReferenceBackend backend;
        ModelSpec narrow;
        narrow.name = "narrow";
        narrow.blocks.push_back({"wide", {NodeSpec::conv(12, 3, 1, 1), NodeSpec::relu()}, false, false, {}});
        narrow.blocks.push_back({"thin", {NodeSpec::conv(6, 3, 1, 1), NodeSpec::relu()}, false, false, {}});
        TrainConfig c = classGroupsConfig(Algorithm::FfFp32);
        c.setCustomModel(narrow);
        const QString why = messageOf([&] { GraphFfTrainer t(c, backend); });
        QVERIFY2(why.contains("\"thin\"") && why.contains("6 channels") && why.contains("10 classes"),
                 qPrintable(why));

        TrainConfig beyond = classGroupsConfig(Algorithm::FfFp32);
        beyond.predictFromLayer = -4; // cnn-small has 3 units
        const QString tooFar = messageOf([&] { GraphFfTrainer t(beyond, backend); });
        QVERIFY2(tooFar.contains("predict_from_layer -4") && tooFar.contains("3 FF units"), qPrintable(tooFar));

        TrainConfig mlp = classGroupsConfig(Algorithm::FfFp32);
        mlp.model.clear();
        QVERIFY(messageOf([&] { mlp.validate(); }).contains("ff.loss"));
        TrainConfig embedded = classGroupsConfig(Algorithm::FfFp32);
        embedded.labelEmbedding = LabelEmbedding::Channels;
        QVERIFY(messageOf([&] { embedded.validate(); }).contains("embeds no label"));
    }
};

QTEST_GUILESS_MAIN(TestClassGroups)
#include "tst_class_groups.moc"
