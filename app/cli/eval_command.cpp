// `ffint8 eval MODEL`: a saved model's accuracy on a dataset's test set.
#include "app/cli/command_line.h"
#include "app/cli/commands.h"
#include "app/session/prepared_run.h"
#include "app/session/run_events.h"
#include "app/spec/settings_table.h"
#include "app/spec/spec_error.h"
#include "engine/io/model_file.h"
#include "engine/train/training_run.h"

#include <QElapsedTimer>
#include <QTextStream>

#include <algorithm>

namespace ffint8 {

int evalCommand(const QStringList &args)
{
    QTextStream err(stderr);
    TrainInvocation inv;
    try {
        inv = parseTrainArguments(args, ExtraFlags{false, true});
        if (inv.modelPath.isEmpty())
            throw SpecError("eval needs a model file: ffint8 eval MODEL [--dataset NAME|PATH]");
    } catch (const SpecError &e) {
        err << "ffint8 eval: " << e.what() << "\n";
        return ExitUsage;
    }
    try {
        ModelFile model = loadModel(inv.modelPath.toStdString());
        // The model decides the network; the command line decides data and backend.
        TrainConfig config = model.config;
        const bool datasetGiven = std::any_of(args.begin(), args.end(), [](const QString &a) { return a.startsWith("--dataset"); });
        config.dataset = datasetGiven ? inv.spec.config.dataset : model.config.dataset;
        config.backend = inv.spec.config.backend;
        config.threads = inv.spec.config.threads;
        config.testLimit = inv.spec.config.testLimit;
        config.evalBatch = inv.spec.config.evalBatch;
        // Only the test split is evaluated; the training examples are dropped as soon as they are read.
        DatasetSplits data = loadDataset(config.dataset, datasetSearchPaths());
        data.train = Dataset{data.train.name, 0, data.train.channels, data.train.height, data.train.width,
                             data.train.numClasses, {}, {}};
        truncateDataset(data.test, config.testLimit);
        PreparedRun prepared = prepareRun(config, data);
        prepared.trainer->setParameters(model.layers);
        QElapsedTimer timer;
        timer.start();
        double accuracy = TrainingRun::accuracy(*prepared.trainer, data.test);
        double seconds = timer.nsecsElapsed() / 1e9;
        if (inv.json) {
            printEvent(QJsonObject{{"event", "eval"},
                                   {"model", inv.modelPath},
                                   {"algo", algorithmName(config.algorithm)},
                                   {"dataset", QString::fromStdString(data.test.name)},
                                   {"test_examples", data.test.count},
                                   {"test_acc", accuracy},
                                   {"seconds", seconds}});
        } else {
            QTextStream(stdout) << inv.modelPath << " (" << algorithmName(config.algorithm) << "): test accuracy "
                                << QString::number(accuracy * 100.0, 'f', 2) << " % on " << data.test.count << " examples of "
                                << QString::fromStdString(data.test.name) << "\n";
        }
        return ExitOk;
    } catch (const std::exception &e) {
        err << "ffint8 eval: " << e.what() << "\n";
        return ExitError;
    }
}

} // namespace ffint8
