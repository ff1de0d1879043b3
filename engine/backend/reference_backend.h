// The reference backend: plain loops on one thread. It defines what every op means and is the
// golden truth the other backends are tested against; it is bit-reproducible for a given seed.
#pragma once

#include "engine/backend/host_backend.h"

namespace ffint8 {

class ReferenceBackend final : public HostBackend
{
public:
    std::string name() const override { return "reference"; }
    std::string description() const override;

    void gemmF32(Trans ta, Trans tb, int m, int n, int k, float alpha, const float *a, int lda, const float *b,
                 int ldb, float beta, float *c, int ldc) override;
    void gemmS8S8S32(Trans ta, Trans tb, int m, int n, int k, const int8_t *a, int lda, const int8_t *b, int ldb,
                     int32_t *c, int ldc) override;
};

} // namespace ffint8
