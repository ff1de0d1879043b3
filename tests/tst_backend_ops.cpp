// Every op of the cpu backend against the reference backend, on every INT8 GEMM path this CPU can
// run, at one and at several threads; and the harness itself shown to catch wrong GEMMs.
#include "engine/backend/cpu_backend.h"
#include "engine/backend/reference_backend.h"
#include "engine/core/error.h"
#include "engine/tools/op_checks.h"

#include <QtTest>
#include <algorithm>
#include <cstdio>
#include <map>

using namespace ffint8;

namespace {

// A model of oneDNN's s8s8s32 GEMM on CPUs without VNNI: 128 added to A's codes, pairs multiplied by
// B and added into a saturating int16 (vpmaddubsw), 128 x B subtracted again.
int32_t saturatingPairsDot(const int8_t *a, int strideA, const int8_t *b, int strideB, int k)
{
    int32_t sum = 0, compensation = 0;
    for (int p = 0; p < k; p += 2) {
        int pair = 0;
        for (int q = p; q < std::min(k, p + 2); ++q) {
            pair += (int(a[q * strideA]) + 128) * int(b[q * strideB]);
            compensation += 128 * int(b[q * strideB]);
        }
        sum += std::clamp(pair, -32768, 32767);
    }
    return sum - compensation;
}

int gemmFailures(const std::vector<OpCheckResult> &results)
{
    int failed = 0;
    for (const auto &r : results)
        failed += !r.passed && r.op.rfind("gemm_s8s8s32", 0) == 0;
    return failed;
}

int gemmChecks(const std::vector<OpCheckResult> &results)
{
    return int(std::count_if(results.begin(), results.end(),
                             [](const OpCheckResult &r) { return r.op.rfind("gemm_s8s8s32", 0) == 0; }));
}

} // namespace

class TestBackendOps : public QObject
{
    Q_OBJECT

    struct Run
    {
        CpuInt8Path path;
        int threads;
        std::vector<OpCheckResult> results;
    };
    std::vector<Run> m_runs;

private slots:
    void initTestCase()
    {
        ReferenceBackend reference;
        for (CpuInt8Path path : allInt8Paths()) {
            if (!int8PathUnavailableReason(path).empty())
                continue;
            for (int threads : {1, 2}) {
                CpuBackend cpu(threads, path);
                m_runs.push_back({path, threads, runOpChecks(cpu, reference, 11)});
                QVERIFY(m_runs.back().results.size() > 200); // every op, several shapes, modes and signs each
            }
        }
        QVERIFY(!m_runs.empty());
    }

    void cpuMatchesReference_data()
    {
        QTest::addColumn<int>("run");
        QTest::addColumn<int>("check");
        for (size_t r = 0; r < m_runs.size(); ++r)
            for (size_t i = 0; i < m_runs[r].results.size(); ++i)
                QTest::addRow("int8 %s, %d threads: %s %s", int8PathName(m_runs[r].path), m_runs[r].threads,
                              m_runs[r].results[i].op.c_str(), m_runs[r].results[i].shape.c_str())
                    << int(r) << int(i);
    }

    void cpuMatchesReference()
    {
        QFETCH(int, run);
        QFETCH(int, check);
        const auto &r = m_runs[size_t(run)].results[size_t(check)];
        QVERIFY2(r.passed,
                 qPrintable(QString("%1 %2: error %3 > tolerance %4")
                                .arg(r.op.c_str(), r.shape.c_str())
                                .arg(r.maxError)
                                .arg(r.tolerance)));
    }

    // Each path either ran above or says here why it cannot run on this CPU (never a silent pass).
    void everyPathRunsOrSaysWhyNot_data()
    {
        QTest::addColumn<int>("path");
        for (CpuInt8Path p : allInt8Paths())
            QTest::addRow("%s", int8PathName(p)) << int(p);
    }

    void everyPathRunsOrSaysWhyNot()
    {
        QFETCH(int, path);
        const auto p = CpuInt8Path(path);
        const std::string why = int8PathUnavailableReason(p);
        if (!why.empty()) {
            bool refused = false;
            try {
                CpuBackend refusedBackend(1, p);
            } catch (const EngineError &) {
                refused = true;
            }
            QVERIFY(refused);
            QSKIP(qPrintable(QString("int8 path %1 cannot run here: %2").arg(int8PathName(p), why.c_str())));
        }
        QVERIFY(std::any_of(m_runs.begin(), m_runs.end(), [p](const Run &r) { return r.path == p; }));
        QVERIFY(CpuBackend(1, p).description().find(std::string("int8 ") + int8PathName(p)) != std::string::npos);
    }

    // The check harness itself must be able to fail: a backend whose GEMM is off by one is caught.
    void harnessCatchesAWrongGemm()
    {
        class OffByOne : public CpuBackend
        {
        public:
            void gemmS8S8S32(Trans ta, Trans tb, int m, int n, int k, const int8_t *a, int lda, const int8_t *b,
                             int ldb, int32_t *c, int ldc) override
            {
                CpuBackend::gemmS8S8S32(ta, tb, m, n, k, a, lda, b, ldb, c, ldc);
                c[0] += 1;
            }
        };
        ReferenceBackend reference;
        OffByOne broken;
        const auto results = runOpChecks(broken, reference, 11);
        QCOMPARE(gemmFailures(results), gemmChecks(results));
    }

    // ... and a GEMM that saturates as oneDNN's s8s8s32 does without VNNI is caught on any CPU.
    void harnessCatchesSaturatingPairs()
    {
        class SaturatingPairs : public CpuBackend
        {
        public:
            void gemmS8S8S32(Trans ta, Trans tb, int m, int n, int k, const int8_t *a, int lda, const int8_t *b,
                             int ldb, int32_t *c, int ldc) override
            {
                for (int i = 0; i < m; ++i)
                    for (int j = 0; j < n; ++j)
                        c[size_t(i) * ldc + j] = saturatingPairsDot(
                            ta == Trans::Yes ? a + i : a + size_t(i) * lda, ta == Trans::Yes ? lda : 1,
                            tb == Trans::Yes ? b + size_t(j) * ldb : b + j, tb == Trans::Yes ? 1 : ldb, k);
            }
        };
        ReferenceBackend reference;
        SaturatingPairs saturating;
        const auto results = runOpChecks(saturating, reference, 11);
        int extremesFailed = 0, extremes = 0;
        for (const auto &r : results) {
            // Random extremes saturate some pair almost surely once the reduction is long.
            int m = 0, n = 0, k = 0;
            std::sscanf(r.shape.c_str(), "m=%d n=%d k=%d", &m, &n, &k);
            if (r.op.rfind("gemm_s8s8s32", 0) != 0 || r.op.find("extremes") == std::string::npos || k < 64)
                continue;
            ++extremes;
            extremesFailed += !r.passed;
        }
        QVERIFY(extremes > 0);
        QCOMPARE(extremesFailed, extremes);
    }
};

QTEST_APPLESS_MAIN(TestBackendOps)
#include "tst_backend_ops.moc"
