// Every op of the cpu backend against the reference backend, at one and at several threads.
#include "engine/backend/cpu_backend.h"
#include "engine/backend/reference_backend.h"
#include "engine/tools/op_checks.h"

#include <QtTest>

#include <map>

using namespace ffint8;

class TestBackendOps : public QObject
{
    Q_OBJECT

    std::map<int, std::vector<OpCheckResult>> m_results; // by thread count

private slots:
    void initTestCase()
    {
        ReferenceBackend reference;
        for (int threads : {1, 2}) {
            CpuBackend cpu(threads);
            m_results[threads] = runOpChecks(cpu, reference, 11);
        }
        QVERIFY(m_results[1].size() > 80); // every op, several shapes and modes each
    }

    void cpuMatchesReference_data()
    {
        QTest::addColumn<int>("threads");
        QTest::addColumn<int>("check");
        for (const auto &[threads, results] : m_results)
            for (size_t i = 0; i < results.size(); ++i)
                QTest::addRow("%d threads: %s %s", threads, results[i].op.c_str(), results[i].shape.c_str())
                    << threads << int(i);
    }

    void cpuMatchesReference()
    {
        QFETCH(int, threads);
        QFETCH(int, check);
        const auto &r = m_results[threads][size_t(check)];
        QVERIFY2(r.passed, qPrintable(QString("%1 %2: error %3 > tolerance %4").arg(r.op.c_str(), r.shape.c_str())
                                          .arg(r.maxError).arg(r.tolerance)));
    }

    // The check harness itself must be able to fail: a backend whose GEMM is off by one is caught.
    void harnessCatchesAWrongGemm()
    {
        class OffByOne : public CpuBackend
        {
        public:
            void gemmS8S8S32(Trans ta, Trans tb, int m, int n, int k, const int8_t *a, int lda, const int8_t *b, int ldb,
                             int32_t *c, int ldc) override
            {
                CpuBackend::gemmS8S8S32(ta, tb, m, n, k, a, lda, b, ldb, c, ldc);
                c[0] += 1;
            }
        };
        ReferenceBackend reference;
        OffByOne broken;
        int failed = 0;
        for (const auto &r : runOpChecks(broken, reference, 11))
            failed += !r.passed && r.op.rfind("gemm_s8s8s32", 0) == 0;
        QCOMPARE(failed, 20);
    }
};

QTEST_APPLESS_MAIN(TestBackendOps)
#include "tst_backend_ops.moc"
