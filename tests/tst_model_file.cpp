// Saved models: a round trip predicts exactly as the trainer did; other files are refused clearly.
#include "engine/backend/cpu_backend.h"
#include "engine/core/error.h"
#include "engine/io/model_file.h"
#include "engine/train/training_run.h"
#include "support/predict_all.h"
#include "support/synthetic_data.h"

#include "support/qt_compat.h"

#include <QtTest>

using namespace ffint8;

class TestModelFile : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_modelPath;
    std::vector<uint8_t> m_predictions;
    DatasetSplits m_data = testing::clusterSplits(600, 200, 40);

    TrainConfig config(Algorithm algo)
    {
        TrainConfig c;
        c.algorithm = algo;
        c.layers = {40, 32, 24};
        c.epochs = 1;
        c.batch = 16;
        c.dataset = "clusters";
        return c;
    }

    static void expectError(const QString &path, const QString &fragment)
    {
        try {
            loadModel(path.toStdString());
            QFAIL("loading succeeded");
        } catch (const EngineError &e) {
            QString message = QString::fromUtf8(e.what());
            QVERIFY2(message.contains(fragment) && message.contains(path), qPrintable(message));
        }
    }

    QByteArray savedBytes()
    {
        QFile f(m_modelPath);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

    QString writeVariant(const QString &name, const QByteArray &bytes)
    {
        QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
            return {};
        return path;
    }

private slots:
    void roundTripPredictsTheSame_data()
    {
        QTest::addColumn<int>("algo");
        QTest::addColumn<bool>("master");
        QTest::newRow("ff-fp32") << int(Algorithm::FfFp32) << true;
        QTest::newRow("ff-int8 master") << int(Algorithm::FfInt8) << true;
        QTest::newRow("ff-int8 no master") << int(Algorithm::FfInt8) << false;
        QTest::newRow("bp-fp32 (with its head)") << int(Algorithm::BpFp32) << true;
        QTest::newRow("bp-ui8") << int(Algorithm::BpUi8) << true;
    }

    void roundTripPredictsTheSame()
    {
        QFETCH(int, algo);
        QFETCH(bool, master);
        TrainConfig c = config(Algorithm(algo));
        c.masterWeights = master;
        CpuBackend backend(1);
        auto trainer = createTrainer(c, backend);
        TrainingRun(*trainer, m_data).run();
        m_modelPath = m_dir.filePath("model.ffm");
        saveModel(m_modelPath.toStdString(), ModelFile{c, trainer->parameters()});
        std::vector<uint8_t> expected = predictAll(*trainer, m_data.test);

        ModelFile loaded = loadModel(m_modelPath.toStdString());
        QCOMPARE(int(loaded.config.algorithm), algo);
        QVERIFY(loaded.config.layers == c.layers);
        QCOMPARE(QString::fromStdString(loaded.config.dataset), QString("clusters"));
        CpuBackend other(1);
        auto restored = createTrainer(loaded.config, other);
        restored->setParameters(loaded.layers);
        QVERIFY(predictAll(*restored, m_data.test) == expected);
    }

    void refusesOtherFiles()
    {
        QVERIFY(!m_modelPath.isEmpty());
        QByteArray good = savedBytes();
        QVERIFY(good.size() > 100);

        expectError(writeVariant("notes.txt", "hello, this is not a model\n"), "not an FF-INT8 model file");
        expectError(writeVariant("empty.ffm", ""), "not an FF-INT8 model file");

        QByteArray version = good;
        version[8] = char(7); // the version field follows the 8-byte magic
        expectError(writeVariant("v7.ffm", version), "version 7");

        expectError(writeVariant("cut.ffm", good.left(good.size() / 2)), "checksum");
        expectError(writeVariant("tiny.ffm", good.left(10)), "truncated");

        QByteArray flipped = good;
        flipped[good.size() / 2] = char(flipped[good.size() / 2] ^ 0x40);
        expectError(writeVariant("flipped.ffm", flipped), "corrupt");

        expectError(m_dir.filePath("missing.ffm"), "cannot open");
    }

    void wrongShapeIsRefusedByTheTrainer()
    {
        ModelFile loaded = loadModel(m_modelPath.toStdString());
        TrainConfig c = config(Algorithm::FfFp32);
        c.layers = {40, 16, 24};
        CpuBackend backend(1);
        auto trainer = createTrainer(c, backend);
        QVERIFY_THROWS_EXCEPTION(EngineError, trainer->setParameters(loaded.layers));
    }
};

QTEST_APPLESS_MAIN(TestModelFile)
#include "tst_model_file.moc"
