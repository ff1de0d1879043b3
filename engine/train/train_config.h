// Everything that defines a training run of the engine, with the defaults of method.md.
#pragma once

#include "engine/backend/backend.h"
#include "engine/nn/model_spec.h"
#include "engine/nn/shape.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ffint8 {

enum class Algorithm : uint8_t { FfFp32, FfInt8, BpFp32, BpInt8, BpUi8 };
enum class NegativeLabels : uint8_t { Random, Hardest };
enum class LabelValue : uint8_t { ImageMax, One };
enum class StateFormat : uint8_t { Fp32, Bf16 };
// FF on model graphs: what one FF loss covers. Block: each block of the model (a block without
// weights joins the unit before it). Layer: each layer with weights and the layers without weights
// after it; a residual block stays one unit, since its add joins two paths.
enum class FfUnit : uint8_t { Block, Layer };
// FF on model graphs: how an example carries its label. Pixels: the first `classes` values of every
// channel of the first pixels hold the one-hot label (the MLP's scheme, which a convolution sees in
// one corner only). Channels: `classes` extra input channels, the label's one everywhere, so every
// position of the first convolution sees it. Auto: channels for image models, pixels for flat ones.
enum class LabelEmbedding : uint8_t { Auto, Pixels, Channels };
// FF on model graphs: how a class is predicted. Goodness: the label whose embedding gives the most
// goodness summed over the units from predictFromLayer (one pass per label). Head: a linear
// softmax layer trained (by BP, at BP's default learning rate) on the last unit's output for the
// image with a neutral label (every class at 1/classes of the label value), detached from the
// units; one pass per image. The paper does not say which it used, so every run records it.
enum class FfPrediction : uint8_t { Goodness, Head };
// The local loss of an FF unit on a model graph. Threshold: the paper's, positive data's goodness
// above theta and negative data's below it, the label embedded in the example. ClassGroups:
// channel-wise competition (CwComp; Papachristodoulou et al., AAAI 2024): the unit's channels split
// into one group per class, each group's mean of squares is that class's goodness, and the loss is
// the cross entropy of their softmax; no negative data and no label in the example, and prediction
// reads every class's goodness from one pass (summed log-softmax over the prediction units).
enum class FfLoss : uint8_t { Threshold, ClassGroups };
// How the learning rate moves over a run. Constant: `lr` at every step. Cosine: annealed from `lr`
// towards 0 over every step of every epoch (Loshchilov & Hutter's SGDR without restarts), which
// gives a short run the small last steps that a constant rate never takes.
enum class LrSchedule : uint8_t { Constant, Cosine };

const char *algorithmName(Algorithm a);
bool isInt8(Algorithm a);
bool isForwardForward(Algorithm a);
// The algorithm of that name; false when there is none.
bool algorithmFromName(const std::string &name, Algorithm &out);

// The learning rate a method starts from when none is given, with Adam (the default optimizer): FF
// at 0.03, as the common FF ports use (the first epochs are slow below it); BP at 0.001, since BP
// with Adam at FF's 0.03 reaches 65 % on Fashion-MNIST where 0.001 reaches 84 %. The one place of
// per-method defaults: the command line (train, run, compare, bench), specs, suites, help texts and
// the workbench's launcher all take theirs from here.
float defaultLearningRate(Algorithm a);

// The learning rate of step `step` (0-based, counted over the whole run) of `totalSteps`, as a
// factor of TrainConfig::lr: 1 throughout for Constant, (1 + cos(pi * step / totalSteps)) / 2 for Cosine.
float learningRateScheduleFactor(LrSchedule schedule, long long step, long long totalSteps);

// lambda(epoch) = min(start + perEpoch * epoch, cap); look-ahead off means lambda = 0 throughout.
struct LambdaSchedule
{
    bool enabled = true;
    float start = 0.0f;
    float perEpoch = 0.001f;
    float cap = 0.1f;
    float at(int epoch) const;
};

// The quantisers an INT8 trainer uses (recorded with every run).
struct QuantiserConfig
{
    bool weightsPerChannel = true;                   // per output channel, else per tensor
    Rounding activationRounding = Rounding::Stochastic;
    Rounding gradientRounding = Rounding::Stochastic;
    Rounding weightRounding = Rounding::Nearest;     // with a master copy; without one, always stochastic
};

// BP-UI8 (Zhu et al., CVPR 2020): direction-sensitive gradient clipping picks, per layer and step,
// the clipping value among `clipCandidates` (max|g| * 2^(-k/3), k = 0..) that minimises the direction
// deviation d = 1 - cos(g, Q(g)); deviation-counteractive scaling multiplies the layer's learning
// rate by max(exp(-alpha * d), beta).
struct Ui8Config
{
    float alpha = 20.0f;
    float beta = 0.1f;
    int clipCandidates = 16;
};

struct TrainConfig
{
    Algorithm algorithm = Algorithm::FfInt8;
    std::vector<int> layers{784, 1000, 1000}; // input width, then each hidden layer's width
    // A model graph by preset name (modelPresetNames(): "cnn-small", or "mlp" built from `layers`),
    // or the name of `customModel`, trained by the graph trainers; empty: the MLP of `layers` on
    // the MLP trainers, as before.
    std::string model;
    // A model graph described layer by layer (a spec's model object, a model file's graph), whose
    // name is `model` and never a preset's, so that a name alone says which of the two it is.
    // Shared: configurations are copied freely and the description never changes once set.
    std::shared_ptr<const ModelSpec> customModel;
    // Graph models: one example's shape and the class count. A run takes them from its dataset
    // (prepareRun); these defaults are Fashion-MNIST's.
    Shape inputShape = Shape::image(1, 28, 28);
    int classes = 10;
    int epochs = 20;
    // Test accuracy in percent whose first epoch and training time the run records (0: none), so
    // that a table can give the time to reach an accuracy beside the time for `epochs`. It only
    // measures: the run trains all its epochs whether or not it gets there. Test accuracy, not
    // validation: it is the accuracy every table and summary reports, and nothing is chosen by it.
    double targetAccuracy = 0.0;
    int batch = 32;
    OptimizerKind optimizer = OptimizerKind::Adam;
    float lr = defaultLearningRate(algorithm); // specs settle it when the algorithm changes (experiment_spec.h)
    LrSchedule lrSchedule = LrSchedule::Constant;
    float momentum = 0.9f;
    float weightDecay = 0.0f;
    Goodness goodness = Goodness::Mean;
    float theta = 2.0f;
    NegativeLabels negatives = NegativeLabels::Random;
    LabelValue labelValue = LabelValue::ImageMax;
    int predictFromLayer = 0; // goodness summed over layers (graph models: units) >= this for prediction (Hinton: 1)
    FfUnit ffUnit = FfUnit::Block;
    LabelEmbedding labelEmbedding = LabelEmbedding::Auto;
    FfPrediction ffPrediction = FfPrediction::Goodness;
    FfLoss ffLoss = FfLoss::Threshold;
    // Model graphs: keep only each FF unit's input through a step and rebuild the unit's other
    // activations for its backward pass (one more forward pass per unit; the same results).
    bool ffRecompute = false;
    LambdaSchedule lambda;
    bool masterWeights = true;
    // INT8 trainers: how the optimizer's per-weight state (Adam's moments, SGD's momentum) is stored.
    // FP32 trainers always keep FP32 state: they are the baselines the INT8 methods are judged against.
    StateFormat optimizerState = StateFormat::Fp32;
    // FF: rows of a layer's weight gradient computed and applied at a time, so one small buffer
    // serves every layer (0: a whole layer at once). BP keeps each layer's whole gradient until its step.
    int gradientBlockRows = 0;
    QuantiserConfig quant;
    Ui8Config ui8;
    uint64_t seed = 1;
    int threads = 0; // 0: the cores that other processes leave free (CpuBackend follows the load)
    std::string backend = "cpu";
    std::string dataset = "fashion-mnist";
    int trainLimit = 0;
    int testLimit = 0;
    int validation = 0;     // examples moved from train to a validation split
    // Images padded with zeros to padTo x padTo after loading, every split alike (0: as loaded), so
    // 28x28 sets train the 32x32 models (engine/data/image_padding.h).
    int padTo = 0;
    // Training batches only: each example randomly cropped from its image padded by 4 zero pixels
    // and flipped left to right, drawn from the seed (engine/data/augmentation.h); evaluation sees
    // the images as they are.
    bool augment = false;
    int metricsEvery = 200; // batches between progress reports
    // Images per evaluation pass; each is run once per label, so 8 images make 80 rows, about a
    // training batch: evaluation then needs no more memory than training does.
    int evalBatch = 8;

    bool graphModel() const { return !model.empty(); }
    // Trains `spec` (a model described in full): `customModel` holds it, `model` its name.
    void setCustomModel(ModelSpec spec);
    // Throws EngineError naming the first field that is out of range.
    void validate() const;
};

} // namespace ffint8
