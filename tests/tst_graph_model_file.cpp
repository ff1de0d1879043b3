// Model files version 2: a trained graph saved and loaded predicts exactly as before; the spec,
// settings and every named tensor round-trip; other graphs and damaged files are refused by name.
#include "engine/backend/cpu_backend.h"
#include "engine/core/error.h"
#include "engine/io/graph_model_file.h"
#include "engine/io/model_file.h"
#include "engine/nn/model_spec_diff.h"
#include "engine/train/graph_bp_trainer.h"
#include "engine/train/training_run.h"
#include "support/predict_all.h"
#include "support/qt_compat.h"
#include "support/synthetic_data.h"

#include <QtTest>
#include <cstring>
#include <numeric>

using namespace ffint8;

namespace {

// The test's own FNV-1a, so a file it edits can carry a valid checksum again.
uint64_t fnv1a(const QByteArray &bytes)
{
    uint64_t h = 0xCBF29CE484222325ULL;
    for (char c : bytes)
        h = (h ^ uint8_t(c)) * 0x100000001B3ULL;
    return h;
}

// `body` (the bytes after the magic, without a checksum) as a file with a matching checksum.
QByteArray withChecksum(const QByteArray &body)
{
    const uint64_t h = fnv1a(body);
    return QByteArray("FFINT8MD") + body + QByteArray(reinterpret_cast<const char *>(&h), sizeof h);
}

DatasetSplits imageSplits()
{
    DatasetSplits s = testing::clusterSplits(96, 40, 64);
    for (Dataset *d : {&s.train, &s.test}) {
        d->height = 8;
        d->width = 8;
    }
    return s;
}

} // namespace

class TestGraphModelFile : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    DatasetSplits m_data = imageSplits();
    QString m_cnnPath;

    TrainConfig config(Algorithm algo, const std::string &model)
    {
        TrainConfig c;
        c.algorithm = algo;
        c.model = model;
        if (model == "described") {
            // A model described layer by layer (a spec's model object): named by no preset.
            ModelSpec m;
            m.name = model;
            m.blocks.push_back({"conv", {NodeSpec::conv(4, 3, 1, 1), NodeSpec::batchNorm(), NodeSpec::relu()}, false, true, {}});
            m.blocks.push_back({"pool", {NodeSpec::maxPool(2), NodeSpec::flatten(), NodeSpec::linear(12)}, false, true, {}});
            c.setCustomModel(m);
        }
        c.layers = {64, 24, 16};
        c.inputShape = Shape::image(1, 8, 8);
        c.classes = 10;
        c.epochs = 1;
        c.batch = 16;
        c.lr = defaultLearningRate(Algorithm::BpFp32);
        c.seed = 7;
        c.dataset = "clusters";
        return c;
    }

    static QByteArray readAll(const QString &path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

    QString write(const QString &name, const QByteArray &bytes)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
            return {};
        return path;
    }

    template <typename Load> static void expectError(const QString &path, const QString &fragment, Load load)
    {
        try {
            load(path.toStdString());
            QFAIL("loading succeeded");
        } catch (const EngineError &e) {
            const QString message = QString::fromUtf8(e.what());
            QVERIFY2(message.contains(fragment) && message.contains(path), qPrintable(message));
        }
    }
    static void expectGraphError(const QString &path, const QString &fragment)
    {
        expectError(path, fragment, [](const std::string &p) { loadGraphModel(p); });
    }

private slots:
    void roundTripPredictsTheSame_data()
    {
        QTest::addColumn<int>("algo");
        QTest::addColumn<QString>("model");
        QTest::newRow("cnn-small bp-fp32") << int(Algorithm::BpFp32) << "cnn-small";
        QTest::newRow("cnn-small bp-int8") << int(Algorithm::BpInt8) << "cnn-small";
        QTest::newRow("mlp bp-fp32") << int(Algorithm::BpFp32) << "mlp";
        QTest::newRow("described bp-int8") << int(Algorithm::BpInt8) << "described";
    }

    void roundTripPredictsTheSame()
    {
        QFETCH(int, algo);
        QFETCH(QString, model);
        const TrainConfig c = config(Algorithm(algo), model.toStdString());
        CpuBackend backend(1);
        GraphBpTrainer trainer(c, backend);
        TrainingRun(trainer, m_data).run();
        const std::vector<NamedValues> state = trainer.graph().exportState();
        const QString path = m_dir.filePath(model + QString::number(algo) + ".ffm");
        saveGraphModel(path.toStdString(), GraphModelFile{c, modelSpecOf(c), state});
        if (model == "cnn-small" && Algorithm(algo) == Algorithm::BpFp32)
            m_cnnPath = path;
        const std::vector<uint8_t> expected = predictAll(trainer, m_data.test);

        QCOMPARE(modelFileVersion(path.toStdString()), kGraphModelFileVersion);
        const GraphModelFile loaded = loadGraphModel(path.toStdString());
        QCOMPARE(int(loaded.config.algorithm), algo);
        QCOMPARE(QString::fromStdString(loaded.config.model), model);
        QVERIFY(loaded.config.layers == c.layers);
        QVERIFY(loaded.config.inputShape == c.inputShape);
        QCOMPARE(loaded.config.classes, c.classes);
        QCOMPARE(loaded.config.batch, c.batch);
        QCOMPARE(loaded.config.seed, c.seed);
        QCOMPARE(QString::fromStdString(loaded.config.dataset), QString("clusters"));
        QCOMPARE(QString::fromStdString(modelSpecDifference(loaded.spec, modelSpecOf(c), "file", "preset")), QString());
        // A described model's description is the file's own: loading makes it the configuration's.
        QCOMPARE(bool(loaded.config.customModel), model == "described");
        if (loaded.config.customModel)
            QCOMPARE(QString::fromStdString(modelSpecDifference(*loaded.config.customModel, loaded.spec, "config", "file")),
                     QString());
        // Every tensor, running statistics included, by name and to the bit.
        QCOMPARE(loaded.state.size(), state.size());
        bool runningStatistics = false;
        for (size_t i = 0; i < state.size(); ++i) {
            QCOMPARE(QString::fromStdString(loaded.state[i].name), QString::fromStdString(state[i].name));
            QCOMPARE(loaded.state[i].values.size(), state[i].values.size());
            QVERIFY(std::memcmp(loaded.state[i].values.data(), state[i].values.data(),
                                state[i].values.size() * sizeof(float))
                    == 0);
            runningStatistics = runningStatistics || state[i].name.ends_with(".running_var");
        }
        QCOMPARE(runningStatistics, model != "mlp");

        // Initialised from another seed, so only the imported state can make the predictions equal.
        TrainConfig fresh = loaded.config;
        fresh.seed += 1;
        CpuBackend other(1);
        GraphBpTrainer restored(fresh, other);
        QVERIFY(predictAll(restored, m_data.test) != expected || model == "mlp");
        restored.graph().importState(loaded.state);
        QVERIFY(predictAll(restored, m_data.test) == expected);
    }

    void everySettingRoundTrips()
    {
        ModelSpec spec;
        spec.name = "odd";
        spec.input = Shape::image(4, 9, 7);
        BlockSpec a{
            "a", {NodeSpec::conv(8, 3, 2, 1, true, 2), NodeSpec::batchNorm(), NodeSpec::relu()}, false, true, {}};
        a.body[0].name = "first";
        BlockSpec r{"r", {NodeSpec::conv(8, 1), NodeSpec::maxPool(3, 1, 1)}, true, false, {NodeSpec::relu()}};
        BlockSpec t{"t",
                    {NodeSpec::avgPool(2, 0, 0), NodeSpec::globalAvgPool(), NodeSpec::flatten(), NodeSpec::linear(5)},
                    false,
                    true,
                    {}};
        spec.blocks = {a, r, t};
        TrainConfig c = config(Algorithm::BpInt8, "cnn-small");
        c.masterWeights = false;
        c.optimizerState = StateFormat::Bf16;
        c.inputShape = Shape::image(4, 9, 7);
        c.classes = 3;
        const QString path = m_dir.filePath("odd.ffm");
        saveGraphModel(path.toStdString(), GraphModelFile{c, spec, {{"a.first.weight", {1.5f, -2.0f}}}});
        const GraphModelFile loaded = loadGraphModel(path.toStdString());
        QCOMPARE(QString::fromStdString(modelSpecDifference(loaded.spec, spec, "file", "spec")), QString());
        QCOMPARE(loaded.spec.blocks.size(), size_t(3));
        const NodeSpec &conv = loaded.spec.blocks[0].body[0];
        QCOMPARE(QString::fromStdString(conv.name), QString("first"));
        QCOMPARE(conv.out, 8);
        QCOMPARE(conv.kernel, 3);
        QCOMPARE(conv.stride, 2);
        QCOMPARE(conv.padding, 1);
        QCOMPARE(conv.groups, 2);
        QVERIFY(conv.bias);
        QVERIFY(loaded.spec.blocks[1].residual);
        QVERIFY(!loaded.spec.blocks[1].projection);
        QCOMPARE(loaded.spec.blocks[1].afterAdd.size(), size_t(1));
        QCOMPARE(int(loaded.spec.blocks[2].body[3].kind), int(NodeKind::Linear));
        QCOMPARE(loaded.spec.blocks[2].body[3].out, 5);
        QVERIFY(!loaded.config.masterWeights);
        QCOMPARE(int(loaded.config.optimizerState), int(StateFormat::Bf16));
        QCOMPARE(loaded.config.classes, 3);
        QVERIFY(loaded.state.size() == 1 && loaded.state[0].values == std::vector<float>({1.5f, -2.0f}));

        // Settings that name no preset name the file's own graph, or the file is refused.
        c.model = "elsewhere";
        const QString mismatch = m_dir.filePath("mismatch.ffm");
        saveGraphModel(mismatch.toStdString(), GraphModelFile{c, spec, {}});
        expectGraphError(mismatch, "the settings name model \"elsewhere\", the graph is named \"odd\"");
    }

    void anotherGraphIsNamed()
    {
        ModelSpec changed = cnnSmallModel();
        changed.blocks[2].body[3].kernel = 5; // res.conv2
        QCOMPARE(QString::fromStdString(modelSpecDifference(cnnSmallModel(), changed, "FILE", "the spec")),
                 QString("layer \"res.conv2\" kernel: 3 in FILE, 5 in the spec"));
        ModelSpec fewer = cnnSmallModel();
        fewer.blocks.pop_back();
        QCOMPARE(QString::fromStdString(modelSpecDifference(cnnSmallModel(), fewer, "FILE", "the spec")),
                 QString("block count: 4 in FILE, 3 in the spec"));
        QCOMPARE(QString::fromStdString(modelSpecDifference(cnnSmallModel(), mlpModel({64, 8}), "FILE", "the spec")),
                 QString("model name: \"cnn-small\" in FILE, \"mlp\" in the spec"));

        // The file's state into a graph of other layers: refused, the tensor named.
        QVERIFY(!m_cnnPath.isEmpty());
        const GraphModelFile loaded = loadGraphModel(m_cnnPath.toStdString());
        CpuBackend backend(1);
        GraphBpTrainer mlp(config(Algorithm::BpFp32, "mlp"), backend);
        try {
            mlp.graph().importState(loaded.state);
            QFAIL("the state of cnn-small went into an MLP");
        } catch (const EngineError &e) {
            QVERIFY2(QString(e.what()).contains("\"stem.conv1.weight\""), e.what());
        }
        // One tensor of another size: both sizes named.
        TrainConfig wide = config(Algorithm::BpFp32, "mlp");
        wide.layers = {64, 32, 16};
        GraphBpTrainer wider(wide, backend);
        CpuBackend small(1);
        GraphBpTrainer narrow(config(Algorithm::BpFp32, "mlp"), small);
        try {
            wider.graph().importState(narrow.graph().exportState());
            QFAIL("a 24-wide layer's state went into a 32-wide one");
        } catch (const EngineError &e) {
            QVERIFY2(QString(e.what()).contains("fc1.fc1") && QString(e.what()).contains("1536")
                         && QString(e.what()).contains("2048"),
                     e.what());
        }
    }

    void damagedFilesAreRefused()
    {
        QVERIFY(!m_cnnPath.isEmpty());
        const QByteArray good = readAll(m_cnnPath);
        QVERIFY(good.size() > 1000);
        const QByteArray body = good.mid(8, good.size() - 16);

        QByteArray version = good;
        version[8] = char(3); // the version follows the 8-byte magic
        expectGraphError(write("v3.ffm", version), "version 3");
        expectGraphError(write("cut.ffm", good.left(good.size() - 100)), "checksum");
        expectGraphError(write("tiny.ffm", good.left(12)), "truncated");
        QByteArray flipped = good;
        flipped[good.size() / 2] = char(flipped[good.size() / 2] ^ 0x10);
        expectGraphError(write("flipped.ffm", flipped), "corrupt");
        // Cut inside the tensors but with a checksum that fits: the reader finds the end itself.
        expectGraphError(write("short.ffm", withChecksum(body.left(body.size() - 40))), "truncated model file");
        // A tensor that claims 2^60 values: refused before anything of that size is allocated.
        const QByteArray name = "stem.conv1.weight";
        const qsizetype at = body.indexOf(name);
        QVERIFY(at > 0);
        QByteArray huge = body;
        const uint64_t count = uint64_t(1) << 60;
        huge.replace(at + name.size(), 8, QByteArray(reinterpret_cast<const char *>(&count), 8));
        expectGraphError(write("huge.ffm", withChecksum(huge)), "1152921504606846976 values");
        // Each reader names the other's version.
        expectError(m_cnnPath, "holds a model graph", [](const std::string &p) { loadModel(p); });
        expectGraphError(write("notes.ffm", "not a model"), "not an FF-INT8 model file");
        expectGraphError(m_dir.filePath("missing.ffm"), "cannot open");
    }

    void oversizedFilesAreRefusedUnread()
    {
        // A sparse file one byte over the limit: its size alone refuses it.
        const QString path = m_dir.filePath("big.ffm");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("FFINT8MD");
        QVERIFY(f.resize(qint64(kMaxModelFileBytes) + 1));
        f.close();
        expectGraphError(path, "more than the 1073741824 (1 GiB)");
        expectError(path, "more than the 1073741824 (1 GiB)", [](const std::string &p) { loadModel(p); });
        QFile::remove(path);
    }
};

QTEST_APPLESS_MAIN(TestGraphModelFile)
#include "tst_graph_model_file.moc"
