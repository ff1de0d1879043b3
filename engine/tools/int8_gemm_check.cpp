// ffint8-int8-gemm-check: the engine's own INT8 GEMM kernels against a plain int64 loop, for every
// kernel set this CPU can run (a skip line with the reason for the others), every sign combination
// the kernels accept, every layout, odd and panel-sized shapes, random and extreme codes, one and
// several threads. Needs neither Qt nor oneDNN, so it runs on any board and under qemu-user.
#include "engine/backend/int8/int8_gemm.h"
#include "engine/core/counter_rng.h"
#include "engine/tools/int8_codes.h"

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

using namespace ffint8;

namespace {

// Runs body(slot) on one std::thread per slot: the driver's contract without OpenMP.
void threadSlots(int slots, const std::function<void(int)> &body)
{
    std::vector<std::thread> pool;
    for (int s = 0; s < slots; ++s)
        pool.emplace_back(body, s);
    for (auto &t : pool)
        t.join();
}

} // namespace

int main()
{
    struct Shape
    {
        int m, n, k;
    };
    const Shape shapes[] = {{1, 1, 1}, {5, 3, 2}, {6, 16, 4}, {7, 17, 9}, {13, 33, 65}, {64, 100, 255}, {130, 47, 64}};
    struct Signs
    {
        const char *name;
        int8gemm::Operands operands;
        Int8Codes a, b;
    };
    const Signs signs[] = {
        {"s8 x s8", int8gemm::Operands::BothSigned, Int8Codes::Signed, Int8Codes::Signed},
        {"s8 x s8 extremes", int8gemm::Operands::BothSigned, Int8Codes::SignedExtremes, Int8Codes::SignedExtremes},
        {"u8 x s8", int8gemm::Operands::AUnsigned, Int8Codes::NonNegative, Int8Codes::Signed},
        {"u8 x s8 extremes", int8gemm::Operands::AUnsigned, Int8Codes::NonNegativeExtremes, Int8Codes::SignedExtremes},
        {"s8 x u8", int8gemm::Operands::BUnsigned, Int8Codes::Signed, Int8Codes::NonNegative},
        {"s8 x u8 extremes", int8gemm::Operands::BUnsigned, Int8Codes::SignedExtremes, Int8Codes::NonNegativeExtremes},
    };
    SplitMix64 rng(20251129);
    int checks = 0, failures = 0, skips = 0;
    for (auto kernels : {int8gemm::Kernels::Portable, int8gemm::Kernels::Avx2, int8gemm::Kernels::NeonDot}) {
        const char *name = int8gemm::kernelsName(kernels);
        if (!int8gemm::available(kernels)) {
            ++skips;
            std::printf("skip  %-13s this CPU lacks its instructions\n", name);
            continue;
        }
        for (const Shape &s : shapes) {
            for (int layout = 0; layout < 8; ++layout) {
                const bool ta = layout & 1, tb = layout & 2, padded = layout & 4;
                // Each matrix ends its buffer: exactly as long as its rows, or at the right end of
                // longer rows (a block of a wider matrix, as the blocked weight gradient passes), so
                // that a read past its last line leaves the buffer and AddressSanitizer reports it.
                const int padA = padded ? 3 : 0, padB = padded ? 5 : 0;
                const int lda = (ta ? s.m : s.k) + padA, ldb = (tb ? s.k : s.n) + padB;
                for (const Signs &sign : signs) {
                    const std::vector<int8_t> aStore = randomInt8Codes(size_t(ta ? s.k : s.m) * lda, sign.a, rng);
                    const std::vector<int8_t> bStore = randomInt8Codes(size_t(tb ? s.n : s.k) * ldb, sign.b, rng);
                    const int8_t *a = aStore.data() + padA, *b = bStore.data() + padB;
                    for (int threads : {1, 3}) {
                        const int ldc = s.n + 2;
                        std::vector<int32_t> c(size_t(s.m) * ldc, -7);
                        std::vector<uint8_t> scratch(int8gemm::scratchBytes(s.m, s.k, threads));
                        int8gemm::gemm(kernels, sign.operands, ta, tb, s.m, s.n, s.k, a, lda, b, ldb, c.data(), ldc,
                                       scratch.data(), threads, threadSlots);
                        long long worst = 0;
                        for (int i = 0; i < s.m; ++i) {
                            for (int j = 0; j < s.n; ++j) {
                                long long want = 0;
                                for (int p = 0; p < s.k; ++p)
                                    want += (ta ? a[size_t(p) * lda + i] : a[size_t(i) * lda + p])
                                        * (tb ? b[size_t(j) * ldb + p] : b[size_t(p) * ldb + j]);
                                worst = std::max(worst, std::llabs(want - c[size_t(i) * ldc + j]));
                            }
                            for (int j = s.n; j < ldc; ++j) // past the last column: untouched
                                worst = std::max(worst, c[size_t(i) * ldc + j] == -7 ? 0LL : 1LL);
                        }
                        ++checks;
                        failures += worst != 0;
                        std::printf("%s  %-13s %c%c %-17s m=%d n=%d k=%d %s threads %d  err %lld\n",
                                    worst ? "FAIL" : "ok  ", name, ta ? 'T' : 'N', tb ? 'T' : 'N', sign.name, s.m, s.n,
                                    s.k, padded ? "padded" : "exact ", threads, worst);
                    }
                }
            }
        }
    }
    std::printf("%d checks, %d failed, %d skipped\n", checks, failures, skips);
    return failures == 0 ? 0 : 1;
}
