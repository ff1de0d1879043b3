// What model a stored run trained, read back from its spec: its name (an MLP's widths too) and its parameter count.
#pragma once

#include "app/store/run_store.h"

#include <QString>

namespace ffint8 {

struct RunModel
{
    // "cnn-small", "mobilenet-v2", a described model's name, or "mlp 784-1000-1000": runs of one
    // preset name with other widths are other models.
    QString name;
    // As `ffint8 model show` counts them for the run's dataset (its classifier included); -1 where
    // the spec cannot be read back or the model not planned (error says why).
    qint64 parameters = -1;
    QString error;
};

// From run.specJson, planned on a SizingBackend (nothing allocated). A run recorded without a spec
// ("{}") reads as the defaults' model.
RunModel runModel(const RunRecord &run);

} // namespace ffint8
