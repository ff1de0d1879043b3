// The cuda backend: what is pure host arithmetic (the cuBLASLt layout and padding plans, executed
// here by an emulation of cuBLASLt's column-major matmul; the pool's size classes) runs
// everywhere; the backend factory's answer is checked either way; the ops and a training step
// against the reference backend run where a GPU is present and skip with the reason elsewhere.
#include "engine/backend/backend_factory.h"
#include "engine/backend/cuda/device_pool.h"
#include "engine/backend/cuda/gemm_plan.h"
#include "engine/backend/reference_backend.h"
#include "engine/core/counter_rng.h"
#include "engine/core/error.h"
#include "engine/tools/op_checks.h"
#include "engine/train/ff_trainer.h"

#include "support/qt_compat.h"

#include <QtTest>

#include <vector>

using namespace ffint8;
using namespace ffint8::cuda;

namespace {

// cuBLASLt's contract for one column-major problem, element by element: D(i, j) = sum_l op(A)(i, l)
// op(B)(l, j), A stored (transA ? k x m : m x k) with leading dimension lda (likewise B), D with ldc.
template <typename In, typename Acc>
void emulateLt(const LtProblem &p, const std::vector<In> &a, const std::vector<In> &b, std::vector<Acc> &c)
{
    for (int j = 0; j < p.n; ++j)
        for (int i = 0; i < p.m; ++i) {
            Acc sum = 0;
            for (int l = 0; l < p.k; ++l) {
                const In av = p.transA ? a[size_t(i) * p.lda + l] : a[size_t(l) * p.lda + i];
                const In bv = p.transB ? b[size_t(l) * p.ldb + j] : b[size_t(j) * p.ldb + l];
                sum += Acc(av) * Acc(bv);
            }
            c[size_t(j) * p.ldc + i] = sum;
        }
}

// The pack kernel's contract: dst (rowsPadded x colsPadded) holds src or its transpose, zero-padded.
std::vector<int8_t> pack(const std::vector<int8_t> &src, int ld, bool transposed, int rows, int cols, int rowsPadded,
                         int colsPadded)
{
    std::vector<int8_t> dst(size_t(rowsPadded) * colsPadded, 0);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
            dst[size_t(r) * colsPadded + c] = transposed ? src[size_t(c) * ld + r] : src[size_t(r) * ld + c];
    return dst;
}

std::vector<int8_t> randomInt8(size_t n, SplitMix64 &rng)
{
    std::vector<int8_t> v(n);
    for (auto &x : v)
        x = int8_t(int(rng.below(255)) - 127);
    return v;
}

} // namespace

class TestCudaBackend : public QObject
{
    Q_OBJECT

private slots:
    void factoryAnswersForCuda()
    {
        const auto list = backendAvailability();
        auto it = std::find_if(list.begin(), list.end(), [](const BackendAvailability &b) { return b.name == "cuda"; });
        QVERIFY(it != list.end());
        QVERIFY2(!it->reason.empty(), "cuda's availability must say what it runs on or why not");
        if (it->available) {
            auto backend = createBackend("cuda", 0);
            QCOMPARE(QString::fromStdString(backend->name()), QString("cuda"));
            return;
        }
        try {
            createBackend("cuda", 0);
            QFAIL("createBackend(\"cuda\") succeeded although cuda is reported unavailable");
        } catch (const EngineError &e) {
            // The error carries the reason the backend list gives, so a user sees why.
            QVERIFY2(std::string(e.what()).find(it->reason) != std::string::npos, e.what());
        }
    }

    void pointerAlignmentIsThePowerOfTwo()
    {
        alignas(256) static char buffer[512];
        QCOMPARE(pointerAlignment(buffer), 256);
        QCOMPARE(pointerAlignment(buffer + 4), 4);
        QCOMPARE(pointerAlignment(buffer + 48), 16);
        QCOMPARE(pointerAlignment(buffer + 1), 1);
    }

    // The FF forward GEMM at the paper's shapes runs in place: both operands are already K-contiguous.
    void forwardShapeNeedsNoRepacking()
    {
        const Int8GemmPlan plan = planInt8Gemm(Trans::No, Trans::Yes, 64, 1000, 784, 784, 784, 1000, 256, 256, 256, false);
        QVERIFY(!plan.packA && !plan.packB && !plan.stageC);
        QCOMPARE(plan.problem.m, 1000);
        QCOMPARE(plan.problem.n, 64);
        QCOMPARE(plan.problem.k, 784);
        QVERIFY(plan.problem.transA && !plan.problem.transB);
    }

    // The weight gradient reduces over the batch: both operands are transposed into K-contiguous copies.
    void weightGradientRepacksBoth()
    {
        const Int8GemmPlan plan = planInt8Gemm(Trans::Yes, Trans::No, 1000, 784, 64, 1000, 784, 784, 256, 256, 256, false);
        QVERIFY(plan.packA && plan.packB && !plan.stageC);
        QCOMPARE(plan.kPadded, 64);
        QCOMPARE(plan.packABytes, size_t(1000) * 64);
        QCOMPARE(plan.packBBytes, size_t(784) * 64);
    }

    void oddShapesArePaddedAndStaged()
    {
        const Int8GemmPlan plan = planInt8Gemm(Trans::No, Trans::No, 3, 5, 7, 7, 5, 5, 256, 256, 256, false);
        QVERIFY(plan.packA && plan.packB && plan.stageC);
        QCOMPARE(plan.kPadded, 16);
        QCOMPARE(plan.nPadded, 8);
        QCOMPARE(plan.problem.ldc, 8);
        const Int8GemmPlan fallback = planInt8Gemm(Trans::No, Trans::Yes, 1, 64, 64, 64, 64, 64, 256, 256, 256, true);
        QVERIFY(fallback.packA && fallback.packB && fallback.stageC);
        QCOMPARE(fallback.mPadded, 32); // more than 16 rows, as PyTorch guards cuBLASLt's INT8 matmul
        QCOMPARE(fallback.problem.n, 32);
    }

    void badShapesAreRefused()
    {
        QVERIFY_THROWS_EXCEPTION(EngineError, planInt8Gemm(Trans::No, Trans::No, 4, 4, 4, 3, 4, 4, 256, 256, 256, false));
        QVERIFY_THROWS_EXCEPTION(EngineError, planInt8Gemm(Trans::No, Trans::No, -1, 4, 4, 4, 4, 4, 256, 256, 256, false));
    }

    // Every plan, executed as cuBLASLt is told to execute it (IMMA's rules checked on the way),
    // gives the textbook product: the mapping, the transposes and the padding are right.
    void int8PlansComputeTheProduct_data()
    {
        QTest::addColumn<int>("m");
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("k");
        QTest::addColumn<int>("extraLd");
        QTest::addColumn<bool>("forcePack");
        const int shapes[][3] = {{1, 1, 1}, {3, 5, 7}, {17, 33, 65}, {64, 40, 48}, {31, 129, 255}, {8, 12, 20}};
        for (auto [m, n, k] : shapes)
            for (int extra : {0, 3, 4})
                for (bool force : {false, true})
                    QTest::addRow("%dx%dx%d ld+%d%s", m, n, k, extra, force ? " forced" : "") << m << n << k << extra << force;
    }

    void int8PlansComputeTheProduct()
    {
        QFETCH(int, m);
        QFETCH(int, n);
        QFETCH(int, k);
        QFETCH(int, extraLd);
        QFETCH(bool, forcePack);
        SplitMix64 rng(uint64_t(m * 1000003 + n * 1009 + k + extraLd));
        for (int t = 0; t < 4; ++t) {
            const Trans ta = (t & 1) ? Trans::Yes : Trans::No, tb = (t & 2) ? Trans::Yes : Trans::No;
            const int lda = (ta == Trans::Yes ? m : k) + extraLd, ldb = (tb == Trans::Yes ? k : n) + extraLd, ldc = n + extraLd;
            const auto a = randomInt8(size_t(ta == Trans::Yes ? k : m) * lda, rng);
            const auto b = randomInt8(size_t(tb == Trans::Yes ? n : k) * ldb, rng);
            const Int8GemmPlan plan = planInt8Gemm(ta, tb, m, n, k, lda, ldb, ldc, 256, 256, 256, forcePack);
            const LtProblem &p = plan.problem;
            // IMMA with the regular layout: TN, m, k and every leading dimension a multiple of 4.
            QVERIFY(p.transA && !p.transB);
            QVERIFY(p.m % 4 == 0 && p.k % 4 == 0 && p.lda % 4 == 0 && p.ldb % 4 == 0 && p.ldc % 4 == 0);
            QVERIFY(p.lda >= p.k && p.ldb >= p.k && p.ldc >= p.m);

            const auto aOperand = plan.packA ? pack(a, lda, ta == Trans::Yes, m, k, plan.mPadded, plan.kPadded) : a;
            const auto bOperand = plan.packB ? pack(b, ldb, tb == Trans::No, n, k, plan.nPadded, plan.kPadded) : b;
            QCOMPARE(aOperand.size() >= size_t(p.n - 1) * p.ldb + p.k, true);
            QCOMPARE(bOperand.size() >= size_t(p.m - 1) * p.lda + p.k, true);
            std::vector<int32_t> out(size_t(p.n) * p.ldc, 0);
            emulateLt<int8_t, int32_t>(p, bOperand, aOperand, out); // cuBLASLt's A is our B'
            const int outLd = plan.stageC ? plan.nPadded : ldc;
            for (int i = 0; i < m; ++i)
                for (int j = 0; j < n; ++j) {
                    int32_t expected = 0;
                    for (int l = 0; l < k; ++l)
                        expected += int32_t(ta == Trans::Yes ? a[size_t(l) * lda + i] : a[size_t(i) * lda + l]) *
                                    int32_t(tb == Trans::Yes ? b[size_t(j) * ldb + l] : b[size_t(l) * ldb + j]);
                    if (out[size_t(i) * outLd + j] != expected)
                        QFAIL(qPrintable(QString("trans %1: C[%2][%3] = %4, expected %5").arg(t).arg(i).arg(j)
                                             .arg(out[size_t(i) * outLd + j]).arg(expected)));
                }
        }
    }

    // The FP32 mapping (operands swapped, flags and leading dimensions kept) for every transposition.
    void f32MappingComputesTheProduct()
    {
        SplitMix64 rng(5);
        const int m = 5, n = 7, k = 3;
        for (int t = 0; t < 4; ++t) {
            const Trans ta = (t & 1) ? Trans::Yes : Trans::No, tb = (t & 2) ? Trans::Yes : Trans::No;
            const int lda = (ta == Trans::Yes ? m : k) + 2, ldb = (tb == Trans::Yes ? k : n) + 1, ldc = n + 3;
            std::vector<double> a(size_t(ta == Trans::Yes ? k : m) * lda), b(size_t(tb == Trans::Yes ? n : k) * ldb);
            for (double &v : a)
                v = rng.uniform();
            for (double &v : b)
                v = rng.uniform();
            const LtProblem p = rowMajorAsColumnMajor(LtKind::F32, ta, tb, m, n, k, lda, ldb, ldc, 256, 256, 256, false);
            std::vector<double> c(size_t(m) * ldc, 0.0);
            emulateLt<double, double>(p, b, a, c);
            for (int i = 0; i < m; ++i)
                for (int j = 0; j < n; ++j) {
                    double expected = 0.0;
                    for (int l = 0; l < k; ++l)
                        expected += (ta == Trans::Yes ? a[size_t(l) * lda + i] : a[size_t(i) * lda + l]) *
                                    (tb == Trans::Yes ? b[size_t(j) * ldb + l] : b[size_t(l) * ldb + j]);
                    QVERIFY(std::abs(c[size_t(i) * ldc + j] - expected) < 1e-12);
                }
        }
    }

    void planCacheKeysTellProblemsApart()
    {
        const LtProblem a = rowMajorAsColumnMajor(LtKind::F32, Trans::No, Trans::Yes, 64, 1000, 784, 784, 784, 1000, 256, 256, 256, false);
        LtProblem b = a;
        QVERIFY(a.key() == b.key());
        b.alignA = 4; // an algorithm chosen for aligned pointers may not run on these
        QVERIFY(a.key() != b.key());
        b = a;
        b.kind = LtKind::Tf32;
        QVERIFY(a.key() != b.key());
        b = a;
        b.accumulate = true;
        QVERIFY(a.key() != b.key());
    }

    void poolSizeClassesBoundTheWaste()
    {
        size_t previous = 0;
        for (size_t bytes = 1; bytes < (size_t(1) << 28); bytes = bytes * 3 / 2 + 7) {
            const size_t size = poolSizeClass(bytes);
            QVERIFY(size >= bytes);
            QVERIFY(size % 512 == 0);
            QVERIFY(size >= previous); // monotone: a larger request never gets a smaller class
            if (bytes >= 4096)
                QVERIFY2(double(size - bytes) / double(bytes) <= 0.125, qPrintable(QString::number(bytes)));
            previous = size;
        }
        QCOMPARE(poolSizeClass(1000 * 784 * 4), poolSizeClass(1000 * 784 * 4 - 100)); // near sizes share a class
    }

    // --- on a GPU only ---
    void cudaOpsMatchReference()
    {
        std::string reason;
        if (!cudaAvailable(reason))
            QSKIP(qPrintable("no GPU here: " + QString::fromStdString(reason)));
        auto cuda = createBackend("cuda", 0);
        ReferenceBackend reference;
        const auto results = runOpChecks(*cuda, reference, 23);
        QVERIFY(results.size() > 80);
        for (const auto &r : results)
            QVERIFY2(r.passed, qPrintable(QString("%1 %2: error %3 > tolerance %4 (%5)").arg(r.op.c_str(), r.shape.c_str())
                                              .arg(r.maxError).arg(r.tolerance).arg(r.reason.c_str())));
    }

    // One FF-INT8 step on the GPU and on the reference backend from the same weights, data and seed:
    // the same counter-based rounding makes the losses agree to FP32 rounding.
    void cudaTrainingStepMatchesReference()
    {
        std::string reason;
        if (!cudaAvailable(reason))
            QSKIP(qPrintable("no GPU here: " + QString::fromStdString(reason)));
        Dataset data;
        data.name = "synthetic";
        data.count = 16;
        data.height = data.width = 8;
        SplitMix64 rng(3);
        data.images.resize(size_t(data.count) * data.features());
        for (float &v : data.images)
            v = rng.uniform();
        for (int i = 0; i < data.count; ++i)
            data.labels.push_back(uint8_t(i % 10));
        TrainConfig config;
        config.layers = {64, 33, 20};
        config.batch = 8;
        config.lambda.start = 0.05f; // the look-ahead chain runs too
        auto cuda = createBackend("cuda", 0);
        ReferenceBackend reference;
        FfTrainer onCuda(config, *cuda), onReference(config, reference);
        std::vector<int> indices = {0, 1, 2, 3, 4, 5, 6, 7};
        std::vector<uint8_t> negatives = {1, 2, 3, 4, 5, 6, 7, 8};
        onCuda.beginEpoch(0);
        onReference.beginEpoch(0);
        for (int step = 0; step < 3; ++step) {
            const StepStats a = onCuda.trainStep(data, indices.data(), 8, negatives.data());
            const StepStats b = onReference.trainStep(data, indices.data(), 8, negatives.data());
            // Later steps start from updated weights: a last-bit FP32 difference on an INT8 rounding
            // boundary moves one weight by one step, hence 1e-3 rather than FP32 rounding.
            QVERIFY2(std::abs(a.loss - b.loss) <= 1e-3 * std::max(1.0, std::abs(b.loss)),
                     qPrintable(QString("step %1: cuda loss %2, reference %3").arg(step).arg(a.loss).arg(b.loss)));
        }
    }

private:
    static bool cudaAvailable(std::string &reason)
    {
        for (const auto &b : backendAvailability())
            if (b.name == "cuda") {
                reason = b.reason;
                return b.available;
            }
        reason = "no cuda entry in the backend list";
        return false;
    }
};

QTEST_APPLESS_MAIN(TestCudaBackend)
#include "tst_cuda_backend.moc"
