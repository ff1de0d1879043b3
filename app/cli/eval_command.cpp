// `ffint8 eval MODEL`: a saved model's accuracy on a dataset's test set.
#include "app/cli/command_line.h"
#include "app/cli/commands.h"
#include "app/session/prepared_run.h"
#include "app/session/run_events.h"
#include "app/spec/settings_table.h"
#include "app/spec/spec_error.h"
#include "engine/core/error.h"
#include "engine/data/image_padding.h"
#include "engine/io/graph_model_file.h"
#include "engine/io/model_file.h"
#include "engine/nn/model_spec_diff.h"
#include "engine/train/graph_trainer.h"
#include "engine/train/training_run.h"

#include <QElapsedTimer>
#include <QTextStream>

#include <algorithm>

namespace ffint8 {

namespace {

// A model asked for on the command line (--model, --layers, --preset) that is not the file's graph.
void refuseOtherGraph(const std::string &path, const ModelSpec &saved, const TrainConfig &asked)
{
    const ModelSpec wanted = asked.graphModel() ? modelSpecOf(asked) : mlpModel(asked.layers);
    const std::string difference = modelSpecDifference(saved, wanted, path, "the model asked for");
    if (!difference.empty())
        throw EngineError(path + " holds another model than the one asked for: " + difference);
}

// The data's example shape and class count must be those the graph was trained on: a graph takes
// both from its dataset, so other data would build another graph than the file's.
void checkGraphFitsData(const std::string &path, const TrainConfig &saved, const Dataset &test)
{
    const Shape shape = Shape::image(test.channels, test.height, test.width);
    if (!(shape == saved.inputShape))
        throw EngineError(path + ": the model was trained on " + saved.inputShape.text() + " examples, but dataset "
                          + test.name + " holds " + shape.text());
    if (test.numClasses != saved.classes)
        throw EngineError(path + ": the model has " + std::to_string(saved.classes) + " classes, but dataset "
                          + test.name + " has " + std::to_string(test.numClasses));
}

// The graph this build makes of the file's preset must be the file's graph exactly before the
// file's state goes into it (a preset changed by a later build is refused, not half-loaded).
void importGraphState(const std::string &path, const GraphModelFile &model, Trainer &trainer)
{
    auto *graphTrainer = dynamic_cast<GraphTrainer *>(&trainer);
    if (!graphTrainer)
        throw EngineError(path + ": a model graph, but the trainer built for it is not a graph trainer");
    const std::string difference = modelSpecDifference(model.spec, graphTrainer->modelSpec(), path,
                                                       "model \"" + model.config.model + "\" of this build");
    if (!difference.empty())
        throw EngineError(path + " holds another graph than this build makes of it: " + difference);
    try {
        graphTrainer->importState(model.state);
    } catch (const EngineError &e) {
        throw EngineError(path + ": " + e.what());
    }
}

} // namespace

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
        const std::string path = inv.modelPath.toStdString();
        const bool datasetGiven = std::any_of(args.begin(), args.end(), [](const QString &a) { return a.startsWith("--dataset"); });
        const bool modelGiven = std::any_of(args.begin(), args.end(), [](const QString &a) {
            return a.startsWith("--model") || a.startsWith("--layers") || a.startsWith("--preset");
        });
        const bool graph = modelFileVersion(path) == kGraphModelFileVersion;
        ModelFile mlp;
        GraphModelFile graphModel;
        if (graph) {
            graphModel = loadGraphModel(path);
            if (modelGiven)
                refuseOtherGraph(path, graphModel.spec, inv.spec.config);
        } else {
            mlp = loadModel(path);
        }
        // The model decides the network; the command line decides data and backend.
        const TrainConfig &saved = graph ? graphModel.config : mlp.config;
        TrainConfig config = saved;
        config.dataset = datasetGiven ? inv.spec.config.dataset : saved.dataset;
        config.backend = inv.spec.config.backend;
        config.threads = inv.spec.config.threads;
        config.testLimit = inv.spec.config.testLimit;
        config.evalBatch = inv.spec.config.evalBatch;
        // Only the test split is evaluated; the training examples are dropped as soon as they are read.
        DatasetSplits data = loadDataset(config.dataset, datasetSearchPaths());
        data.train = Dataset{data.train.name, 0, data.train.channels, data.train.height, data.train.width,
                             data.train.numClasses, {}, {}};
        truncateDataset(data.test, config.testLimit);
        // A model trained on padded images records only its input shape: --pad-to says how far to
        // pad, else a graph whose square input is larger than the images gets them padded to it.
        const bool padGiven = std::any_of(args.begin(), args.end(), [](const QString &a) { return a.startsWith("--pad-to"); });
        const Shape &input = saved.inputShape;
        if (padGiven)
            config.padTo = inv.spec.config.padTo;
        else if (graph && input.height == input.width && input.height > data.test.height && input.width > data.test.width)
            config.padTo = input.height;
        padSplits(data, config.padTo);
        if (graph)
            checkGraphFitsData(path, graphModel.config, data.test);
        PreparedRun prepared = prepareRun(config, data);
        if (graph)
            importGraphState(path, graphModel, *prepared.trainer);
        else
            prepared.trainer->setParameters(mlp.layers);
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
