// The graph layers' FP32 gradients against central finite differences of L = sum(r * y) (inputs
// and parameters), the convolution against its definition, INT8 convolution against FP32 within
// bounds derived from the quantisation steps, the depthwise ops against the grouped GEMMs and the cpu
// backend against the reference, batch norm's running statistics, the GEMMs each layer says it
// issues against those it issues, and shapes that do not chain refused by name.
#include "engine/backend/cpu_backend.h"
#include "engine/backend/reference_backend.h"
#include "engine/core/error.h"
#include "engine/nn/activation_layers.h"
#include "engine/nn/batch_norm.h"
#include "engine/nn/conv2d.h"
#include "engine/nn/elementwise_layers.h"
#include "engine/nn/linear.h"
#include "engine/nn/pooling.h"
#include "support/direct_convolution.h"
#include "support/exception_message.h"
#include "support/qt_compat.h"
#include "support/recording_backend.h"

#include <QtTest>
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <functional>
#include <memory>
#include <numeric>

using namespace ffint8;
using ffint8::testing::ConvCase;
using ffint8::testing::messageOf;

Q_DECLARE_METATYPE(ffint8::testing::ConvCase)

namespace {

using Values = std::vector<float>;

Values randomValues(size_t n, SplitMix64 &rng, float lo, float hi)
{
    Values v(n);
    for (float &x : v)
        x = lo + (hi - lo) * rng.uniform();
    return v;
}

std::vector<double> toDouble(const Values &v)
{
    return std::vector<double>(v.begin(), v.end());
}

// One forward (and optionally backward) pass of a layer over host vectors on the layer's backend.
struct Pass
{
    Values output;
    std::vector<Values> gradInputs;
};

Pass run(Backend &backend, Layer &layer, const std::vector<Values> &inputs, int rows, const Values *gradOutput,
         bool training = true)
{
    LayerScratch scratch(backend);
    LayerContext ctx{scratch, 17, 0, training};
    std::vector<Tensor> values, codes, scales;
    std::vector<Activation> acts;
    for (const Values &v : inputs) {
        values.push_back(backend.allocate(1, int(v.size()), DType::F32, MemoryCategory::Activations));
        backend.upload(values.back(), v.data(), v.size() * sizeof(float));
        codes.push_back(layer.needsInputCodes()
                            ? backend.allocate(1, int(v.size()), DType::S8, MemoryCategory::Workspace)
                            : Tensor());
        scales.push_back(layer.needsInputCodes() ? backend.allocate(1, 1, DType::F32, MemoryCategory::Workspace)
                                                 : Tensor());
    }
    for (size_t i = 0; i < inputs.size(); ++i)
        acts.push_back({values[i].f32(), codes[i].empty() ? nullptr : codes[i].s8(),
                        scales[i].empty() ? nullptr : scales[i].f32()});
    const size_t outValues = size_t(rows) * layer.outputShape().features();
    Tensor out = backend.allocate(1, int(outValues), DType::F32, MemoryCategory::Activations);
    layer.forward(acts, rows, out.f32(), ctx);
    Pass pass;
    pass.output.resize(outValues);
    backend.download(out, pass.output.data(), outValues * sizeof(float));
    if (!gradOutput)
        return pass;
    Tensor g = backend.allocate(1, int(outValues), DType::F32, MemoryCategory::Gradients);
    backend.upload(g, gradOutput->data(), outValues * sizeof(float));
    std::vector<Tensor> grads;
    std::vector<float *> gradPointers;
    for (const Values &v : inputs) {
        grads.push_back(backend.allocate(1, int(v.size()), DType::F32, MemoryCategory::Gradients));
        gradPointers.push_back(grads.back().f32());
    }
    LayerBackward args{acts, out.f32(), g.f32(), gradPointers, rows};
    layer.backward(args, ctx);
    for (size_t i = 0; i < inputs.size(); ++i) {
        pass.gradInputs.emplace_back(inputs[i].size());
        backend.download(grads[i], pass.gradInputs.back().data(), inputs[i].size() * sizeof(float));
    }
    return pass;
}

double dot(const Values &r, const Values &y)
{
    double sum = 0.0;
    for (size_t i = 0; i < r.size(); ++i)
        sum += double(r[i]) * double(y[i]);
    return sum;
}

// Compares analytic with numeric values; scale is the largest numeric value, so the tolerance is
// relative to the size of the gradient being checked.
void compareGradients(const QString &what, const Values &analytic, const std::vector<double> &numeric, double tolerance)
{
    QCOMPARE(analytic.size(), numeric.size());
    double scale = 0.0;
    for (double v : numeric)
        scale = std::max(scale, std::abs(v));
    QVERIFY2(scale > 1e-6, qPrintable(what + ": no gradient to check"));
    for (size_t i = 0; i < analytic.size(); ++i)
        QVERIFY2(std::abs(analytic[i] - numeric[i]) <= tolerance * scale + 1e-6,
                 qPrintable(QString("%1[%2]: layer %3, finite difference %4 (scale %5)")
                                .arg(what)
                                .arg(i)
                                .arg(analytic[i])
                                .arg(numeric[i])
                                .arg(scale)));
}

// dL/dv by central differences of loss() as v[i] moves by +-h (the steps as FP32 really takes them).
std::vector<double> centralDifferences(Values &v, float h, const std::function<double()> &loss)
{
    std::vector<double> numeric(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
        const float original = v[i];
        v[i] = original + h;
        const double up = double(v[i]) - original, lp = loss();
        v[i] = original - h;
        const double down = original - double(v[i]), lm = loss();
        v[i] = original;
        numeric[i] = (lp - lm) / (up + down);
    }
    return numeric;
}

// Every input and parameter gradient of `layer` against central differences of L = sum(r * y).
// Tolerance: the FP32 outputs' rounding (a few ulp of each, summed over the outputs and divided by
// 2h) plus, for non-linear layers, the O(h^2) truncation of the central difference.
void checkFiniteDifferences(Backend &backend, Layer &layer, std::vector<Values> inputs, int rows, float h,
                            double tolerance)
{
    SplitMix64 rng(99);
    const Values r = randomValues(size_t(rows) * layer.outputShape().features(), rng, -1.0f, 1.0f);
    const Pass analytic = run(backend, layer, inputs, rows, &r);
    const std::vector<NamedValues> parameterGradients = layer.gradientsToHost();
    auto loss = [&] { return dot(r, run(backend, layer, inputs, rows, nullptr).output); };
    for (size_t t = 0; t < inputs.size(); ++t)
        compareGradients(QString("%1 input %2").arg(layer.kind()).arg(t), analytic.gradInputs[t],
                         centralDifferences(inputs[t], h, loss), tolerance);
    std::vector<NamedValues> state = layer.exportState();
    const std::vector<NamedValues> original = state;
    for (const NamedValues &g : parameterGradients) {
        auto it = std::find_if(state.begin(), state.end(), [&](const NamedValues &s) { return s.name == g.name; });
        QVERIFY(it != state.end());
        auto parameterLoss = [&] {
            layer.importState(state);
            return loss();
        };
        compareGradients(QString("%1 %2").arg(layer.kind(), g.name.c_str()), g.values,
                         centralDifferences(it->values, h, parameterLoss), tolerance);
    }
    layer.importState(original);
}

LayerOptions fp32NoRelu()
{
    LayerOptions o;
    o.relu = false;
    o.optimizer = OptimizerKind::Sgd;
    o.momentum = 0.0f;
    return o;
}

// A layer as a model has it: a fused ReLU, in FP32 or INT8.
LayerOptions reluLayer(bool int8)
{
    LayerOptions o = fp32NoRelu();
    o.relu = true;
    o.precision = int8 ? Precision::Int8 : Precision::Fp32;
    return o;
}

ConvOptions convOptions(const ConvCase &c)
{
    ConvOptions o;
    o.outChannels = c.outChannels;
    o.kernel = c.kernel;
    o.stride = c.stride;
    o.padding = c.padding;
    o.groups = c.groups;
    return o;
}

Shape inputOf(const ConvCase &c)
{
    return Shape::image(c.inChannels, c.height, c.width);
}

// Image values on a grid of distinct values 0.01 apart, shuffled: a step of h < 0.005 never changes
// which value of a window is the largest, so max pooling is differentiable at every one of them.
Values distinctValues(size_t n, SplitMix64 &rng)
{
    Values v(n);
    for (size_t i = 0; i < n; ++i)
        v[i] = 0.01f * float(i) - 0.005f * float(n);
    for (size_t i = n - 1; i > 0; --i)
        std::swap(v[i], v[rng.below(uint32_t(i + 1))]);
    return v;
}

} // namespace

class TestLayerGradients : public QObject
{
    Q_OBJECT

private slots:
    void convolutionGradients_data()
    {
        QTest::addColumn<ConvCase>("c");
        QTest::newRow("3x3 stride 2 padding 1 groups 2, 7x6") << ConvCase{2, 7, 6, 4, 6, 3, 2, 1, 2};
        QTest::newRow("1x1 groups 2 (no im2col)") << ConvCase{2, 3, 4, 4, 6, 1, 1, 0, 2};
        QTest::newRow("depthwise 3x3 padding 1, 5x4") << ConvCase{2, 5, 4, 3, 3, 3, 1, 1, 3};
        QTest::newRow("depthwise 5x5 stride 2 padding 2, 9x7") << ConvCase{2, 9, 7, 5, 5, 5, 2, 2, 5};
        QTest::newRow("depthwise 3x3 stride 2 padding 1, 6x7, 10 channels") << ConvCase{2, 6, 7, 10, 10, 3, 2, 1, 10};
    }
    void convolutionGradients()
    {
        QFETCH(ConvCase, c);
        ReferenceBackend backend;
        SplitMix64 init(5), rng(6);
        Conv2d conv(backend, "c", inputOf(c), convOptions(c), fp32NoRelu(), init);
        checkFiniteDifferences(backend, conv, {randomValues(c.inputValues(), rng, -1.0f, 1.0f)}, c.batch, 1e-2f, 1e-3);
    }

    // im2col + grouped GEMMs give the convolution of its definition, bias included.
    void convolutionMatchesDefinition_data() { convolutionGradients_data(); }
    void convolutionMatchesDefinition()
    {
        QFETCH(ConvCase, c);
        ReferenceBackend backend;
        SplitMix64 init(7), rng(8);
        Conv2d conv(backend, "c", inputOf(c), convOptions(c), fp32NoRelu(), init);
        const Values x = randomValues(c.inputValues(), rng, -1.0f, 1.0f);
        const std::vector<NamedValues> state = conv.exportState();
        const std::vector<double> w = toDouble(state[0].values), bias = toDouble(state[1].values);
        std::vector<double> absX(x.size()), absW(w.size());
        std::transform(x.begin(), x.end(), absX.begin(), [](float v) { return std::abs(double(v)); });
        std::transform(w.begin(), w.end(), absW.begin(), [](double v) { return std::abs(v); });
        const std::vector<double> expected = c.forward(toDouble(x), w), magnitude = c.forward(absX, absW);
        const Values y = run(backend, conv, {x}, c.batch, nullptr).output;
        QCOMPARE(y.size(), expected.size());
        for (size_t i = 0; i < y.size(); ++i) {
            const double want = expected[i] + bias[i % size_t(c.outChannels)];
            // One FP32 rounding of a double-accumulated GEMM result, and one of the bias add.
            QVERIFY2(std::abs(y[i] - want) <= 2e-7 * (magnitude[i] + std::abs(bias[i % size_t(c.outChannels)])) + 1e-7,
                     qPrintable(QString("output %1: %2, definition %3").arg(i).arg(y[i]).arg(want)));
        }
        QCOMPARE(conv.parameterCount(), c.weightValues() + size_t(c.outChannels));
        QCOMPARE(conv.macsPerImage(), c.weightValues() * c.outHeight() * c.outWidth());
    }

    void linearGradients()
    {
        ReferenceBackend backend;
        SplitMix64 init(9), rng(10);
        Linear fc(backend, "fc", Shape::flat(9), 5, fp32NoRelu(), init);
        QCOMPARE(fc.outputShape(), Shape::flat(5));
        checkFiniteDifferences(backend, fc, {randomValues(27, rng, -1.0f, 1.0f)}, 3, 1e-2f, 1e-3);
    }

    void batchNormTrainingGradients()
    {
        ReferenceBackend backend;
        SplitMix64 rng(11);
        BatchNorm bn(backend, "bn", Shape::image(3, 4, 5), fp32NoRelu());
        // Gamma and beta away from their initial 1 and 0, so that their gradients are not special.
        bn.importState({{"gamma", {0.7f, 1.3f, -0.9f}},
                        {"beta", {0.1f, -0.2f, 0.3f}},
                        {"running_mean", {0, 0, 0}},
                        {"running_var", {1, 1, 1}}});
        checkFiniteDifferences(backend, bn, {randomValues(2 * 60, rng, -1.0f, 2.0f)}, 2, 3e-3f, 2e-3);
    }

    // Training forwards move the running statistics by momentum 0.1 towards the batch's mean and
    // unbiased variance; evaluation normalises with them; a model file's state restores them.
    void batchNormRunningStatistics()
    {
        ReferenceBackend backend;
        SplitMix64 rng(12);
        const Shape shape = Shape::image(2, 3, 3);
        const int rows = 4, count = rows * 9;
        BatchNorm bn(backend, "bn", shape, fp32NoRelu());
        const Values x = randomValues(size_t(rows) * shape.features(), rng, -1.0f, 3.0f);
        run(backend, bn, {x}, rows, nullptr, true);
        const std::vector<NamedValues> state = bn.exportState();
        for (int c = 0; c < 2; ++c) {
            double mean = 0.0, squares = 0.0;
            for (int i = 0; i < count; ++i)
                mean += x[size_t(i) * 2 + c];
            mean /= count;
            for (int i = 0; i < count; ++i)
                squares += (x[size_t(i) * 2 + c] - mean) * (x[size_t(i) * 2 + c] - mean);
            QVERIFY(std::abs(state[2].values[size_t(c)] - 0.1 * mean) < 1e-6);
            QVERIFY(std::abs(state[3].values[size_t(c)] - (0.9 + 0.1 * squares / (count - 1))) < 1e-6);
        }
        const Values probe = randomValues(x.size(), rng, -1.0f, 1.0f);
        const Values y = run(backend, bn, {probe}, rows, nullptr, false).output;
        for (size_t i = 0; i < y.size(); ++i) {
            const size_t c = i % 2;
            const double want = (probe[i] - state[2].values[c]) / std::sqrt(state[3].values[c] + 1e-5);
            QVERIFY2(std::abs(y[i] - want) < 1e-5,
                     qPrintable(QString("value %1: %2 vs %3").arg(i).arg(y[i]).arg(want)));
        }
        BatchNorm restored(backend, "bn", shape, fp32NoRelu());
        restored.importState(state);
        QVERIFY(run(backend, restored, {probe}, rows, nullptr, false).output == y);
    }

    void residualAddGradients()
    {
        ReferenceBackend backend;
        SplitMix64 rng(13);
        ResidualAdd add(backend, "add", Shape::image(3, 4, 5), Shape::image(3, 4, 5));
        checkFiniteDifferences(backend, add, {randomValues(120, rng, -1.0f, 1.0f), randomValues(120, rng, -1.0f, 1.0f)},
                               2, 1e-2f, 1e-3);
    }

    void poolingGradients()
    {
        ReferenceBackend backend;
        SplitMix64 rng(14);
        const Shape in = Shape::image(3, 7, 6);
        PoolOptions p;
        p.kernel = 3;
        p.stride = 2;
        p.padding = 1;
        MaxPool2d maxPool(backend, "max", in, p);
        QCOMPARE(maxPool.outputShape(), Shape::image(3, 4, 3));
        checkFiniteDifferences(backend, maxPool, {distinctValues(2 * 126, rng)}, 2, 1e-3f, 1e-3);
        AvgPool2d avgPool(backend, "avg", in, p);
        checkFiniteDifferences(backend, avgPool, {randomValues(2 * 126, rng, -1.0f, 1.0f)}, 2, 1e-2f, 1e-3);
        GlobalAvgPool global(backend, "gap", Shape::image(4, 5, 3));
        QCOMPARE(global.outputShape(), Shape::flat(4));
        checkFiniteDifferences(backend, global, {randomValues(2 * 60, rng, -1.0f, 1.0f)}, 2, 1e-2f, 1e-3);
    }

    void reluAndFlattenGradients()
    {
        ReferenceBackend backend;
        SplitMix64 rng(15);
        // Values at least 0.05 from the kink, which steps of 1e-2 do not cross.
        Values x = randomValues(60, rng, 0.05f, 1.0f);
        for (size_t i = 0; i < x.size(); i += 2)
            x[i] = -x[i];
        Relu relu(backend, "relu", Shape::image(2, 3, 5));
        checkFiniteDifferences(backend, relu, {x}, 2, 1e-2f, 1e-3);
        Flatten flatten(backend, "flat", Shape::image(2, 3, 5));
        QCOMPARE(flatten.outputShape(), Shape::flat(30));
        checkFiniteDifferences(backend, flatten, {x}, 2, 1e-2f, 1e-3);
    }

    void relu6AndSiluGradients()
    {
        ReferenceBackend backend;
        SplitMix64 rng(16);
        // ReLU6: values at least 0.05 from both kinks (0 and 6), on both sides of each.
        Values x = randomValues(60, rng, 0.05f, 5.95f);
        for (size_t i = 0; i < x.size(); i += 3)
            x[i] = -x[i];
        for (size_t i = 1; i < x.size(); i += 3)
            x[i] += 6.1f;
        PointwiseActivation relu6(backend, "relu6", Shape::image(2, 3, 5), PointwiseFunction::Relu6);
        QCOMPARE(QString(relu6.kind()), QString("relu6"));
        checkFiniteDifferences(backend, relu6, {x}, 2, 1e-2f, 1e-3);
        const Values z = run(backend, relu6, {x}, 2, nullptr).output;
        QCOMPARE(*std::min_element(z.begin(), z.end()), 0.0f);
        QCOMPARE(*std::max_element(z.begin(), z.end()), 6.0f);
        PointwiseActivation silu(backend, "silu", Shape::image(2, 3, 5), PointwiseFunction::Silu);
        QVERIFY(!silu.inPlace()); // its backward pass reads the input
        checkFiniteDifferences(backend, silu, {randomValues(60, rng, -6.0f, 6.0f)}, 2, 1e-2f, 1e-3);
    }

    // Dropout's gradient is its own mask (the same counter in both passes); evaluation is the
    // identity; the share dropped is the rate's and the kept values are scaled by 1 / (1 - rate).
    void dropoutGradientsAndMask()
    {
        ReferenceBackend backend;
        SplitMix64 rng(17);
        Dropout dropout(backend, "drop", Shape::flat(500), 0.2f);
        checkFiniteDifferences(backend, dropout, {randomValues(1000, rng, -1.0f, 1.0f)}, 2, 1e-2f, 1e-3);
        const Values x = randomValues(1000, rng, 0.5f, 1.0f);
        const Values trained = run(backend, dropout, {x}, 2, nullptr).output;
        int dropped = 0;
        for (size_t i = 0; i < x.size(); ++i) {
            if (trained[i] == 0.0f)
                ++dropped;
            else
                QCOMPARE(trained[i], x[i] * (1.0f / 0.8f));
        }
        QVERIFY2(dropped > 150 && dropped < 250, qPrintable(QString("%1 of 1000 dropped").arg(dropped)));
        QCOMPARE(run(backend, dropout, {x}, 2, nullptr, false).output, x);
        QVERIFY(messageOf([&] { Dropout(backend, "bad", Shape::flat(4), 1.0f); }).contains("\"bad\": rate 1"));
    }

    // INT8 against FP32 (same weights, same data): every error is bounded by the quantisation steps.
    // Forward: x~ is x within one activation step sx (stochastic rounding), w~ is w within half a
    // weight step sw_c/2 (round to nearest), so |y8 - y32| <= sum over the window of
    // sx * (|w| + sw_c/2) + |x| * sw_c/2. The gradients likewise, with the output gradient's step
    // (divided by sw_c where the weight scales were folded in) in place of sx. A slack of 1e-5 of
    // sum |a| |b| covers the FP32 roundings of both paths.
    void int8ConvolutionWithinQuantisationBounds_data()
    {
        QTest::addColumn<ConvCase>("c");
        QTest::newRow("3x3 stride 2 padding 1 groups 2") << ConvCase{2, 7, 6, 4, 6, 3, 2, 1, 2};
        QTest::newRow("depthwise 5x5 stride 2 padding 2") << ConvCase{2, 9, 7, 5, 5, 5, 2, 2, 5};
    }
    void int8ConvolutionWithinQuantisationBounds()
    {
        QFETCH(ConvCase, c);
        ReferenceBackend backend;
        LayerOptions int8 = fp32NoRelu();
        int8.precision = Precision::Int8;
        SplitMix64 initA(21), initB(21), rng(22);
        Conv2d fp(backend, "fp32", inputOf(c), convOptions(c), fp32NoRelu(), initA);
        Conv2d q(backend, "int8", inputOf(c), convOptions(c), int8, initB);
        QVERIFY(q.needsInputCodes());
        QVERIFY(fp.exportState()[0].values == q.exportState()[0].values);

        const Values x = randomValues(c.inputValues(), rng, 0.0f, 1.0f); // non-negative, as after a ReLU
        const Values g = randomValues(c.outputValues(), rng, -1.0f, 1.0f);
        const Pass a = run(backend, fp, {x}, c.batch, &g), b = run(backend, q, {x}, c.batch, &g);
        const std::vector<NamedValues> ga = fp.gradientsToHost(), gb = q.gradientsToHost();

        const std::vector<double> w = toDouble(fp.exportState()[0].values);
        const size_t perChannel = w.size() / size_t(c.outChannels);
        std::vector<double> sw(size_t(c.outChannels)), absW(w.size()), halfStep(w.size());
        for (int co = 0; co < c.outChannels; ++co) {
            double m = 0.0;
            for (size_t k = 0; k < perChannel; ++k)
                m = std::max(m, std::abs(w[size_t(co) * perChannel + k]));
            sw[size_t(co)] = m / 127.0;
            for (size_t k = 0; k < perChannel; ++k) {
                absW[size_t(co) * perChannel + k] = std::abs(w[size_t(co) * perChannel + k]);
                halfStep[size_t(co) * perChannel + k] = sw[size_t(co)] / 2.0;
            }
        }
        std::vector<double> wPlus(w.size());
        for (size_t k = 0; k < w.size(); ++k)
            wPlus[k] = absW[k] + halfStep[k];
        const double sx = double(*std::max_element(x.begin(), x.end())) / 127.0;
        const std::vector<double> xd = toDouble(x), sxAll(x.size(), sx);
        std::vector<double> absG(g.size()), xPlus(x.size());
        std::transform(g.begin(), g.end(), absG.begin(), [](float v) { return std::abs(double(v)); });
        for (size_t i = 0; i < x.size(); ++i)
            xPlus[i] = std::abs(xd[i]) + sx;

        auto within = [](const QString &what, const Values &int8Values, const Values &fp32Values,
                         const std::vector<double> &bound, const std::vector<double> &magnitude) {
            QCOMPARE(int8Values.size(), bound.size());
            double worst = 0.0;
            for (size_t i = 0; i < bound.size(); ++i) {
                const double error = std::abs(double(int8Values[i]) - fp32Values[i]);
                worst = std::max(worst, error);
                QVERIFY2(error <= bound[i] + 1e-5 * magnitude[i] + 1e-7,
                         qPrintable(QString("%1[%2]: int8 %3, fp32 %4, bound %5")
                                        .arg(what)
                                        .arg(i)
                                        .arg(int8Values[i])
                                        .arg(fp32Values[i])
                                        .arg(bound[i])));
            }
            QVERIFY2(worst > 0.0, qPrintable(what + ": INT8 equals FP32 exactly, so the INT8 path did not run"));
        };
        auto add = [](std::vector<double> a, const std::vector<double> &b) {
            for (size_t i = 0; i < a.size(); ++i)
                a[i] += b[i];
            return a;
        };

        within("forward", b.output, a.output, add(c.forward(sxAll, wPlus), c.forward(toDouble(x), halfStep)),
               c.forward(toDouble(x), absW));

        // Input gradient: gradZ * sw_c quantised per tensor with step sg.
        double sg = 0.0;
        for (size_t o = 0; o < g.size(); ++o)
            sg = std::max(sg, std::abs(double(g[o])) * sw[o % size_t(c.outChannels)]);
        sg /= 127.0;
        std::vector<double> gradStep(g.size());
        for (size_t o = 0; o < g.size(); ++o)
            gradStep[o] = sg / sw[o % size_t(c.outChannels)];
        within("input gradient", b.gradInputs[0], a.gradInputs[0],
               add(c.inputGradient(gradStep, wPlus), c.inputGradient(absG, halfStep)), c.inputGradient(absG, absW));

        // Weight gradient: gradZ quantised per tensor with step max|g| / 127, x with step sx.
        const double sgw = double(*std::max_element(absG.begin(), absG.end())) / 127.0;
        const std::vector<double> sgwAll(g.size(), sgw);
        within("weight gradient", gb[0].values, ga[0].values,
               add(c.weightGradient(sgwAll, xPlus), c.weightGradient(absG, sxAll)), c.weightGradient(absG, xd));
        QVERIFY(ga[1].values == gb[1].values); // the bias gradient is FP32 column sums in both
    }

    // The GEMMs each layer describes are the ones it issues, in order and shape.
    void describedGemmsAreIssued_data()
    {
        QTest::addColumn<bool>("int8");
        QTest::addColumn<ConvCase>("c");
        QTest::newRow("fp32 groups 2") << false << ConvCase{2, 7, 6, 4, 6, 3, 2, 1, 2};
        QTest::newRow("int8 groups 2") << true << ConvCase{2, 7, 6, 4, 6, 3, 2, 1, 2};
        QTest::newRow("int8 1x1") << true << ConvCase{3, 4, 4, 5, 7, 1, 1, 0, 1};
        // The depthwise ops issue no GEMM at all.
        QTest::newRow("fp32 depthwise") << false << ConvCase{2, 7, 6, 5, 5, 3, 2, 1, 5};
        QTest::newRow("int8 depthwise") << true << ConvCase{2, 7, 6, 5, 5, 3, 2, 1, 5};
    }
    void describedGemmsAreIssued()
    {
        QFETCH(bool, int8);
        QFETCH(ConvCase, c);
        testing::RecordingBackend backend;
        const LayerOptions options = reluLayer(int8);
        SplitMix64 init(31), rng(32);
        Conv2d conv(backend, "c", inputOf(c), convOptions(c), options, init);
        const Values x = randomValues(c.inputValues(), rng, 0.0f, 1.0f);
        const Values g = randomValues(c.outputValues(), rng, -1.0f, 1.0f);
        backend.calls.clear();
        run(backend, conv, {x}, c.batch, &g);
        QStringList issued, described;
        for (const testing::Call &call : backend.calls)
            issued << testing::describe(call);
        size_t macs = 0;
        for (const LayerGemm &gemm : conv.gemms(c.batch, true)) {
            for (int i = 0; i < gemm.repeats; ++i)
                described << testing::describe(
                    {gemm.ta, gemm.tb, gemm.m, gemm.n, gemm.k, gemm.lda, gemm.ldb, gemm.int8});
            if (gemm.what == "forward")
                macs += size_t(gemm.m) * gemm.n * gemm.k * gemm.repeats;
        }
        QCOMPARE(described, issued);
        if (c.groups > 1 && c.groups == c.inChannels && c.groups == c.outChannels) {
            QVERIFY(issued.isEmpty());
            macs = c.weightValues() * c.outHeight() * c.outWidth() * size_t(c.batch); // the definition's
        }
        QCOMPARE(macs, conv.macsPerImage() * size_t(c.batch));
    }

    // A depthwise layer's direct ops against the same layer on im2col and grouped GEMMs (the path every
    // other convolution takes), same weights, data and random stream: what they define alike is equal
    // to the bit, the rest within its rounding.
    void depthwiseOpsMatchGroupedGemms_data()
    {
        QTest::addColumn<bool>("int8");
        QTest::addColumn<ConvCase>("c");
        // 576 output positions: the weight gradient sums 3 blocks of rows, the last one partial.
        QTest::newRow("fp32 3x3 padding 1, 12x12x6") << false << ConvCase{4, 12, 12, 6, 6, 3, 1, 1, 6};
        QTest::newRow("fp32 5x5 stride 2 padding 2, 8x11x13") << false << ConvCase{2, 8, 11, 13, 13, 5, 2, 2, 13};
        QTest::newRow("int8 3x3 padding 1, 12x12x6") << true << ConvCase{4, 12, 12, 6, 6, 3, 1, 1, 6};
        QTest::newRow("int8 5x5 stride 2 padding 2, 8x11x13") << true << ConvCase{2, 8, 11, 13, 13, 5, 2, 2, 13};
    }
    void depthwiseOpsMatchGroupedGemms()
    {
        QFETCH(bool, int8);
        QFETCH(ConvCase, c);
        ReferenceBackend backend;
        const LayerOptions options = reluLayer(int8);
        SplitMix64 initA(41), initB(41), rng(42);
        Conv2d direct(backend, "direct", inputOf(c), convOptions(c), options, initA);
        Conv2d grouped(backend, "grouped", inputOf(c), convOptions(c), options, initB);
        grouped.setDepthwiseOps(false);
        const Values x = randomValues(c.inputValues(), rng, -1.0f, 1.0f);
        const Values g = randomValues(c.outputValues(), rng, -1.0f, 1.0f);
        const Pass a = run(backend, direct, {x}, c.batch, &g), b = run(backend, grouped, {x}, c.batch, &g);
        const std::vector<NamedValues> ga = direct.gradientsToHost(), gb = grouped.gradientsToHost();
        // The forward pass: the same double sums (FP32) or INT32 sums, dequantised alike.
        QVERIFY(a.output == b.output);
        QVERIFY(ga[1].values == gb[1].values);
        const size_t taps = size_t(c.kernel) * c.kernel;
        if (!int8) {
            // col2im of the GEMM's FP32 products adds them as the op does.
            QVERIFY(a.gradInputs[0] == b.gradInputs[0]);
            // Blocks of double sums against one double sum, each rounded once to FP32: half an ulp
            // each, plus the double additions' error on the sum of the products' magnitudes.
            std::vector<double> absX(x.size()), absG(g.size());
            std::transform(x.begin(), x.end(), absX.begin(), [](float v) { return std::abs(double(v)); });
            std::transform(g.begin(), g.end(), absG.begin(), [](float v) { return std::abs(double(v)); });
            const std::vector<double> magnitude = c.weightGradient(absG, absX);
            for (size_t i = 0; i < magnitude.size(); ++i)
                QVERIFY2(std::abs(double(ga[0].values[i]) - gb[0].values[i])
                             <= FLT_EPSILON * std::abs(double(gb[0].values[i])) + 1e-12 * magnitude[i],
                         qPrintable(QString("weight gradient %1: direct %2, grouped %3")
                                        .arg(i)
                                        .arg(ga[0].values[i])
                                        .arg(gb[0].values[i])));
            return;
        }
        // INT32 accumulators of the same codes, dequantised with the same scales.
        QVERIFY(ga[0].values == gb[0].values);
        // The input gradient: the direct path dequantises each window's INT32 sum once, the GEMM path
        // each of its products and adds them in FP32. Every term is at most T = 127 * 127 * the output
        // gradient's step, that step max |g * sw_c| / 127 with the weight scales sw_c folded in; the
        // roundings of both (taps products, taps - 1 sums of at most taps * T, one) stay within
        // FLT_EPSILON * taps * (taps + 2) * T.
        const std::vector<float> w = direct.exportState()[0].values;
        double step = 0.0;
        for (size_t o = 0; o < g.size(); ++o) {
            const size_t channel = o % size_t(c.outChannels);
            double sw = 0.0;
            for (size_t k = 0; k < taps; ++k)
                sw = std::max(sw, std::abs(double(w[channel * taps + k])) / 127.0);
            step = std::max(step, std::abs(double(g[o])) * sw / 127.0);
        }
        const double bound = FLT_EPSILON * double(taps) * double(taps + 2) * 127.0 * 127.0 * step;
        for (size_t i = 0; i < x.size(); ++i)
            QVERIFY2(std::abs(double(a.gradInputs[0][i]) - b.gradInputs[0][i]) <= bound,
                     qPrintable(QString("input gradient %1: direct %2, grouped %3, bound %4")
                                    .arg(i)
                                    .arg(a.gradInputs[0][i])
                                    .arg(b.gradInputs[0][i])
                                    .arg(bound)));
    }

    // The cpu backend runs the reference's row kernels over its threads: a depthwise layer gives the
    // reference backend's bits in FP32 and INT8, forward and every gradient.
    void depthwiseCpuEqualsReference_data()
    {
        QTest::addColumn<bool>("int8");
        QTest::addColumn<ConvCase>("c");
        // Work enough that the cpu backend splits each op across its threads.
        QTest::newRow("fp32 3x3 padding 1, 12x10x16") << false << ConvCase{3, 12, 10, 16, 16, 3, 1, 1, 16};
        QTest::newRow("int8 3x3 padding 1, 12x10x16") << true << ConvCase{3, 12, 10, 16, 16, 3, 1, 1, 16};
        QTest::newRow("int8 5x5 stride 2 padding 2, 15x13x20") << true << ConvCase{4, 15, 13, 20, 20, 5, 2, 2, 20};
    }
    void depthwiseCpuEqualsReference()
    {
        QFETCH(bool, int8);
        QFETCH(ConvCase, c);
        ReferenceBackend reference;
        CpuBackend cpu(2);
        const LayerOptions options = reluLayer(int8);
        SplitMix64 initA(51), initB(51), rng(52);
        Conv2d onReference(reference, "c", inputOf(c), convOptions(c), options, initA);
        Conv2d onCpu(cpu, "c", inputOf(c), convOptions(c), options, initB);
        const Values x = randomValues(c.inputValues(), rng, -1.0f, 1.0f);
        const Values g = randomValues(c.outputValues(), rng, -1.0f, 1.0f);
        const Pass a = run(reference, onReference, {x}, c.batch, &g), b = run(cpu, onCpu, {x}, c.batch, &g);
        QVERIFY(a.output == b.output);
        QVERIFY(a.gradInputs[0] == b.gradInputs[0]);
        const std::vector<NamedValues> ga = onReference.gradientsToHost(), gb = onCpu.gradientsToHost();
        QVERIFY(ga[0].values == gb[0].values);
        QVERIFY(ga[1].values == gb[1].values);
    }

    // A model whose shapes do not chain is refused when its layers are built, naming the layer,
    // the shape it was given and the one it needs.
    void shapesThatDoNotChainAreRefused()
    {
        ReferenceBackend backend;
        SplitMix64 init(1);
        auto refused = [](const std::function<void()> &build, const QStringList &words) {
            try {
                build();
            } catch (const EngineError &e) {
                const QString message = e.what();
                for (const QString &w : words)
                    QVERIFY2(message.contains(w), qPrintable(QString("\"%1\" does not name %2").arg(message, w)));
                return;
            }
            QFAIL(qPrintable("accepted: expected a refusal naming " + words.join(", ")));
        };
        ConvOptions conv;
        conv.outChannels = 8;
        conv.kernel = 3;
        // A convolution after a flatten: 784x1x1 is no image a 3x3 kernel fits.
        refused([&] { Conv2d(backend, "conv_after_flatten", Shape::flat(784), conv, fp32NoRelu(), init); },
                {"conv_after_flatten", "784x1x1", "Cx3x3"});
        refused([&] { ResidualAdd(backend, "join", Shape::image(16, 14, 14), Shape::image(16, 7, 7)); },
                {"join", "16x14x14", "16x7x7"});
        refused([&] { Linear(backend, "head", Shape::image(16, 7, 7), 10, fp32NoRelu(), init); },
                {"head", "16x7x7", "784x1x1"});
        PoolOptions pool;
        pool.kernel = 3;
        refused([&] { MaxPool2d(backend, "pool", Shape::image(8, 2, 2), pool); }, {"pool", "8x2x2", "Cx3x3"});
        conv.groups = 3;
        refused([&] { Conv2d(backend, "grouped", Shape::image(4, 8, 8), conv, fp32NoRelu(), init); },
                {"grouped", "groups"});
        // The static checks answer before anything is built.
        QCOMPARE(Conv2d::outputShape("ok", Shape::image(3, 28, 28), ConvOptions{8, 3, 2, 1, 1, true}),
                 Shape::image(8, 14, 14));
    }
};

QTEST_GUILESS_MAIN(TestLayerGradients)
#include "tst_layer_gradients.moc"
