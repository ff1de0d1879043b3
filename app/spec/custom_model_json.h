// A spec's model described layer by layer (a "model" object with blocks, or a flat list of layer
// objects): read into a ModelSpec with every error at its JSON path and line, and written back in
// the same grammar (experiments/README.md, Models).
#pragma once

#include "engine/nn/model_spec.h"

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace ffint8 {

// The model a spec names when it describes one without giving a name.
inline const char *const kDefaultCustomModelName = "custom";

// Whether a spec's "model" value describes a model layer by layer: an object with blocks, a name or
// an input, or whose layers are layer objects rather than the MLP's widths.
bool isCustomModelJson(const QJsonValue &value);

// The model `value` describes; `path` is where it sits in `text` ("model"). Throws SpecError
// "FILE:LINE:COLUMN: field 'model.blocks[2].layers[0].kernel': ..." naming the field and the value
// for an unknown field or type, a value out of range, two layers or blocks of one name, and, when
// the model gives its input, a layer whose input does not fit (with both shapes).
ModelSpec customModelFromJson(const QJsonValue &value, const QString &path, const QByteArray &text,
                              const QString &displayName);

// The blocks form of `spec` with every layer's settings written out: customModelFromJson reads it
// back to the same ModelSpec (model_spec_diff.h finds no difference).
QJsonObject customModelToJson(const ModelSpec &spec);

} // namespace ffint8
