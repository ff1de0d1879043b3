// AVX2 micro-kernels and packs. vpmaddubsw multiplies u8 by s8 and adds pairs into a saturating
// int16: exact when the unsigned operand's codes lie in 0..127 (|2 * 127 * 128| < 32768), which is
// why oneDNN's s8s8 GEMM (it adds 128 to make one operand unsigned) saturates without VNNI and ours
// uses it only for an operand that is non-negative already. Signed x signed goes through vpmaddwd on
// sign-extended int16, which never saturates for int8 inputs.
#if defined(__x86_64__) || defined(__i386__)

#include "engine/backend/int8/int8_panels.h"

#include <cstring>
#include <immintrin.h>

#define FFINT8_AVX2 __attribute__((target("avx2")))

namespace ffint8::int8gemm::detail {

namespace {

FFINT8_AVX2 inline __m256i broadcast32(const uint8_t *p)
{
    int32_t v;
    std::memcpy(&v, p, 4);
    return _mm256_set1_epi32(v);
}

// The product of one group for 8 columns, summed into int32 lanes.
enum class Product { Pairs, QuadsAUnsigned, QuadsBUnsigned };

template <Product P> FFINT8_AVX2 inline __m256i groupProduct(__m256i a, __m256i b, __m256i ones)
{
    if constexpr (P == Product::Pairs)
        return _mm256_madd_epi16(a, b);
    else if constexpr (P == Product::QuadsAUnsigned)
        return _mm256_madd_epi16(_mm256_maddubs_epi16(a, b), ones);
    else
        return _mm256_madd_epi16(_mm256_maddubs_epi16(b, a), ones);
}

// kPanelRows x 16 accumulators (12 registers) plus two of B, one of A and a temporary: all 16 AVX2
// registers, with the constant of ones read from memory.
template <Product P>
FFINT8_AVX2 void microKernel(int groups, const uint8_t *aPanel, const uint8_t *bPanel, int32_t *c, int ldc)
{
    static_assert(kPanelRows == 6, "the kernel holds six rows of accumulators");
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i c00 = _mm256_setzero_si256(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256i c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (int g = 0; g < groups; ++g, aPanel += kPanelRows * kGroupBytes, bPanel += kPanelCols * kGroupBytes) {
        const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(bPanel));
        const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(bPanel + 32));
        __m256i a = broadcast32(aPanel);
        c00 = _mm256_add_epi32(c00, groupProduct<P>(a, b0, ones));
        c01 = _mm256_add_epi32(c01, groupProduct<P>(a, b1, ones));
        a = broadcast32(aPanel + 4);
        c10 = _mm256_add_epi32(c10, groupProduct<P>(a, b0, ones));
        c11 = _mm256_add_epi32(c11, groupProduct<P>(a, b1, ones));
        a = broadcast32(aPanel + 8);
        c20 = _mm256_add_epi32(c20, groupProduct<P>(a, b0, ones));
        c21 = _mm256_add_epi32(c21, groupProduct<P>(a, b1, ones));
        a = broadcast32(aPanel + 12);
        c30 = _mm256_add_epi32(c30, groupProduct<P>(a, b0, ones));
        c31 = _mm256_add_epi32(c31, groupProduct<P>(a, b1, ones));
        a = broadcast32(aPanel + 16);
        c40 = _mm256_add_epi32(c40, groupProduct<P>(a, b0, ones));
        c41 = _mm256_add_epi32(c41, groupProduct<P>(a, b1, ones));
        a = broadcast32(aPanel + 20);
        c50 = _mm256_add_epi32(c50, groupProduct<P>(a, b0, ones));
        c51 = _mm256_add_epi32(c51, groupProduct<P>(a, b1, ones));
    }
    const __m256i all[] = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51};
    for (int i = 0; i < kPanelRows; ++i) {
        _mm256_storeu_si256(reinterpret_cast<__m256i *>(c + size_t(i) * ldc), all[2 * i]);
        _mm256_storeu_si256(reinterpret_cast<__m256i *>(c + size_t(i) * ldc + 8), all[2 * i + 1]);
    }
}

FFINT8_AVX2 inline __m128i loadRow16(const int8_t *x, int ld, int p, int k, int first)
{
    return p < k ? _mm_loadu_si128(reinterpret_cast<const __m128i *>(x + size_t(p) * ld + first)) : _mm_setzero_si128();
}

// A full panel of 16 lines whose values for one depth p are contiguous (x[p * ld + first + r]):
// rows of the depth transposed into groups with byte and word interleaves.
FFINT8_AVX2 void packContiguousLines16(Packing packing, const int8_t *x, int ld, int first, int k, uint8_t *panel)
{
    auto *out = reinterpret_cast<__m128i *>(panel);
    if (packing == Packing::Quads) {
        for (int p = 0; p < k; p += 4, out += 4) {
            const __m128i r0 = loadRow16(x, ld, p, k, first), r1 = loadRow16(x, ld, p + 1, k, first);
            const __m128i r2 = loadRow16(x, ld, p + 2, k, first), r3 = loadRow16(x, ld, p + 3, k, first);
            const __m128i lo01 = _mm_unpacklo_epi8(r0, r1), lo23 = _mm_unpacklo_epi8(r2, r3);
            const __m128i hi01 = _mm_unpackhi_epi8(r0, r1), hi23 = _mm_unpackhi_epi8(r2, r3);
            _mm_storeu_si128(out + 0, _mm_unpacklo_epi16(lo01, lo23));
            _mm_storeu_si128(out + 1, _mm_unpackhi_epi16(lo01, lo23));
            _mm_storeu_si128(out + 2, _mm_unpacklo_epi16(hi01, hi23));
            _mm_storeu_si128(out + 3, _mm_unpackhi_epi16(hi01, hi23));
        }
        return;
    }
    for (int p = 0; p < k; p += 2, out += 4) {
        const __m128i r0 = loadRow16(x, ld, p, k, first), r1 = loadRow16(x, ld, p + 1, k, first);
        const __m128i lo = _mm_unpacklo_epi8(r0, r1), hi = _mm_unpackhi_epi8(r0, r1);
        _mm256_storeu_si256(reinterpret_cast<__m256i *>(out), _mm256_cvtepi8_epi16(lo));
        _mm256_storeu_si256(reinterpret_cast<__m256i *>(out + 2), _mm256_cvtepi8_epi16(hi));
    }
}

// A full A panel in quads whose values for one depth are contiguous (x[p * ld + first + r]): the
// panel's 6 bytes of four depths interleaved into quads. Each depth's bytes are copied out first:
// an 8-byte load would read past the last line of the matrix.
FFINT8_AVX2 void packContiguousLinesRowsQuads(const int8_t *x, int ld, int first, int k, uint8_t *panel)
{
    auto row = [&](int p) {
        int64_t bytes = 0;
        if (p < k)
            std::memcpy(&bytes, x + size_t(p) * ld + first, kPanelRows);
        return _mm_cvtsi64_si128(bytes);
    };
    for (int p = 0; p < k; p += 4, panel += kPanelRows * kGroupBytes) {
        const __m128i t01 = _mm_unpacklo_epi8(row(p), row(p + 1)), t23 = _mm_unpacklo_epi8(row(p + 2), row(p + 3));
        _mm_storeu_si128(reinterpret_cast<__m128i *>(panel), _mm_unpacklo_epi16(t01, t23));
        _mm_storel_epi64(reinterpret_cast<__m128i *>(panel + 16), _mm_unpackhi_epi16(t01, t23));
    }
}

// A full A panel in pairs whose lines are contiguous (x[(first + r) * ld + p]): 8 values of a line
// sign-extended at a time, their four pairs written to that line's place in four groups.
FFINT8_AVX2 void packContiguousDepthRowsPairs(const int8_t *x, int ld, int first, int k, uint8_t *panel)
{
    auto *words = reinterpret_cast<int32_t *>(panel);
    for (int r = 0; r < kPanelRows; ++r) {
        const int8_t *line = x + size_t(first + r) * ld;
        int p = 0;
        for (; p + 8 <= k; p += 8) {
            alignas(16) int32_t pairs[4];
            _mm_store_si128(reinterpret_cast<__m128i *>(pairs),
                            _mm_cvtepi8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(line + p))));
            for (int q = 0; q < 4; ++q)
                words[size_t(p / 2 + q) * kPanelRows + r] = pairs[q];
        }
        for (; p < k; p += 2) {
            const int16_t pair[2] = {line[p], int16_t(p + 1 < k ? line[p + 1] : 0)};
            std::memcpy(&words[size_t(p / 2) * kPanelRows + r], pair, 4);
        }
    }
}

// The fast packs where the layout allows, the portable one for the rest (edges, rare layouts).
void packAvx2(Packing packing, bool trans, const int8_t *x, int ld, int first, int count, int width, int k,
              uint8_t *panel)
{
    if (count == width && width == kPanelCols && trans)
        packContiguousLines16(packing, x, ld, first, k, panel);
    else if (count == width && width == kPanelRows && trans && packing == Packing::Quads)
        packContiguousLinesRowsQuads(x, ld, first, k, panel);
    else if (count == width && width == kPanelRows && !trans && packing == Packing::Pairs)
        packContiguousDepthRowsPairs(x, ld, first, k, panel);
    else
        packPortable(packing, trans, x, ld, first, count, width, k, panel);
}

} // namespace

KernelSet avx2Kernels(Operands operands)
{
    switch (operands) {
    case Operands::AUnsigned:
        return {Packing::Quads, microKernel<Product::QuadsAUnsigned>, packAvx2, packAvx2};
    case Operands::BUnsigned:
        return {Packing::Quads, microKernel<Product::QuadsBUnsigned>, packAvx2, packAvx2};
    case Operands::BothSigned:
        break;
    }
    return {Packing::Pairs, microKernel<Product::Pairs>, packAvx2, packAvx2};
}

} // namespace ffint8::int8gemm::detail

#endif
