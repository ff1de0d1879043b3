// The reference backend's GEMMs: the textbook triple loop, accumulated in double (FP32) or exactly (INT8).
#include "engine/backend/reference_backend.h"

namespace ffint8 {

std::string ReferenceBackend::description() const { return "reference loops, one thread"; }

void ReferenceBackend::gemmF32(Trans ta, Trans tb, int m, int n, int k, float alpha, const float *a, int lda,
                               const float *b, int ldb, float beta, float *c, int ldc)
{
    for (int i = 0; i < m; ++i) {
        for (int j = 0; j < n; ++j) {
            double sum = 0.0;
            for (int p = 0; p < k; ++p) {
                float av = ta == Trans::Yes ? a[size_t(p) * lda + i] : a[size_t(i) * lda + p];
                float bv = tb == Trans::Yes ? b[size_t(j) * ldb + p] : b[size_t(p) * ldb + j];
                sum += double(av) * double(bv);
            }
            float &out = c[size_t(i) * ldc + j];
            out = float(alpha * sum) + (beta == 0.0f ? 0.0f : beta * out);
        }
    }
}

void ReferenceBackend::gemmS8S8S32(Trans ta, Trans tb, int m, int n, int k, const int8_t *a, int lda,
                                   const int8_t *b, int ldb, int32_t *c, int ldc)
{
    for (int i = 0; i < m; ++i) {
        for (int j = 0; j < n; ++j) {
            int32_t sum = 0;
            for (int p = 0; p < k; ++p) {
                int32_t av = ta == Trans::Yes ? a[size_t(p) * lda + i] : a[size_t(i) * lda + p];
                int32_t bv = tb == Trans::Yes ? b[size_t(j) * ldb + p] : b[size_t(p) * ldb + j];
                sum += av * bv;
            }
            c[size_t(i) * ldc + j] = sum;
        }
    }
}

} // namespace ffint8
