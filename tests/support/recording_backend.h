// A backend with the reference backend's arithmetic that writes down the shape of every GEMM it is
// asked for, so tests can compare what a trainer or layer says it issues with what it issues.
#pragma once

#include "engine/backend/reference_backend.h"

#include <QString>
#include <vector>

namespace ffint8::testing {

struct Call
{
    Trans ta, tb;
    int m, n, k, lda, ldb;
    bool int8;
    bool operator==(const Call &o) const
    {
        return ta == o.ta && tb == o.tb && m == o.m && n == o.n && k == o.k && lda == o.lda && ldb == o.ldb
            && int8 == o.int8;
    }
};

inline QString describe(const Call &c)
{
    return QStringLiteral("%1%2 %3x%4x%5 lda %6 ldb %7 %8")
        .arg(c.ta == Trans::Yes ? 'T' : 'N')
        .arg(c.tb == Trans::Yes ? 'T' : 'N')
        .arg(c.m)
        .arg(c.n)
        .arg(c.k)
        .arg(c.lda)
        .arg(c.ldb)
        .arg(c.int8 ? "int8" : "fp32");
}

// The reference backend's arithmetic, with every GEMM's shape written down.
class RecordingBackend final : public HostBackend
{
public:
    std::vector<Call> calls;

    std::string name() const override { return "recording"; }
    std::string description() const override { return "reference arithmetic, GEMM shapes recorded"; }
    void gemmF32(Trans ta, Trans tb, int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb,
                 float beta, float *c, int ldc) override
    {
        calls.push_back({ta, tb, m, n, k, lda, ldb, false});
        m_arithmetic.gemmF32(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }
    void gemmS8S8S32(Trans ta, Trans tb, int m, int n, int k, const int8_t *a, int lda, const int8_t *b, int ldb,
                     int32_t *c, int ldc) override
    {
        calls.push_back({ta, tb, m, n, k, lda, ldb, true});
        m_arithmetic.gemmS8S8S32(ta, tb, m, n, k, a, lda, b, ldb, c, ldc);
    }

private:
    ReferenceBackend m_arithmetic;
};

} // namespace ffint8::testing
