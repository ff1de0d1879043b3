// A model's summary, built on a SizingBackend: what `ffint8 model show` prints and the launcher shows.
#include "app/spec/model_summary.h"

#include "app/spec/spec_error.h"
#include "engine/backend/sizing_backend.h"
#include "engine/core/error.h"
#include "engine/data/dataset_name.h"
#include "engine/nn/model_graph.h"
#include "engine/train/graph_ff_trainer.h"
#include "engine/train/graph_trainer.h"

namespace ffint8 {

namespace {

// What a folder of unknown data is shown for: the workbench's default dataset, Fashion-MNIST.
const Shape kDefaultInput = Shape::image(1, 28, 28);

} // namespace

ModelSpec summaryModelOf(const TrainConfig &config)
{
    return config.graphModel() ? modelSpecOf(config) : mlpModel(config.layers);
}

ModelSummary summarizeModel(const ModelSpec &spec, Shape input, int classes)
{
    SizingBackend sizing; // builds every layer and allocates nothing
    const LayerOptions options;
    const ModelGraph graph(sizing, spec, input, classes, options, 1);
    ModelSummary s;
    s.model = QString::fromStdString(spec.name);
    s.input = input;
    s.classes = classes;
    s.parameters = qint64(graph.parameterCount());
    s.macs = qint64(graph.macsPerImage());
    for (size_t i = 0; i < graph.layerCount(); ++i) {
        const Layer &l = graph.layer(i);
        ModelSummaryLayer row;
        row.name = QString::fromStdString(l.name());
        row.type = QString::fromUtf8(l.kind());
        row.block = QString::fromStdString(graph.blockNames()[size_t(graph.graphPlan().layers[i].block)]);
        row.output = l.outputShape();
        row.parameters = qint64(l.parameterCount());
        row.macs = qint64(l.macsPerImage());
        s.layers.append(row);
    }
    return s;
}

std::optional<Shape> knownInputShape(const TrainConfig &config)
{
    const std::string name = canonicalDatasetName(config.dataset);
    Shape shape;
    if (name == "mnist" || name == "fashion-mnist")
        shape = Shape::image(1, 28, 28);
    else if (name == "cifar10")
        shape = Shape::image(3, 32, 32);
    else
        return std::nullopt;
    if (config.padTo == 0)
        return shape;
    if (config.padTo < shape.height || config.padTo < shape.width)
        throw SpecError(QStringLiteral("dataset.pad_to %1 is smaller than %2's %3x%4 images")
                            .arg(config.padTo)
                            .arg(QString::fromStdString(name))
                            .arg(shape.height)
                            .arg(shape.width));
    return Shape::image(shape.channels, config.padTo, config.padTo);
}

ConfigModelSummary summarizeConfig(const TrainConfig &config)
{
    const ModelSpec spec = summaryModelOf(config);
    ConfigModelSummary out;
    Shape input;
    // The data decides where its shape is known: a model that names another input is refused, as
    // the run would refuse it.
    if (const std::optional<Shape> known = knownInputShape(config)) {
        input = *known;
        out.inputSource = QString::fromStdString(canonicalDatasetName(config.dataset));
        if (config.padTo > 0)
            out.inputSource += QStringLiteral(" padded to %1x%1").arg(config.padTo);
    } else if (spec.input.channels > 0) {
        input = spec.input;
        out.inputSource = QStringLiteral("the model's own input (the dataset's shows once it is loaded)");
        out.inputKnown = false;
    } else {
        input = kDefaultInput;
        out.inputSource
            = QStringLiteral("input from the dataset; shown for %1").arg(QString::fromStdString(kDefaultInput.text()));
        out.inputKnown = false;
    }
    out.model = summarizeModel(spec, input, config.classes);

    TrainConfig ff = config;
    ff.inputShape = input;
    if (!ff.graphModel())
        ff.model = "mlp"; // the MLP of `layers` as a graph: one unit per layer, as FfTrainer has
    try {
        for (const FfUnitSpec &unit : plannedFfUnits(ff))
            out.ffUnits << QString::fromStdString(unit.name);
    } catch (const EngineError &e) {
        out.ffUnitsError = QString::fromUtf8(e.what());
    }
    return out;
}

QString groupedCount(qint64 n)
{
    QString digits = QString::number(n);
    for (int i = int(digits.size()) - 3; i > (n < 0 ? 1 : 0); i -= 3)
        digits.insert(i, ',');
    return digits;
}

} // namespace ffint8
