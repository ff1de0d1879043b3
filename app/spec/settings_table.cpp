// The table of run settings shared by experiment specs and command-line flags.
#include "app/spec/settings_table.h"

#include "app/spec/spec_error.h"
#include "engine/nn/model_spec.h"

#include <cmath>

namespace ffint8 {

namespace {

int toInteger(const QString &text, long long lo = 0, long long hi = 1LL << 31)
{
    bool ok = false;
    long long v = text.toLongLong(&ok);
    if (!ok)
        throw SpecError(QStringLiteral("'%1' is not an integer").arg(text));
    if (v < lo || v > hi)
        throw SpecError(QStringLiteral("%1 is out of range [%2, %3]").arg(text).arg(lo).arg(hi));
    return int(v);
}

double toFiniteDouble(const QString &text)
{
    bool ok = false;
    double v = text.toDouble(&ok);
    if (!ok || !std::isfinite(v))
        throw SpecError(QStringLiteral("'%1' is not a finite number").arg(text));
    return v;
}

float toNumber(const QString &text) { return float(toFiniteDouble(text)); }

bool toSwitch(const QString &text)
{
    const QString t = text.toLower();
    if (t == "on" || t == "true" || t == "1" || t == "yes")
        return true;
    if (t == "off" || t == "false" || t == "0" || t == "no")
        return false;
    throw SpecError(QStringLiteral("'%1' is not one of on, off").arg(text));
}

int choiceIndex(const QString &text, const QStringList &choices)
{
    int i = choices.indexOf(text);
    if (i < 0)
        throw SpecError(QStringLiteral("'%1' is not one of %2").arg(text, choices.join(", ")));
    return i;
}

QString number(double v) { return QString::number(v, 'g', 7); }
QString onOff(bool v) { return v ? "on" : "off"; }

Setting integer(QString path, QString flag, QString help, long long lo, long long hi,
                std::function<int &(TrainConfig &)> field)
{
    auto get = [field](const TrainConfig &c) { return QString::number(field(const_cast<TrainConfig &>(c))); };
    return {path, flag, SettingKind::Integer, {}, help,
            [field, lo, hi](TrainConfig &c, const QString &t) { field(c) = toInteger(t, lo, hi); }, get};
}

Setting numeric(QString path, QString flag, QString help, std::function<float &(TrainConfig &)> field)
{
    auto get = [field](const TrainConfig &c) { return number(field(const_cast<TrainConfig &>(c))); };
    return {path, flag, SettingKind::Number, {}, help, [field](TrainConfig &c, const QString &t) { field(c) = toNumber(t); },
            get};
}

Setting toggle(QString path, QString flag, QString help, std::function<bool &(TrainConfig &)> field)
{
    auto get = [field](const TrainConfig &c) { return onOff(field(const_cast<TrainConfig &>(c))); };
    return {path, flag, SettingKind::Switch, {"on", "off"}, help,
            [field](TrainConfig &c, const QString &t) { field(c) = toSwitch(t); }, get};
}

template <typename E> Setting choice(QString path, QString flag, QString help, QStringList choices,
                                     std::function<E &(TrainConfig &)> field)
{
    auto get = [field, choices](const TrainConfig &c) { return choices.value(int(field(const_cast<TrainConfig &>(c)))); };
    return {path, flag, SettingKind::Choice, choices, help,
            [field, choices](TrainConfig &c, const QString &t) { field(c) = E(choiceIndex(t, choices)); }, get};
}

std::vector<Setting> buildTable()
{
    std::vector<Setting> t;
    // Choice lists are in the order of the engine's enums.
    t.push_back(choice<Algorithm>("algorithm", "--algo", "training algorithm",
                                  {"ff-fp32", "ff-int8", "bp-fp32", "bp-int8", "bp-ui8"},
                                  [](TrainConfig &c) -> Algorithm & { return c.algorithm; }));
    t.push_back({"model.layers", "--layers", SettingKind::IntegerList, {}, "input width then layer widths, e.g. 784,1000,1000",
                 [](TrainConfig &c, const QString &text) {
                     std::vector<int> widths;
                     for (const QString &part : text.split(',', Qt::SkipEmptyParts))
                         widths.push_back(toInteger(part.trimmed(), 1, 1 << 20));
                     if (widths.size() < 2)
                         throw SpecError(QStringLiteral("'%1' needs at least two widths (input, one layer)").arg(text));
                     c.layers = widths;
                 },
                 [](const TrainConfig &c) {
                     QStringList parts;
                     for (int w : c.layers)
                         parts << QString::number(w);
                     return parts.join(',');
                 }});
    t.push_back({"model.preset", "--model", SettingKind::Text, {},
                 "a model graph by name: cnn-small, resnet-18, mobilenet-v2, efficientnet-b0, or mlp (--layers as a "
                 "graph); every method trains them "
                 "(a spec's model object describes one layer by layer)",
                 [](TrainConfig &c, const QString &text) {
                     // The name of the model the spec describes keeps it: the launcher's model field
                     // shows that name and sets it again.
                     if (c.customModel && text.toStdString() == c.model)
                         return;
                     QStringList names;
                     for (const std::string &n : modelPresetNames())
                         names << QString::fromStdString(n);
                     if (!text.isEmpty() && !names.contains(text))
                         throw SpecError(QStringLiteral("'%1' is not a model; valid: %2").arg(text, names.join(", ")));
                     c.customModel.reset();
                     c.model = text.toStdString();
                 },
                 [](const TrainConfig &c) { return QString::fromStdString(c.model); }});
    t.push_back({"dataset.name", "--dataset", SettingKind::Text, {}, "fashion-mnist, mnist, cifar10 or a folder",
                 [](TrainConfig &c, const QString &text) { c.dataset = text.toStdString(); },
                 [](const TrainConfig &c) { return QString::fromStdString(c.dataset); }});
    t.push_back(integer("dataset.train_limit", "--train-limit", "use the first N training examples (0: all)", 0, 1 << 30,
                        [](TrainConfig &c) -> int & { return c.trainLimit; }));
    t.push_back(integer("dataset.test_limit", "--test-limit", "use the first N test examples (0: all)", 0, 1 << 30,
                        [](TrainConfig &c) -> int & { return c.testLimit; }));
    t.push_back(integer("dataset.validation", "--validation", "examples held out of training for validation", 0, 1 << 30,
                        [](TrainConfig &c) -> int & { return c.validation; }));
    t.push_back(integer("dataset.pad_to", "--pad-to",
                        "pad images with zeros to N x N, centred, every split alike (0: as loaded); e.g. 32 trains "
                        "the 32x32 models on 28x28 MNIST",
                        0, 1 << 14, [](TrainConfig &c) -> int & { return c.padTo; }));
    t.push_back(toggle("dataset.augment", "--augment",
                       "training batches only: a random crop of each image padded by 4 zero pixels and a random "
                       "horizontal flip, drawn from the seed (CIFAR-10's usual augmentation)",
                       [](TrainConfig &c) -> bool & { return c.augment; }));
    t.push_back(integer("training.epochs", "--epochs", "epochs to train", 0, 1 << 20,
                        [](TrainConfig &c) -> int & { return c.epochs; }));
    t.push_back(integer("training.batch", "--batch", "examples per mini-batch", 1, 1 << 16,
                        [](TrainConfig &c) -> int & { return c.batch; }));
    t.push_back(choice<OptimizerKind>("training.optimizer", "--optimizer", "optimizer", {"sgd", "adam"},
                                      [](TrainConfig &c) -> OptimizerKind & { return c.optimizer; }));
    t.push_back(numeric("training.lr", "--lr", "learning rate (left out: the algorithm's own)",
                        [](TrainConfig &c) -> float & { return c.lr; }));
    t.push_back(choice<LrSchedule>("training.lr_schedule", "--lr-schedule",
                                   "learning rate over the run: constant, or cosine (annealed from lr towards 0 over "
                                   "every step of every epoch)",
                                   {"constant", "cosine"},
                                   [](TrainConfig &c) -> LrSchedule & { return c.lrSchedule; }));
    t.push_back(numeric("training.momentum", "--momentum", "SGD momentum (0: none)",
                        [](TrainConfig &c) -> float & { return c.momentum; }));
    t.push_back(numeric("training.weight_decay", "--weight-decay", "L2 weight decay",
                        [](TrainConfig &c) -> float & { return c.weightDecay; }));
    t.push_back({"training.seed", "--seed", SettingKind::Seed, {}, "seed of every random choice",
                 [](TrainConfig &c, const QString &text) {
                     bool ok = false;
                     qulonglong v = text.toULongLong(&ok);
                     if (!ok || text.trimmed().startsWith('-'))
                         throw SpecError(QStringLiteral("'%1' is not an integer from 0 to 18446744073709551615").arg(text));
                     c.seed = v;
                 },
                 [](const TrainConfig &c) { return QString::number(qulonglong(c.seed)); }});
    t.push_back(integer("training.metrics_every", "--metrics-every", "batches between progress reports", 1, 1 << 30,
                        [](TrainConfig &c) -> int & { return c.metricsEvery; }));
    // A double, not numeric()'s float: a target of 86.3 as a float is 86.30000305, which an
    // accuracy of exactly 86.3 % would not reach.
    t.push_back({"training.target_accuracy", "--target-accuracy", SettingKind::Number, {},
                 "test accuracy in percent whose first epoch and training time the run records, for the time to "
                 "reach it beside the time for all epochs (0: none; the run trains every epoch either way)",
                 [](TrainConfig &c, const QString &text) {
                     const double v = toFiniteDouble(text);
                     if (v < 0 || v > 100)
                         throw SpecError(QStringLiteral("%1 is out of range [0, 100] (a percentage; 0: none)").arg(text));
                     c.targetAccuracy = v;
                 },
                 [](const TrainConfig &c) { return QString::number(c.targetAccuracy, 'g', 15); }});
    t.push_back(choice<Goodness>("ff.goodness", "--goodness", "goodness of a layer: sum or mean of squares",
                                 {"sum", "mean"}, [](TrainConfig &c) -> Goodness & { return c.goodness; }));
    t.push_back(numeric("ff.theta", "--theta", "goodness threshold (on the same scale as the goodness)",
                        [](TrainConfig &c) -> float & { return c.theta; }));
    t.push_back(choice<NegativeLabels>("ff.negatives", "--negatives", "wrong label of negative data",
                                       {"random", "hardest"}, [](TrainConfig &c) -> NegativeLabels & { return c.negatives; }));
    t.push_back(choice<LabelValue>("ff.label_value", "--label-value", "value of the embedded one-hot label",
                                   {"image_max", "one"}, [](TrainConfig &c) -> LabelValue & { return c.labelValue; }));
    t.push_back(choice<FfUnit>("ff.unit", "--ff-unit",
                               "model graphs: what one FF loss covers, each block or each layer with weights "
                               "(a residual block stays whole)",
                               {"block", "layer"}, [](TrainConfig &c) -> FfUnit & { return c.ffUnit; }));
    t.push_back(choice<LabelEmbedding>("ff.label_embedding", "--label-embedding",
                                       "model graphs: the label as one-hot first pixels (the MLP's way), as extra "
                                       "input channels, or auto (channels for image models)",
                                       {"auto", "pixels", "channels"},
                                       [](TrainConfig &c) -> LabelEmbedding & { return c.labelEmbedding; }));
    t.push_back(choice<FfPrediction>("ff.prediction", "--ff-prediction",
                                     "model graphs: predict by goodness over every label, or by a linear head "
                                     "trained on the last unit's output for a neutral label",
                                     {"goodness", "head"}, [](TrainConfig &c) -> FfPrediction & { return c.ffPrediction; }));
    t.push_back(choice<FfLoss>("ff.loss", "--ff-loss",
                               "model graphs: each unit's local loss, the paper's goodness threshold (positive "
                               "and negative data, the label in the example) or class groups (each class's "
                               "goodness from its own group of channels, cross entropy over classes)",
                               {"threshold", "class-groups"}, [](TrainConfig &c) -> FfLoss & { return c.ffLoss; }));
    t.push_back(toggle("ff.recompute", "--ff-recompute",
                       "model graphs: keep only each unit's input through a step and rebuild its other activations "
                       "for its backward pass (one more forward pass per unit, a fraction of the activation memory; "
                       "the same results)",
                       [](TrainConfig &c) -> bool & { return c.ffRecompute; }));
    t.push_back(integer("ff.predict_from_layer", "--predict-from-layer",
                        "first layer (model graphs: unit) whose goodness counts in prediction (0-based; model graphs "
                        "also negative, from the last unit: -1 is the last alone)",
                        -(1 << 10), 1 << 10,
                        [](TrainConfig &c) -> int & { return c.predictFromLayer; }));
    t.push_back(integer("ff.gradient_block_rows", "--gradient-block-rows",
                        "FF: weight-gradient rows computed and applied at a time, one small buffer for every layer "
                        "(0: a whole layer at once; the result is the same)",
                        0, 1 << 20, [](TrainConfig &c) -> int & { return c.gradientBlockRows; }));
    t.push_back(toggle("ff.lookahead.enabled", "--lookahead", "the look-ahead loss",
                       [](TrainConfig &c) -> bool & { return c.lambda.enabled; }));
    t.push_back(numeric("ff.lookahead.start", "--lambda-start", "lambda in the first epoch",
                        [](TrainConfig &c) -> float & { return c.lambda.start; }));
    t.push_back(numeric("ff.lookahead.per_epoch", "--lambda-step", "lambda added per epoch",
                        [](TrainConfig &c) -> float & { return c.lambda.perEpoch; }));
    t.push_back(numeric("ff.lookahead.cap", "--lambda-cap", "largest lambda",
                        [](TrainConfig &c) -> float & { return c.lambda.cap; }));
    t.push_back(toggle("int8.master_weights", "--master-weights",
                       "keep an FP32 master copy of INT8 weights (without one: per-row stochastic re-quantisation; "
                       "bp-int8 and bp-ui8 always keep one for their per-tensor weights)",
                       [](TrainConfig &c) -> bool & { return c.masterWeights; }));
    t.push_back(choice<StateFormat>("int8.optimizer_state", "--optimizer-state",
                                    "INT8 trainers: optimizer moments of the weights in fp32, or bf16 with stochastic "
                                    "rounding (half the bytes); fp32 trainers always keep fp32",
                                    {"fp32", "bf16"}, [](TrainConfig &c) -> StateFormat & { return c.optimizerState; }));
    t.push_back(toggle("int8.weights_per_channel", "--weights-per-channel", "per-output-channel weight scales",
                       [](TrainConfig &c) -> bool & { return c.quant.weightsPerChannel; }));
    t.push_back(choice<Rounding>("int8.activation_rounding", "--activation-rounding", "rounding of quantised activations",
                                 {"nearest", "stochastic"}, [](TrainConfig &c) -> Rounding & { return c.quant.activationRounding; }));
    t.push_back(choice<Rounding>("int8.gradient_rounding", "--gradient-rounding", "rounding of quantised gradients",
                                 {"nearest", "stochastic"}, [](TrainConfig &c) -> Rounding & { return c.quant.gradientRounding; }));
    t.push_back(choice<Rounding>("int8.weight_rounding", "--weight-rounding", "rounding of weights re-quantised from the master copy",
                                 {"nearest", "stochastic"}, [](TrainConfig &c) -> Rounding & { return c.quant.weightRounding; }));
    t.push_back(numeric("ui8.alpha", "--ui8-alpha", "BP-UI8: learning-rate scale max(exp(-alpha * deviation), beta)",
                        [](TrainConfig &c) -> float & { return c.ui8.alpha; }));
    t.push_back(numeric("ui8.beta", "--ui8-beta", "BP-UI8: the smallest learning-rate scale",
                        [](TrainConfig &c) -> float & { return c.ui8.beta; }));
    t.push_back(integer("ui8.clip_candidates", "--ui8-clip-candidates", "BP-UI8: clipping values searched per step", 1, 64,
                        [](TrainConfig &c) -> int & { return c.ui8.clipCandidates; }));
    t.push_back({"backend.name", "--backend", SettingKind::Choice, {"reference", "cpu", "cuda"}, "compute backend",
                 [](TrainConfig &c, const QString &text) {
                     choiceIndex(text, {"reference", "cpu", "cuda"});
                     c.backend = text.toStdString();
                 },
                 [](const TrainConfig &c) { return QString::fromStdString(c.backend); }});
    t.push_back(integer("backend.threads", "--threads", "CPU threads (0: the cores other processes leave free, followed as it runs)", 0, 4096,
                        [](TrainConfig &c) -> int & { return c.threads; }));
    t.push_back(integer("evaluation.batch", "--eval-batch", "images per evaluation pass", 1, 1 << 16,
                        [](TrainConfig &c) -> int & { return c.evalBatch; }));
    return t;
}

} // namespace

const std::vector<Setting> &settingsTable()
{
    static const std::vector<Setting> table = buildTable();
    return table;
}

const Setting *settingByPath(const QString &path)
{
    for (const auto &s : settingsTable())
        if (s.path == path)
            return &s;
    return nullptr;
}

const Setting *settingByFlag(const QString &flag)
{
    for (const auto &s : settingsTable())
        if (s.flag == flag)
            return &s;
    return nullptr;
}

QString defaultTextOf(const Setting &setting)
{
    if (setting.path == QLatin1String("training.lr"))
        return QStringLiteral("%1 for ff-*, %2 for bp-*")
            .arg(number(defaultLearningRate(Algorithm::FfInt8)), number(defaultLearningRate(Algorithm::BpFp32)));
    if (setting.path == QLatin1String("model.preset"))
        return QStringLiteral("none: the MLP of --layers");
    return setting.get(TrainConfig());
}

QStringList settingGroups()
{
    QStringList groups;
    for (const auto &s : settingsTable()) {
        QStringList parts = s.path.split('.');
        for (int i = 1; i < parts.size(); ++i) {
            QString g = parts.mid(0, i).join('.');
            if (!groups.contains(g))
                groups << g;
        }
    }
    return groups;
}

} // namespace ffint8
