// Models described layer by layer in specs: read into the ModelSpec the test builds itself, planned
// to the shapes and parameter counts worked out here from the layer sizes, written back and read
// to the same model, refused at their JSON path and line, and kept or replaced by the model flags.
#include "app/cli/command_line.h"
#include "app/spec/custom_model_json.h"
#include "app/spec/experiment_spec.h"
#include "app/spec/settings_table.h"
#include "app/spec/spec_error.h"
#include "engine/backend/sizing_backend.h"
#include "engine/core/error.h"
#include "engine/nn/model_graph.h"
#include "engine/nn/model_spec_diff.h"
#include "engine/train/graph_trainer.h"
#include "engine/train/trainer.h"

#include <QtTest>

using namespace ffint8;

namespace {

// Every kind of layer and block: a convolution without bias, a grouped strided one with bias in a
// residual block whose shortcut is projected, both poolings with and without a stride, global
// pooling, flatten, and a linear layer.
const QByteArray kBlocksSpec = R"({
  "algorithm": "bp-fp32",
  "model": {
    "name": "every-kind",
    "input": [3, 16, 16],
    "blocks": [
      {"name": "stem", "layers": [
        {"type": "conv2d", "out": 8, "kernel": 3, "padding": 1, "bias": false},
        {"type": "batch_norm"}, {"type": "relu"}]},
      {"name": "down", "residual": true, "layers": [
        {"type": "conv2d", "name": "wide", "out": 16, "kernel": 3, "stride": 2, "padding": 1, "groups": 2},
        {"type": "batch_norm"}],
        "after_add": [{"type": "relu"}]},
      {"name": "pool", "layers": [
        {"type": "avg_pool", "kernel": 2}, {"type": "max_pool", "kernel": 3, "stride": 1, "padding": 1},
        {"type": "global_avg_pool"}, {"type": "flatten"}]},
      {"name": "fc", "layers": [{"type": "linear", "out": 12}, {"type": "relu"}]}
    ]
  }
})";

// The model of kBlocksSpec, built with the engine's own constructors.
ModelSpec everyKindModel()
{
    ModelSpec m;
    m.name = "every-kind";
    m.input = Shape::image(3, 16, 16);
    m.blocks.push_back(
        {"stem", {NodeSpec::conv(8, 3, 1, 1, false), NodeSpec::batchNorm(), NodeSpec::relu()}, false, true, {}});
    BlockSpec down{
        "down", {NodeSpec::conv(16, 3, 2, 1, true, 2), NodeSpec::batchNorm()}, true, true, {NodeSpec::relu()}};
    down.body[0].name = "wide";
    m.blocks.push_back(down);
    m.blocks.push_back(
        {"pool",
         {NodeSpec::avgPool(2), NodeSpec::maxPool(3, 1, 1), NodeSpec::globalAvgPool(), NodeSpec::flatten()},
         false,
         true,
         {}});
    m.blocks.push_back({"fc", {NodeSpec::linear(12), NodeSpec::relu()}, false, true, {}});
    return m;
}

int windowSide(int side, int kernel, int stride, int padding)
{
    return (side + 2 * padding - kernel) / stride + 1;
}

QString errorOf(const QByteArray &text)
{
    try {
        parseSpecText(text, "spec.json");
    } catch (const SpecError &e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

// The EngineError `f` throws, or an empty string when it throws none.
template <typename F> QString engineErrorOf(F f)
{
    try {
        f();
    } catch (const EngineError &e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

// "spec.json:LINE:COLUMN" of the first `marker` in `text`, counted here.
QString locationOf(const QByteArray &text, const QByteArray &marker)
{
    const qsizetype at = text.indexOf(marker);
    const qsizetype lineStart = text.lastIndexOf('\n', at) + 1;
    return QStringLiteral("spec.json:%1:%2").arg(text.left(at).count('\n') + 1).arg(at - lineStart + 1);
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &text)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(text) != text.size())
        return {};
    return path;
}

} // namespace

class TestCustomModel : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private slots:
    void readsBlocksAsTheEngineBuildsThem()
    {
        const ExperimentSpec spec = parseSpecText(kBlocksSpec, "spec.json");
        QVERIFY(spec.config.customModel);
        QVERIFY(spec.config.graphModel());
        QCOMPARE(QString::fromStdString(spec.config.model), QString("every-kind"));
        QCOMPARE(
            QString::fromStdString(modelSpecDifference(*spec.config.customModel, everyKindModel(), "spec", "test")),
            QString());
        QCOMPARE(
            QString::fromStdString(modelSpecDifference(modelSpecOf(spec.config), everyKindModel(), "trained", "test")),
            QString());
    }

    void plansToTheShapesAndCountsOfItsLayers()
    {
        const ModelSpec model = *parseSpecText(kBlocksSpec, "spec.json").config.customModel;
        const int classes = 10;
        const GraphPlan plan = ModelGraph::plan(model, model.input, classes);

        // Worked out from the layer sizes: 16x16 -> stride 2 -> 8x8 -> avg 2 -> 4x4 -> max 3/1/1 -> 4x4.
        const int half = windowSide(16, 3, 2, 1);
        const int pooled = windowSide(half, 2, 2, 0);
        const QList<QPair<QString, Shape>> expected = {
            {"stem.conv1", Shape::image(8, 16, 16)},
            {"stem.bn1", Shape::image(8, 16, 16)},
            {"stem.relu1", Shape::image(8, 16, 16)},
            {"down.wide", Shape::image(16, half, half)},
            {"down.bn1", Shape::image(16, half, half)},
            {"down.shortcut_conv", Shape::image(16, half, half)},
            {"down.shortcut_bn", Shape::image(16, half, half)},
            {"down.add", Shape::image(16, half, half)},
            {"down.relu1", Shape::image(16, half, half)},
            {"pool.avgpool1", Shape::image(16, pooled, pooled)},
            {"pool.maxpool1", Shape::image(16, windowSide(pooled, 3, 1, 1), windowSide(pooled, 3, 1, 1))},
            {"pool.gap1", Shape::flat(16)},
            {"pool.flatten1", Shape::flat(16)},
            {"fc.fc1", Shape::flat(12)},
            {"fc.relu1", Shape::flat(12)},
            {"head.fc1", Shape::flat(classes)},
        };
        QCOMPARE(plan.layers.size(), size_t(expected.size()));
        for (qsizetype i = 0; i < expected.size(); ++i) {
            QCOMPARE(QString::fromStdString(plan.layers[size_t(i)].name), expected[i].first);
            QCOMPARE(QString::fromStdString(plan.layers[size_t(i)].output.text()),
                     QString::fromStdString(expected[i].second.text()));
        }
        QCOMPARE(plan.blocks, (std::vector<std::string>{"stem", "down", "pool", "fc", "head"}));

        // Weights of each layer: k*k*Cin/groups*Cout (+ Cout of bias), batch norm's gamma and beta,
        // the projected shortcut's 1x1 convolution without bias, the linear layers' weights and bias.
        const size_t parameters = 3 * 9 * 8 + 2 * 8 // stem
            + (8 / 2) * 9 * 16 + 16 + 2 * 16 // down's body
            + 8 * 16 + 2 * 16 // down's shortcut
            + 16 * 12 + 12 // fc
            + 12 * classes + classes; // head
        SizingBackend sizing;
        ModelGraph graph(sizing, model, model.input, classes, LayerOptions{}, 1);
        QCOMPARE(graph.parameterCount(), parameters);
    }

    void flatLayersAreOneBlockEach()
    {
        const ExperimentSpec spec = parseSpecText(R"({"model": {"layers": [
            {"type": "conv2d", "out": 4, "kernel": 3}, {"type": "relu"}, {"type": "conv2d", "name": "second", "out": 4, "kernel": 3},
            {"type": "relu"}, {"type": "flatten"}, {"type": "linear", "out": 7}]}})",
                                                  "spec.json");
        const ModelSpec &m = *spec.config.customModel;
        QCOMPARE(QString::fromStdString(m.name), QString(kDefaultCustomModelName));
        QCOMPARE(m.input.channels, 0); // the dataset's
        QStringList blocks, layers;
        for (const BlockSpec &b : m.blocks) {
            blocks << QString::fromStdString(b.name);
            QCOMPARE(b.body.size(), size_t(1));
            layers << QString::fromStdString(ModelSpec::nodeName(b, 0));
        }
        QCOMPARE(blocks, (QStringList{"conv1", "relu1", "second", "relu2", "flatten1", "fc1"}));
        QCOMPARE(
            layers,
            (QStringList{"conv1.conv1", "relu1.relu1", "second.conv1", "relu2.relu1", "flatten1.flatten1", "fc1.fc1"}));
        // A conv2d's bias is on unless switched off, as PyTorch's nn.Conv2d.
        QVERIFY(m.blocks[0].body[0].bias);

        // Widths are still the MLP of the MLP trainers.
        const ExperimentSpec mlp = parseSpecText(R"({"model": {"layers": [784, 64]}})", "spec.json");
        QVERIFY(!mlp.config.customModel);
        QVERIFY(!mlp.config.graphModel());
        QVERIFY((mlp.config.layers == std::vector<int>{784, 64}));
    }

    // What a run stores (specToJson) reads back to the same model and settings, so `ffint8 run` of
    // a stored spec rebuilds the graph that was trained.
    void writtenSpecReadsBackTheSameModel_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("blocks") << kBlocksSpec;
        QTest::newRow("flat layers") << QByteArray(R"({"model": {"name": "flat", "input": [784], "layers": [
            {"type": "linear", "out": 20}, {"type": "relu"}, {"type": "linear", "name": "out", "out": 10}]}})");
        QTest::newRow("residual without projection") << QByteArray(R"({"algorithm": "ff-int8", "model": {"blocks": [
            {"name": "r", "residual": true, "projection": false, "layers": [{"type": "conv2d", "out": 1, "kernel": 3, "padding": 1}],
             "after_add": [{"type": "max_pool", "kernel": 2, "stride": 0}, {"type": "avg_pool", "kernel": 3, "stride": 2, "padding": 1}]}]}})");
        QTest::newRow("mobile layers") << QByteArray(R"({"model": {"name": "mobile", "layers": [
            {"type": "conv2d", "out": 6, "kernel": 3, "padding": 1, "groups": 3}, {"type": "relu6"}, {"type": "silu"},
            {"type": "global_avg_pool"}, {"type": "dropout", "rate": 0.3}]}})");
        QTest::newRow("shipped") << [] {
            QFile f(FFINT8_SOURCE_DIR "/experiments/custom-cnn.json");
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        }();
    }

    void writtenSpecReadsBackTheSameModel()
    {
        QFETCH(QByteArray, text);
        const ExperimentSpec spec = parseSpecText(text, "spec.json");
        QVERIFY(spec.config.customModel);
        const QByteArray written = QJsonDocument(specToJson(spec)).toJson();
        const ExperimentSpec back = parseSpecText(written, "written.json");
        QVERIFY(back.config.customModel);
        QCOMPARE(QString::fromStdString(
                     modelSpecDifference(*back.config.customModel, *spec.config.customModel, "written", "read")),
                 QString());
        for (const Setting &setting : settingsTable())
            QCOMPARE(setting.get(back.config), setting.get(spec.config));
        QCOMPARE(QJsonDocument(specToJson(back)).toJson(), written);
    }

    void errorsNameThePathAndLine_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QByteArray>("marker"); // where the error points: its first occurrence
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");
        auto row = [](const char *name, const QByteArray &text, const QByteArray &marker, const QString &path,
                      const QString &message) { QTest::newRow(name) << text << marker << path << message; };
        const QByteArray three
            = "{\"model\": {\"blocks\": [\n"
              "  {\"name\": \"a\", \"layers\": [{\"type\": \"relu\"}]},\n"
              "  {\"name\": \"b\", \"layers\": [{\"type\": \"relu\"}]},\n"
              "  {\"name\": \"c\", \"layers\": [{\"type\": \"conv2d\", \"out\": 4, \"kernel\": 0}]}]}}";
        row("kernel 0", three, QByteArray("\"kernel\""), "model.blocks[2].layers[0].kernel",
            "expected an integer from 1 to 32768, got 0");
        auto flat = [](const QByteArray &layers) { return "{\"model\": {\"layers\": [\n  " + layers + "]}}"; };
        row("fraction", flat(R"({"type": "linear", "out": 2.5})"), QByteArray("\"out\""), "model.layers[0].out",
            "expected an integer from 1 to 1048576, got 2.5");
        row("string", flat(R"({"type": "linear", "out": "8"})"), QByteArray("\"out\""), "model.layers[0].out",
            "expected an integer from 1 to 1048576, got \"8\"");
        row("negative", flat(R"({"type": "conv2d", "out": 2, "kernel": 3, "padding": -1})"), QByteArray("\"padding\""),
            "model.layers[0].padding", "expected an integer from 0 to 32768, got -1");
        row("field of another kind", flat(R"({"type": "relu"}, {"type": "relu", "kernel": 3})"),
            QByteArray("\"kernel\""), "model.layers[1].kernel",
            "unknown field of a relu layer; valid here: type, name");
        row("unknown type", flat(R"({"type": "dense", "out": 3})"), QByteArray("\"type\""), "model.layers[0].type",
            "\"dense\" is not a layer type; valid: linear, conv2d, batch_norm");
        row("no type", flat(R"({"type": "relu"}, {"out": 3})"), QByteArray("{\"out\""), "model.layers[1]",
            "a layer needs \"type\": one of linear, conv2d");
        row("required", flat(R"({"type": "conv2d", "out": 3})"), QByteArray("{\"type\""), "model.layers[0]",
            "a conv2d layer needs \"kernel\"");
        row("not a layer", flat(R"({"type": "relu"}, 5)"), QByteArray("5"), "model.layers[1]",
            "expected a layer object such as");
        row("bias", flat(R"({"type": "conv2d", "out": 3, "kernel": 1, "bias": 0})"), QByteArray("\"bias\""),
            "model.layers[0].bias", "expected true or false, got 0");
        row("groups", flat(R"({"type": "conv2d", "out": 6, "kernel": 1, "groups": 4})"), QByteArray("\"groups\""),
            "model.layers[0].groups", "4 groups do not divide the 6 output channels");
        row("bad name", flat(R"({"type": "relu", "name": "a.b"})"), QByteArray("\"name\""), "model.layers[0].name",
            "expected a name of 1 to 64 letters, digits, '_' or '-', got \"a.b\"");
        row("two blocks of a name", flat(R"({"type": "relu"}, {"type": "relu", "name": "relu1"})"),
            QByteArray("\"name\""), "model.layers[1].name", "a second block named 'relu1'");

        row("dropout rate 1", flat(R"({"type": "dropout", "rate": 1})"), QByteArray("\"rate\""), "model.layers[0].rate",
            "expected a rate from 0 up to (not including) 1, got 1");
        row("dropout without rate", flat(R"({"type": "relu6"}, {"type": "dropout"})"), QByteArray("{\"type\": \"dropout"),
            "model.layers[1]", "a dropout layer needs \"rate\"");

        auto blocks = [](const QByteArray &list) { return "{\"model\": {\"blocks\": [\n  " + list + "]}}"; };
        row("two layers of a name",
            blocks(
                R"({"name": "b", "layers": [{"type": "conv2d", "out": 2, "kernel": 1}, {"type": "relu", "name": "conv1"}]})"),
            QByteArray("\"name\": \"conv1\""), "model.blocks[0].layers[1].name", "a second layer named 'b.conv1'");
        row("join's name", blocks(R"({"name": "r", "residual": true, "layers": [{"type": "relu", "name": "add"}]})"),
            QByteArray("\"name\": \"add\""), "model.blocks[0].layers[0].name", "a second layer named 'r.add'");
        row("head", blocks(R"({"name": "head", "layers": [{"type": "relu"}]})"), QByteArray("\"name\""),
            "model.blocks[0].name", "'head' is the block the trainers add");
        row("after_add alone", blocks(R"({"layers": [{"type": "relu"}], "after_add": [{"type": "relu"}]})"),
            QByteArray("\"after_add\""), "model.blocks[0].after_add",
            "belongs to a residual block; add \"residual\": true");
        row("unknown block field", blocks(R"({"layers": [{"type": "relu"}], "repeat": 2})"), QByteArray("\"repeat\""),
            "model.blocks[0].repeat",
            "unknown field of a block; valid here: name, layers, residual, projection, after_add");
        row("empty block", blocks(R"({"name": "e", "layers": []})"), QByteArray("\"layers\""), "model.blocks[0].layers",
            "expected a non-empty array of layer objects");
        row("both forms", QByteArray(R"({"model": {"blocks": [], "layers": [{"type": "relu"}]}})"),
            QByteArray("\"model\""), "model", "give blocks or layers, not both");
        row("preset name", QByteArray(R"({"model": {"name": "cnn-small", "layers": [{"type": "relu"}]}})"),
            QByteArray("\"name\""), "model.name",
            "'cnn-small' is a preset's name; a model described here needs a name of its own");
        row("preset too", QByteArray(R"({"model": {"preset": "cnn-small", "blocks": []}})"), QByteArray("\"preset\""),
            "model.preset", "a model described by blocks or layers takes no preset");
        row("unknown model field", QByteArray(R"({"model": {"blocks": [], "shape": [1]}})"), QByteArray("\"shape\""),
            "model.shape", "unknown field of a model; valid here: name, input, blocks, layers");
        row("input", QByteArray(R"({"model": {"input": [1, 28], "layers": [{"type": "relu"}]}})"),
            QByteArray("\"input\""), "model.input", "expected [channels, height, width] or [values], got [1,28]");
        row("input side", QByteArray(R"({"model": {"input": [1, 0, 28], "layers": [{"type": "relu"}]}})"),
            QByteArray("0, 28"), "model.input[1]", "expected an integer from 1 to 32768, got 0");
        row("input values", QByteArray(R"({"model": {"input": [1024, 1024, 1024], "layers": [{"type": "relu"}]}})"),
            QByteArray("\"input\""), "model.input",
            "1024x1024x1024 holds 1073741824 values per example, more than the 16777216");

        // Shapes are planned when the model gives its input: the block at fault, its layer and both shapes.
        const QByteArray late
            = "{\"model\": {\"input\": [4, 3, 3], \"blocks\": [\n"
              "  {\"name\": \"early\", \"layers\": [{\"type\": \"flatten\"}]},\n"
              "  {\"name\": \"late\", \"layers\": [{\"type\": \"conv2d\", \"out\": 2, \"kernel\": 3}]}]}}";
        row("conv after flatten", late, QByteArray("{\"name\": \"late\""), "model.blocks[1]",
            QStringLiteral("conv2d \"late.conv1\": input %1x1x1 does not fit, it needs an image").arg(4 * 3 * 3));
        const QByteArray add = "{\"model\": {\"input\": [3, 8, 8], \"blocks\": [\n"
                               "  {\"name\": \"stem\", \"layers\": [{\"type\": \"relu\"}]},\n"
                               "  {\"name\": \"r\", \"residual\": true, \"projection\": false,\n"
                               "   \"layers\": [{\"type\": \"conv2d\", \"out\": 4, \"kernel\": 3, \"padding\": 1}]}]}}";
        row("add of two shapes", add, QByteArray("{\"name\": \"r\""), "model.blocks[1]",
            "residual_add \"r.add\": input 4x8x8 does not fit, it needs the shape of "
            "its other input, 3x8x8");
    }

    void errorsNameThePathAndLine()
    {
        QFETCH(QByteArray, text);
        QFETCH(QByteArray, marker);
        QFETCH(QString, path);
        QFETCH(QString, message);
        QVERIFY(text.contains(marker));
        const QString error = errorOf(text);
        const QString expected = QStringLiteral("%1: field '%2': %3").arg(locationOf(text, marker), path, message);
        QVERIFY2(error.startsWith(expected), qPrintable("got:      " + error + "\nexpected: " + expected));
    }

    // Without an input the dataset decides it: data the first layer does not take is refused when
    // the graph is planned for it, before anything is built, with both shapes.
    void dataTheModelDoesNotTakeIsRefused()
    {
        const ModelSpec fixed = *parseSpecText(kBlocksSpec, "spec.json").config.customModel;
        const QString other = engineErrorOf([&] { ModelGraph::plan(fixed, Shape::image(1, 28, 28), 10); });
        QVERIFY2(other.contains("the data's examples are 1x28x28 (784 values), the model's input is 3x16x16"),
                 qPrintable(other));
        const ModelSpec open
            = *parseSpecText(R"({"model": {"layers": [{"type": "linear", "out": 10}]}})", "s.json").config.customModel;
        const QString image = engineErrorOf([&] { ModelGraph::plan(open, Shape::image(1, 28, 28), 10); });
        QVERIFY2(image.contains("linear \"fc1.fc1\": input 1x28x28 does not fit, it needs a flat vector"),
                 qPrintable(image));
    }

    // FF embeds the label as extra channels: a model that names its image input takes the data of
    // that shape all the same, and refuses other data with both shapes.
    void forwardForwardTakesTheNamedInput()
    {
        TrainConfig c;
        c.algorithm = Algorithm::FfInt8;
        c.setCustomModel(everyKindModel());
        c.inputShape = Shape::image(3, 16, 16);
        c.classes = 10;
        c.batch = 4;
        SizingBackend sizing;
        const std::unique_ptr<Trainer> trainer = createTrainer(c, sizing);
        QCOMPARE(trainer->unitNames(), (std::vector<std::string>{"stem", "down", "fc"}));
        c.inputShape = Shape::image(1, 16, 16);
        const QString other = engineErrorOf([&] { createTrainer(c, sizing); });
        QVERIFY2(other.contains("the data's examples are 1x16x16, the model's input is 3x16x16"), qPrintable(other));
    }

    // --model names another model (the preset replaces the described one) or the described one
    // (kept); --layers sets the MLP widths and leaves the described model alone.
    void flagsKeepOrReplaceTheModel()
    {
        QVERIFY(m_dir.isValid());
        const QString path = writeFile(m_dir, "every-kind.json", kBlocksSpec);
        QVERIFY(!path.isEmpty());
        auto configOf = [&](const QStringList &flags) {
            return parseTrainArguments(QStringList{path} + flags, ExtraFlags{}).spec.config;
        };

        const TrainConfig preset = configOf({"--model", "cnn-small"});
        QVERIFY(!preset.customModel);
        QCOMPARE(QString::fromStdString(preset.model), QString("cnn-small"));
        const TrainConfig same = configOf({"--model", "every-kind"});
        QVERIFY(same.customModel);
        const TrainConfig widths = configOf({"--layers", "784,32"});
        QVERIFY(widths.customModel);
        QVERIFY((widths.layers == std::vector<int>{784, 32}));
        try {
            configOf({"--model", "other"});
            QFAIL("an unknown model was taken");
        } catch (const SpecError &e) {
            QVERIFY2(QString(e.what()).contains("--model: 'other' is not a model; valid: mlp, cnn-small"), e.what());
        }
    }

    void configurationChecksTheName()
    {
        TrainConfig c;
        c.algorithm = Algorithm::BpFp32;
        ModelSpec m = everyKindModel();
        c.setCustomModel(m);
        c.validate();
        c.model = "renamed";
        const QString renamed = engineErrorOf([&] { c.validate(); });
        QVERIFY2(renamed.contains("\"renamed\" is not the name of the model described, \"every-kind\""),
                 qPrintable(renamed));
        m.name = "cnn-small";
        c.setCustomModel(m);
        const QString preset = engineErrorOf([&] { c.validate(); });
        QVERIFY2(preset.contains("one that no preset has"), qPrintable(preset));
    }
};

QTEST_APPLESS_MAIN(TestCustomModel)
#include "tst_custom_model.moc"
