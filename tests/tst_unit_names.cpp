// Every trainer names its units, one name per figure of a step, as the store and the live view file
// them; the training loop refuses a trainer whose names and figures disagree in number.
#include "engine/backend/reference_backend.h"
#include "engine/data/dataset.h"
#include "engine/train/training_run.h"
#include "support/forwarding_trainer.h"
#include "support/synthetic_data.h"

#include <QtTest>
#include <numeric>

using namespace ffint8;

namespace {

TrainConfig config(Algorithm algorithm, std::vector<int> layers, std::string model = {})
{
    TrainConfig c;
    c.algorithm = algorithm;
    c.layers = std::move(layers);
    c.model = std::move(model);
    c.inputShape = Shape::image(1, 8, 8);
    c.batch = 8;
    c.epochs = 1;
    return c;
}

QStringList qt(const std::vector<std::string> &names)
{
    QStringList list;
    for (const std::string &n : names)
        list << QString::fromStdString(n);
    return list;
}

// A real trainer whose names leave one unit out: what a trainer with a mistaken unitNames() reports.
class OneNameShort final : public ffint8::testing::ForwardingTrainer
{
public:
    using ForwardingTrainer::ForwardingTrainer;
    std::vector<std::string> unitNames() const override
    {
        std::vector<std::string> names = m_inner.unitNames();
        names.pop_back();
        return names;
    }
};

} // namespace

class TestUnitNames : public QObject
{
    Q_OBJECT

private slots:
    void namesMatchTheFiguresOfAStep_data()
    {
        QTest::addColumn<int>("algorithm");
        QTest::addColumn<QString>("model");
        QTest::addColumn<QStringList>("names");
        // The MLP trainers name their layers as the mlp preset names its blocks; BP adds its head,
        // and a graph trainer names its blocks, so the same network has the same names either way.
        QTest::newRow("ff-int8 mlp") << int(Algorithm::FfInt8) << "" << QStringList{"fc1", "fc2", "fc3"};
        QTest::newRow("ff-fp32 mlp") << int(Algorithm::FfFp32) << "" << QStringList{"fc1", "fc2", "fc3"};
        QTest::newRow("bp-fp32 mlp") << int(Algorithm::BpFp32) << "" << QStringList{"fc1", "fc2", "fc3", "head"};
        QTest::newRow("bp-ui8 mlp") << int(Algorithm::BpUi8) << "" << QStringList{"fc1", "fc2", "fc3", "head"};
        QTest::newRow("bp-fp32 mlp graph")
            << int(Algorithm::BpFp32) << "mlp" << QStringList{"fc1", "fc2", "fc3", "head"};
        QTest::newRow("bp-int8 cnn-small")
            << int(Algorithm::BpInt8) << "cnn-small" << QStringList{"stem", "down", "res", "pool", "head"};
    }

    void namesMatchTheFiguresOfAStep()
    {
        QFETCH(int, algorithm);
        QFETCH(QString, model);
        QFETCH(QStringList, names);
        Dataset data = testing::clusters(16, 64, 3);
        data.height = 8; // the same 64 values as an 8x8 image, for the convolutions
        data.width = 8;
        ReferenceBackend backend;
        auto trainer = createTrainer(config(Algorithm(algorithm), {64, 24, 16, 12}, model.toStdString()), backend);
        QCOMPARE(qt(trainer->unitNames()), names);
        std::vector<int> indices(8);
        std::iota(indices.begin(), indices.end(), 0);
        const StepStats stats = trainer->trainStep(data, indices.data(), int(indices.size()));
        QCOMPARE(stats.layers.size(), size_t(names.size()));
    }

    void aTrainerWhoseNamesDisagreeIsRefused()
    {
        DatasetSplits data = testing::clusterSplits(64, 16, 64);
        ReferenceBackend backend;
        auto inner = createTrainer(config(Algorithm::FfFp32, {64, 24, 16}), backend);
        OneNameShort trainer(*inner);
        const RunSummary summary = TrainingRun(trainer, data).run();
        QCOMPARE(int(summary.status), int(RunStatus::Failed));
        const QString message = QString::fromStdString(summary.message);
        QVERIFY2(message.contains("figures of 2 units") && message.contains("names 1 (fc1)"), qPrintable(message));
        QCOMPARE(summary.epochsCompleted, 0);
    }
};

QTEST_GUILESS_MAIN(TestUnitNames)
#include "tst_unit_names.moc"
