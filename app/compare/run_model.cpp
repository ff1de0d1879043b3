// A stored run's model from its spec (see run_model.h).
#include "app/compare/run_model.h"

#include "app/spec/experiment_spec.h"
#include "app/spec/model_summary.h"

#include <QStringList>

namespace ffint8 {

RunModel runModel(const RunRecord &run)
{
    RunModel m;
    try {
        const ExperimentSpec spec = parseSpecText(run.specJson.toUtf8(), QStringLiteral("run %1's spec").arg(run.id));
        const TrainConfig &config = spec.config;
        const ModelSpec model = summaryModelOf(config);
        m.name = QString::fromStdString(model.name);
        if (!config.customModel && (!config.graphModel() || config.model == "mlp")) {
            QStringList widths;
            for (int w : config.layers)
                widths << QString::number(w);
            m.name = QStringLiteral("mlp ") + widths.join('-');
        }
        m.parameters = summarizeConfig(config).model.parameters;
    } catch (const std::exception &e) {
        m.error = QString::fromUtf8(e.what());
    }
    return m;
}

} // namespace ffint8
