// Padding and the seeded crop-and-flip augmentation: by hand, through specs and flags, in the loop of every trainer.
#include "app/cli/command_line.h"
#include "app/session/prepared_run.h"
#include "app/spec/experiment_spec.h"
#include "engine/backend/backend_factory.h"
#include "engine/data/augmentation.h"
#include "engine/data/image_padding.h"
#include "engine/train/training_run.h"
#include "support/exception_message.h"
#include "support/forwarding_trainer.h"
#include "support/learned_values.h"
#include "support/synthetic_data.h"

#include <QtTest>
#include <set>

using namespace ffint8;
using ffint8::testing::LearnedValues;
using ffint8::testing::learnedValues;
using ffint8::testing::messageOf;

namespace {

// A height x width image of `channels` whose value at (y, x, c) is 100 y + 10 x + c + 1: every
// value names its place, and none is 0 (the padding's value).
Dataset numbered(int count, int channels, int height, int width)
{
    Dataset d;
    d.name = "numbered";
    d.count = count;
    d.channels = channels;
    d.height = height;
    d.width = width;
    for (int i = 0; i < count; ++i) {
        for (int y = 0; y < height; ++y)
            for (int x = 0; x < width; ++x)
                for (int c = 0; c < channels; ++c)
                    d.images.push_back(float(1000 * i + 100 * y + 10 * x + c + 1));
        d.labels.push_back(uint8_t(i % 10));
    }
    return d;
}

std::vector<float> cropped(const std::vector<float> &image, int channels, int height, int width, AugmentDraw draw)
{
    std::vector<float> out(image.size());
    cropAndFlip(image.data(), channels, height, width, draw, out.data());
    return out;
}

// Wraps a real trainer and keeps a copy of every batch it was given, and the datasets it predicted on.
class RecordingTrainer final : public ffint8::testing::ForwardingTrainer
{
public:
    using ForwardingTrainer::ForwardingTrainer;
    struct Step
    {
        const Dataset *data;
        std::vector<int> indices;
        std::vector<float> images;
        std::vector<uint8_t> labels;
    };
    std::vector<Step> steps;
    std::vector<const Dataset *> predicted;

    StepStats trainStep(const Dataset &data, const int *indices, int count) override
    {
        Step s{&data, std::vector<int>(indices, indices + count), {}, {}};
        for (int k = 0; k < count; ++k) {
            s.images.insert(s.images.end(), data.image(indices[k]), data.image(indices[k]) + data.features());
            s.labels.push_back(data.labels[size_t(indices[k])]);
        }
        steps.push_back(std::move(s));
        return m_inner.trainStep(data, indices, count);
    }
    bool predict(const Dataset &data, const int *indices, int count, uint8_t *predictions,
                 const std::atomic<bool> *cancel) override
    {
        predicted.push_back(&data);
        return m_inner.predict(data, indices, count, predictions, cancel);
    }
};

DatasetSplits smallImages()
{
    // 10 x 10 one-channel images of a bar whose row is the class: a crop moves it, a flip does not.
    return ffint8::testing::patternSplits(
        "bars", 10, 48, 7, 0.9f, 0.1f, [](int label, int y, int) { return y == label; }, 16);
}

TrainConfig smallConfig(Algorithm algorithm, const std::string &model, bool augment)
{
    TrainConfig c;
    c.algorithm = algorithm;
    c.lr = defaultLearningRate(algorithm);
    c.backend = "reference";
    c.threads = 1;
    c.epochs = 2;
    c.batch = 16;
    c.layers = {100, 24, 24};
    c.model = model;
    c.inputShape = Shape::image(1, 10, 10);
    c.augment = augment;
    c.seed = 11;
    c.metricsEvery = 1000;
    return c;
}

struct Trained
{
    RunSummary summary;
    LearnedValues parameters;
    std::vector<RecordingTrainer::Step> steps;
    std::vector<const Dataset *> predicted;
};

Trained train(const TrainConfig &config, const DatasetSplits &data)
{
    auto backend = createBackend(config.backend, config.threads);
    auto inner = createTrainer(config, *backend);
    RecordingTrainer recorder(*inner);
    TrainingRun run(recorder, data);
    Trained t;
    t.summary = run.run();
    t.parameters = learnedValues(*inner);
    t.steps = std::move(recorder.steps);
    t.predicted = std::move(recorder.predicted);
    return t;
}

bool sameParameters(const LearnedValues &a, const LearnedValues &b)
{
    return !a.empty() && a == b;
}

} // namespace

class TestDataTransforms : public QObject
{
    Q_OBJECT

private slots:
    void padCentresTheImage()
    {
        Dataset d = numbered(2, 2, 2, 3);
        const Dataset before = d;
        padImages(d, 6);
        QCOMPARE(d.height, 6);
        QCOMPARE(d.width, 6);
        QCOMPARE(d.count, 2);
        QCOMPARE(d.images.size(), size_t(2 * 6 * 6 * 2));
        QCOMPARE(d.labels, before.labels);
        // Rows 2..3 and columns 1..3 hold the image (margins 2 above, 2 below, 1 left, 2 right).
        for (int i = 0; i < 2; ++i)
            for (int y = 0; y < 6; ++y)
                for (int x = 0; x < 6; ++x)
                    for (int c = 0; c < 2; ++c) {
                        const bool inside = y >= 2 && y < 4 && x >= 1 && x < 4;
                        const float expected = inside ? float(1000 * i + 100 * (y - 2) + 10 * (x - 1) + c + 1) : 0.0f;
                        QCOMPARE(d.image(i)[(y * 6 + x) * 2 + c], expected);
                    }
    }

    void padToTheSameSizeChangesNothing()
    {
        Dataset d = numbered(1, 1, 4, 4);
        const std::vector<float> before = d.images;
        padImages(d, 4);
        padImages(d, 0);
        QCOMPARE(d.images, before);
        QCOMPARE(d.height, 4);
    }

    void padRefusesASmallerSide()
    {
        Dataset d = numbered(1, 3, 32, 32);
        d.name = "cifar10";
        const QString message = messageOf([&] { padImages(d, 28); });
        QVERIFY2(message.contains("pad_to 28") && message.contains("32x32") && message.contains("cifar10"),
                 qPrintable(message));
    }

    void padAppliesToEverySplitOfARun()
    {
        QTemporaryDir dir;
        const QString folder = ffint8::testing::clusterFolder(dir.path(), 30, 10);
        QVERIFY(!folder.isEmpty());
        TrainConfig config;
        config.dataset = folder.toStdString();
        config.validation = 5;
        config.padTo = 32;
        const DatasetSplits data = loadRunData(config);
        for (const Dataset *d : {&data.train, &data.validation, &data.test}) {
            QCOMPARE(d->height, 32);
            QCOMPARE(d->width, 32);
            QCOMPARE(d->images.size(), size_t(d->count) * 32 * 32);
        }
        QCOMPARE(data.validation.count, 5);
        TrainConfig unpadded = config;
        unpadded.padTo = 0;
        QVERIFY(!sameRunData(config, unpadded));
        const DatasetSplits plain = loadRunData(unpadded);
        // Pixel (y, x) of the 28x28 image is pixel (y + 2, x + 2) of the padded one.
        QCOMPARE(data.test.image(3)[(2 + 5) * 32 + 2 + 7], plain.test.image(3)[5 * 28 + 7]);
    }

    void specAndFlagsSetBoth()
    {
        const ExperimentSpec spec = parseSpecText(
            R"({"format": "ffint8-experiment", "version": 1, "dataset": {"name": "cifar10", "pad_to": 32, "augment": true}})",
            "inline.json");
        QCOMPARE(spec.config.padTo, 32);
        QVERIFY(spec.config.augment);
        const QJsonObject json = specToJson(spec);
        QCOMPARE(json["dataset"].toObject()["pad_to"].toInt(), 32);
        QCOMPARE(json["dataset"].toObject()["augment"].toBool(), true);
        const TrainInvocation inv = parseTrainArguments({"--pad-to", "32", "--augment", "on"}, ExtraFlags{});
        QCOMPARE(inv.spec.config.padTo, 32);
        QVERIFY(inv.spec.config.augment);
        const TrainInvocation off = parseTrainArguments({}, ExtraFlags{});
        QCOMPARE(off.spec.config.padTo, 0);
        QVERIFY(!off.spec.config.augment);
        const QString bad = messageOf([] { parseTrainArguments({"--pad-to", "-1"}, ExtraFlags{}); });
        QVERIFY2(bad.contains("--pad-to") && bad.contains("-1"), qPrintable(bad));
    }

    void cropAndFlipByHand()
    {
        // 1 2 3 / 4 5 6 / 7 8 9, one channel.
        const std::vector<float> image{1, 2, 3, 4, 5, 6, 7, 8, 9};
        QCOMPARE(cropped(image, 1, 3, 3, {0, 0, false}), image);
        QCOMPARE(cropped(image, 1, 3, 3, {0, 0, true}), (std::vector<float>{3, 2, 1, 6, 5, 4, 9, 8, 7}));
        QCOMPARE(cropped(image, 1, 3, 3, {1, 0, false}), (std::vector<float>{4, 5, 6, 7, 8, 9, 0, 0, 0}));
        QCOMPARE(cropped(image, 1, 3, 3, {-1, 0, false}), (std::vector<float>{0, 0, 0, 1, 2, 3, 4, 5, 6}));
        QCOMPARE(cropped(image, 1, 3, 3, {0, -1, false}), (std::vector<float>{0, 1, 2, 0, 4, 5, 0, 7, 8}));
        QCOMPARE(cropped(image, 1, 3, 3, {0, 1, true}), (std::vector<float>{0, 3, 2, 0, 6, 5, 0, 9, 8}));
        QCOMPARE(cropped(image, 1, 3, 3, {-1, 1, true}), (std::vector<float>{0, 0, 0, 0, 3, 2, 0, 6, 5}));
        QCOMPARE(cropped(image, 1, 3, 3, {4, 0, false}), std::vector<float>(9, 0.0f));
        // Two channels move together: pixel (0, 0) of the flipped 1x2 image is the old pixel (0, 1).
        QCOMPARE(cropped({1, 2, 3, 4}, 2, 1, 2, {0, 0, true}), (std::vector<float>{3, 4, 1, 2}));
    }

    void drawsCoverTheRangeAndDependOnSeedEpochAndExample()
    {
        std::set<int> dys, dxs;
        int flips = 0;
        for (int i = 0; i < 2000; ++i) {
            const AugmentDraw d = augmentDraw(5, 0, i);
            QVERIFY(d.dy >= -kAugmentPadding && d.dy <= kAugmentPadding);
            QVERIFY(d.dx >= -kAugmentPadding && d.dx <= kAugmentPadding);
            dys.insert(d.dy);
            dxs.insert(d.dx);
            flips += d.flip;
        }
        QCOMPARE(int(dys.size()), 2 * kAugmentPadding + 1);
        QCOMPARE(int(dxs.size()), 2 * kAugmentPadding + 1);
        QVERIFY2(flips > 900 && flips < 1100, qPrintable(QString::number(flips)));
        auto sequence = [](uint64_t seed, int epoch) {
            QList<int> s;
            for (int i = 0; i < 50; ++i) {
                const AugmentDraw d = augmentDraw(seed, epoch, i);
                s << d.dy << d.dx << int(d.flip);
            }
            return s;
        };
        QCOMPARE(sequence(5, 0), sequence(5, 0));
        QVERIFY(sequence(5, 0) != sequence(6, 0));
        QVERIFY(sequence(5, 0) != sequence(5, 1));
    }

    void augmentBatchCopiesLabelsAndCropsEachExample()
    {
        const Dataset source = numbered(6, 3, 5, 4);
        const int indices[] = {4, 1, 1, 5};
        Dataset batch;
        augmentBatch(source, indices, 4, 9, 2, batch);
        QCOMPARE(batch.count, 4);
        QCOMPARE(batch.channels, 3);
        QCOMPARE(batch.height, 5);
        QCOMPARE(batch.width, 4);
        for (int k = 0; k < 4; ++k) {
            const int i = indices[k];
            QCOMPARE(batch.labels[size_t(k)], source.labels[size_t(i)]);
            const std::vector<float> original(source.image(i), source.image(i) + source.features());
            const std::vector<float> expected = cropped(original, 3, 5, 4, augmentDraw(9, 2, i));
            QCOMPARE(std::vector<float>(batch.image(k), batch.image(k) + batch.features()), expected);
        }
        Dataset again;
        augmentBatch(source, indices, 4, 9, 2, again);
        QCOMPARE(again.images, batch.images);
        Dataset otherSeed;
        augmentBatch(source, indices, 4, 10, 2, otherSeed);
        QVERIFY(otherSeed.images != batch.images);
    }

    void theTrainingLoopAugmentsTrainingBatchesOnly_data()
    {
        QTest::addColumn<int>("algorithm");
        QTest::addColumn<QString>("model");
        for (Algorithm a :
             {Algorithm::FfFp32, Algorithm::FfInt8, Algorithm::BpFp32, Algorithm::BpInt8, Algorithm::BpUi8})
            QTest::newRow(algorithmName(a)) << int(a) << QString();
        for (Algorithm a : {Algorithm::FfInt8, Algorithm::BpInt8})
            QTest::newRow(qPrintable(QString(algorithmName(a)) + " graph")) << int(a) << QStringLiteral("mlp");
    }

    void theTrainingLoopAugmentsTrainingBatchesOnly()
    {
        QFETCH(int, algorithm);
        QFETCH(QString, model);
        const DatasetSplits data = smallImages();
        const Trained off = train(smallConfig(Algorithm(algorithm), model.toStdString(), false), data);
        const Trained on = train(smallConfig(Algorithm(algorithm), model.toStdString(), true), data);
        QCOMPARE(off.summary.status, RunStatus::Completed);
        QCOMPARE(on.summary.status, RunStatus::Completed);
        QCOMPARE(on.steps.size(), off.steps.size());
        QCOMPARE(on.steps.size(), size_t(2 * 3));
        const int features = data.train.features();
        for (size_t s = 0; s < on.steps.size(); ++s) {
            const int epoch = int(s / 3);
            // Off: the training set itself, as before. On: a copy of the same examples, augmented
            // by the draws of their indices in the training set.
            QVERIFY(off.steps[s].data == &data.train);
            QVERIFY(on.steps[s].data != &data.train);
            QCOMPARE(on.steps[s].labels, off.steps[s].labels);
            for (size_t k = 0; k < off.steps[s].indices.size(); ++k) {
                const int i = off.steps[s].indices[k];
                const std::vector<float> original(data.train.image(i), data.train.image(i) + features);
                const std::vector<float> expected = cropped(original, 1, 10, 10, augmentDraw(11, epoch, i));
                const std::vector<float> got(on.steps[s].images.begin() + long(k) * features,
                                             on.steps[s].images.begin() + long(k + 1) * features);
                QCOMPARE(got, expected);
            }
        }
        // Evaluation sees the test set as it is.
        QVERIFY(!on.predicted.empty());
        for (const Dataset *d : on.predicted)
            QVERIFY(d == &data.test);
        QVERIFY(!sameParameters(on.parameters, off.parameters));
        // The augmented copy is host memory like the dataset: the engine's account is unchanged.
        QCOMPARE(on.summary.memory.peakTotal, off.summary.memory.peakTotal);
    }

    void offTrainsAsTheLoopAlwaysDid()
    {
        // The loop without augmentation, written out: each epoch's seeded order, batch by batch.
        const DatasetSplits data = smallImages();
        const TrainConfig config = smallConfig(Algorithm::FfInt8, "", false);
        const Trained loop = train(config, data);
        auto backend = createBackend(config.backend, config.threads);
        auto trainer = createTrainer(config, *backend);
        for (int epoch = 0; epoch < config.epochs; ++epoch) {
            trainer->beginEpoch(epoch);
            const std::vector<int> order
                = shuffledIndices(data.train.count, config.seed + 0x5EEDULL * uint64_t(epoch + 1));
            for (int first = 0; first < data.train.count; first += config.batch)
                trainer->trainStep(data.train, order.data() + first, std::min(config.batch, data.train.count - first));
        }
        QVERIFY(sameParameters(loop.parameters, learnedValues(*trainer)));
        // And a second run with augmentation on, same seed, repeats its own bits.
        const Trained a = train(smallConfig(Algorithm::FfInt8, "", true), data);
        const Trained b = train(smallConfig(Algorithm::FfInt8, "", true), data);
        QVERIFY(sameParameters(a.parameters, b.parameters));
    }
};

QTEST_GUILESS_MAIN(TestDataTransforms)
#include "tst_data_transforms.moc"
