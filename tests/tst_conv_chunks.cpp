// A convolution whose batch spans several chunks of its column scratch (Conv2d::chunks): its
// output and input gradient equal those of each image on its own, in FP32 and INT8 (on the
// reference backend, whose GEMMs add in one order whatever their size), its FP32 weight gradient
// their sum, and its scratch stays the size of a chunk however large the batch.
#include "engine/backend/reference_backend.h"
#include "engine/core/counter_rng.h"
#include "engine/nn/conv2d.h"
#include "support/layer_pass.h"

#include <QtTest>
#include <cmath>

using namespace ffint8;
using ffint8::testing::forwardBackward;
using ffint8::testing::LayerPass;

namespace {

using Values = std::vector<float>;

// Values in [-1, 1) with one value of magnitude 1 in every image: each image's largest magnitude,
// and so the per-tensor INT8 scale, is the batch's, and one image quantises as it does in the batch.
Values valuesWithEqualRanges(int rows, size_t perImage, uint64_t seed)
{
    SplitMix64 rng(seed);
    Values v(size_t(rows) * perImage);
    for (float &x : v)
        x = 1.9f * rng.uniform() - 0.95f;
    for (int r = 0; r < rows; ++r)
        v[size_t(r) * perImage + size_t(r) % perImage] = (r % 2) ? 1.0f : -1.0f;
    return v;
}

} // namespace

class TestConvChunks : public QObject
{
    Q_OBJECT

private slots:
    void chunksEqualImageByImage_data()
    {
        QTest::addColumn<bool>("int8");
        QTest::addColumn<int>("stride");
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("chunk");
        // 64 channels of 32x32 with a 3x3 kernel: 576 columns of 1024 output pixels an image (256
        // at stride 2), 7 images a chunk (28 at stride 2): several chunks and a smaller last one.
        QTest::newRow("fp32") << false << 1 << 13 << 7;
        QTest::newRow("fp32 stride 2") << false << 2 << 31 << 28;
        QTest::newRow("int8") << true << 1 << 13 << 7;
        QTest::newRow("int8 stride 2") << true << 2 << 31 << 28;
    }

    void chunksEqualImageByImage()
    {
        QFETCH(bool, int8);
        QFETCH(int, stride);
        QFETCH(int, rows);
        QFETCH(int, chunk);
        const Shape input = Shape::image(64, 32, 32);
        const ConvOptions conv{32, 3, stride, 1, 1, false};
        LayerOptions options;
        options.relu = false;
        options.precision = int8 ? Precision::Int8 : Precision::Fp32;
        options.weightsPerChannel = false;
        options.activationRounding = options.gradientRounding = Rounding::Nearest;
        ReferenceBackend backend;
        SplitMix64 init(5);
        Conv2d layer(backend, "chunked", input, conv, options, init);
        const size_t inPer = size_t(input.features()), outPer = size_t(layer.outputShape().features());
        const Values x = valuesWithEqualRanges(rows, inPer, 1);
        const Values g = valuesWithEqualRanges(rows, outPer, 2);
        const LayerPass batch = forwardBackward(backend, layer, x, g, rows);

        Values weightSum(batch.gradients.front().values.size(), 0.0f);
        size_t imageScratch = 0;
        for (int r = 0; r < rows; ++r) {
            const Values xi(x.begin() + ptrdiff_t(r * inPer), x.begin() + ptrdiff_t((r + 1) * inPer));
            const Values gi(g.begin() + ptrdiff_t(r * outPer), g.begin() + ptrdiff_t((r + 1) * outPer));
            const LayerPass one = forwardBackward(backend, layer, xi, gi, 1);
            imageScratch = std::max(imageScratch, one.scratchBytes);
            for (size_t i = 0; i < outPer; ++i)
                QCOMPARE(batch.output[r * outPer + i], one.output[i]);
            for (size_t i = 0; i < inPer; ++i)
                QCOMPARE(batch.gradInput[r * inPer + i], one.gradInput[i]);
            for (size_t i = 0; i < weightSum.size(); ++i)
                weightSum[i] += one.gradients.front().values[i];
        }
        // The same products added in another order (INT8: dequantised before they are added).
        for (size_t i = 0; i < weightSum.size(); ++i)
            QVERIFY2(std::abs(batch.gradients.front().values[i] - weightSum[i]) <= 1e-3f * (1.0f + std::abs(weightSum[i])),
                     qPrintable(QString("weight %1: %2 vs %3").arg(i).arg(batch.gradients.front().values[i]).arg(weightSum[i])));
        // The scratch is that of one chunk; INT8 also keeps the batch's 8-bit columns and gradient
        // codes for its weight gradient (one INT32 GEMM over the batch).
        const Values xc(x.begin(), x.begin() + ptrdiff_t(size_t(chunk) * inPer));
        const Values gc(g.begin(), g.begin() + ptrdiff_t(size_t(chunk) * outPer));
        const size_t chunkScratch = forwardBackward(backend, layer, xc, gc, chunk).scratchBytes;
        const size_t pixels = size_t(layer.outputShape().height) * layer.outputShape().width;
        const size_t batchCodes = int8 ? size_t(rows - chunk) * pixels * (576 + 32) : 0;
        QVERIFY2(batch.scratchBytes <= chunkScratch + batchCodes,
                 qPrintable(QString("%1 > %2 + %3").arg(batch.scratchBytes).arg(chunkScratch).arg(batchCodes)));
        QVERIFY(batch.scratchBytes < size_t(rows) * imageScratch);
    }
};

QTEST_GUILESS_MAIN(TestConvChunks)
#include "tst_conv_chunks.moc"
