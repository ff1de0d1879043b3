// Names and checks of the training configuration.
#include "engine/train/train_config.h"

#include "engine/core/error.h"
#include "engine/nn/model_spec.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

namespace ffint8 {

const char *algorithmName(Algorithm a)
{
    switch (a) {
    case Algorithm::FfFp32: return "ff-fp32";
    case Algorithm::FfInt8: return "ff-int8";
    case Algorithm::BpFp32: return "bp-fp32";
    case Algorithm::BpInt8: return "bp-int8";
    case Algorithm::BpUi8: return "bp-ui8";
    }
    return "?";
}

bool isInt8(Algorithm a) { return a == Algorithm::FfInt8 || a == Algorithm::BpInt8 || a == Algorithm::BpUi8; }
bool isForwardForward(Algorithm a) { return a == Algorithm::FfFp32 || a == Algorithm::FfInt8; }

float defaultLearningRate(Algorithm a) { return isForwardForward(a) ? 0.03f : 0.001f; }

float learningRateScheduleFactor(LrSchedule schedule, long long step, long long totalSteps)
{
    if (schedule == LrSchedule::Constant || totalSteps <= 0)
        return 1.0f;
    const double progress = std::clamp(double(step) / double(totalSteps), 0.0, 1.0);
    return float(0.5 * (1.0 + std::cos(3.14159265358979323846 * progress)));
}

bool algorithmFromName(const std::string &name, Algorithm &out)
{
    for (Algorithm a : {Algorithm::FfFp32, Algorithm::FfInt8, Algorithm::BpFp32, Algorithm::BpInt8, Algorithm::BpUi8}) {
        if (name == algorithmName(a)) {
            out = a;
            return true;
        }
    }
    return false;
}

float LambdaSchedule::at(int epoch) const
{
    if (!enabled)
        return 0.0f;
    return std::min(start + perEpoch * float(epoch), cap);
}

void TrainConfig::setCustomModel(ModelSpec spec)
{
    model = spec.name;
    customModel = std::make_shared<const ModelSpec>(std::move(spec));
}

namespace {
void require(bool ok, const std::string &field, const std::string &what)
{
    if (!ok)
        throw EngineError("invalid configuration: " + field + " " + what);
}
} // namespace

void TrainConfig::validate() const
{
    require(layers.size() >= 2, "layers", "needs the input width and at least one layer, e.g. 784,1000,1000");
    for (size_t i = 0; i < layers.size(); ++i)
        require(layers[i] > 0, "layers[" + std::to_string(i) + "]", "must be positive, got " + std::to_string(layers[i]));
    if (isForwardForward(algorithm) && !graphModel())
        require(layers[0] > 10, "layers[0]", "(the input width) must exceed the 10 values that carry FF's label");
    require(epochs >= 0, "epochs", "must be >= 0, got " + std::to_string(epochs));
    require(batch > 0, "batch", "must be positive, got " + std::to_string(batch));
    require(std::isfinite(targetAccuracy) && targetAccuracy >= 0 && targetAccuracy <= 100, "target_accuracy",
            "must be a percentage from 0 (none) to 100, got " + (std::ostringstream() << targetAccuracy).str());
    require(std::isfinite(lr) && lr > 0, "lr", "must be a positive number");
    require(momentum >= 0 && momentum < 1, "momentum", "must be in [0, 1)");
    require(weightDecay >= 0, "weight_decay", "must be >= 0");
    require(std::isfinite(theta), "theta", "must be a number");
    require(lambda.start >= 0 && lambda.perEpoch >= 0 && lambda.cap >= 0, "lambda", "start, per_epoch and cap must be >= 0");
    // A graph's units are known once it is planned: GraphFfTrainer checks the bound there (and
    // resolves a negative index, counted from the last unit).
    require(graphModel() || (predictFromLayer >= 0 && predictFromLayer < int(layers.size()) - 1), "predict_from_layer",
            "must name one of the " + std::to_string(layers.size() - 1) + " layers (0-based)");
    require(trainLimit >= 0 && testLimit >= 0 && validation >= 0, "train_limit/test_limit/validation", "must be >= 0");
    require(padTo >= 0, "pad_to", "must be >= 0 (0 = the images as loaded), got " + std::to_string(padTo));
    require(metricsEvery > 0, "metrics_every", "must be positive");
    require(evalBatch > 0, "eval_batch", "must be positive");
    require(threads >= 0, "threads", "must be >= 0 (0 = all cores)");
    require(gradientBlockRows >= 0, "gradient_block_rows", "must be >= 0 (0 = a whole layer at once)");
    require(ui8.alpha >= 0 && ui8.beta > 0 && ui8.beta <= 1, "ui8.alpha/ui8.beta", "need alpha >= 0 and 0 < beta <= 1");
    require(ui8.clipCandidates >= 1 && ui8.clipCandidates <= 64, "ui8.clip_candidates", "must be in 1..64");
    require(ffPrediction == FfPrediction::Goodness || graphModel(), "ff.prediction",
            "\"head\" is for model graphs; the MLP of `layers` predicts by goodness (give the model \"mlp\" for a head)");
    require(ffLoss == FfLoss::Threshold || graphModel(), "ff.loss",
            "\"class-groups\" is for model graphs (give the model \"mlp\" to train the MLP as one)");
    require(ffLoss == FfLoss::Threshold || labelEmbedding == LabelEmbedding::Auto, "ff.label_embedding",
            "the class-groups loss embeds no label in the example; leave the embedding \"auto\"");
    require(!ffRecompute || graphModel(), "ff.recompute",
            "is for model graphs (give the model \"mlp\" to train the MLP as one)");
    if (customModel) {
        require(customModel->name == model, "model",
                "\"" + model + "\" is not the name of the model described, \"" + customModel->name + "\"");
        require(!model.empty() && !isModelPreset(model), "model",
                "a model described layer by layer is named \"" + model
                    + "\": it needs a name, and one that no preset has");
    } else if (graphModel()) {
        std::string valid;
        for (const std::string &p : modelPresetNames())
            valid += (valid.empty() ? "" : ", ") + p;
        require(isModelPreset(model), "model", "\"" + model + "\" is not a model; valid: " + valid);
    }
    if (graphModel()) {
        require(inputShape.features() > 0, "input shape", inputShape.text() + " holds no values");
        require(classes >= 2, "classes", "must be at least 2, got " + std::to_string(classes));
    }
    if (isInt8(algorithm) && !masterWeights)
        require(quant.weightsPerChannel, "quant.weights_per_channel",
                "must be on when INT8 weights are kept without an FP32 master copy");
}

} // namespace ffint8
