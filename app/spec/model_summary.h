// A model's summary before any run (layers, shapes, parameters, MACs, FF units) for `ffint8 model show` and the GUI.
#pragma once

#include "engine/nn/model_spec.h"
#include "engine/train/train_config.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

namespace ffint8 {

struct ModelSummaryLayer
{
    QString name; // "block.layer"
    QString type; // Layer::kind(): "conv2d", "residual_add", ...
    QString block; // the block it belongs to ("head" for the classifier)
    Shape output;
    qint64 parameters = 0;
    qint64 macs = 0; // per image
};

struct ModelSummary
{
    QString model; // the preset's name, or what a spec calls its model
    Shape input;
    int classes = 0;
    qint64 parameters = 0;
    qint64 macs = 0; // per image
    QList<ModelSummaryLayer> layers;
};

// The model a configuration trains: its graph model (a preset or one described), or, without one,
// the mlp preset of its widths, the same layers the MLP trainers train.
ModelSpec summaryModelOf(const TrainConfig &config);

// `spec` built layer by layer on a SizingBackend (every layer exists, nothing is allocated, so
// resnet-18 costs milliseconds) for examples of `input`, with a head of `classes` logits.
// EngineError naming the layer and both shapes when the model does not take `input`.
ModelSummary summarizeModel(const ModelSpec &spec, Shape input, int classes);

// The shape of one example of config.dataset as training will see it (dataset.pad_to applied),
// from the name alone for the datasets the engine knows by name: 1x28x28 for mnist and
// fashion-mnist, 3x32x32 for cifar10. Nothing for a folder of other data, whose shape only loading
// tells. SpecError naming both sizes when pad_to is smaller than the images.
std::optional<Shape> knownInputShape(const TrainConfig &config);

// What the launcher shows of the model a configuration would train.
struct ConfigModelSummary
{
    ModelSummary model;
    // Where model.input came from, in words: "the model's own input", "fashion-mnist", "cifar10
    // padded to 40x40", or for a folder "input from the dataset; shown for 1x28x28".
    QString inputSource;
    bool inputKnown = true; // false: a stated default stands in for the dataset's shape
    // The units FF would train, as GraphFfTrainer cuts them (config.ff.unit, the label embedded);
    // empty with ffUnitsError saying why when they cannot be planned.
    QStringList ffUnits;
    QString ffUnitsError;
};

// The summary of config's model for its dataset: EngineError or SpecError (the engine's or the
// settings' message) when the model does not fit the input or the settings do not describe one.
ConfigModelSummary summarizeConfig(const TrainConfig &config);

// 23738 as "23,738", as Keras prints counts.
QString groupedCount(qint64 n);

} // namespace ffint8
