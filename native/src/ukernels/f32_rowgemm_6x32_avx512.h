// f32 row GEMM for small dense networks, tiles of 6 rows x 32 columns (12 x 16 for a 16-column block),
// AVX-512F (512-bit), with the contract of f32_rowgemm_6x16_avx2:
//   C[i, 0:n) = init[0:n) (0 when init is null) + sum_{k < depth} A(i, k) B[k, 0:n),   i < m,
// A(i, k) = a[i * a_rs + k * a_cs] read in place through strides, B row-major (ldb), n a multiple of 8;
// with accumulate, C's own rows start the sums; with relu, C = max(0, C) on the way out.
// Every output is one FMA chain over k in ascending order, as in the AVX2 kernel, so the two give the
// same bits for every shape (an FMA rounds once whatever the vector width); a last 8-column block runs
// the AVX2 kernel. Half the FMA instructions of the AVX2 kernel at 32 or more columns.
// Included only by translation units compiled for AVX-512 (F).
#pragma once

// In the ISA's inline namespace, one copy per level (isa_namespace.h says why).
#include "isa_namespace.h"

#include <cstdint>

#if defined(__AVX512F__)
#include <immintrin.h>

#include "ukernels/f32_rowgemm_6x16_avx2.h"

ALPHADROP_ISA_BEGIN
namespace ukernels::avx512 {

// 12 accumulators in flight, as in the AVX2 kernel: 6 rows x 2 vectors, or 12 rows x 1 vector.
inline constexpr int kRowGemmMR = 6;
inline constexpr int kRowGemmNR = 32;
inline constexpr int kRowGemmNarrowMR = 12;

// The zero-masking form with every lane kept: the unmasked intrinsic passes an undefined vector through,
// which GCC 12 reports as uninitialised wherever it is inlined (GCC bug 105593). Same instruction.
inline __m512 max16(__m512 a, __m512 b) { return _mm512_maskz_max_ps(0xFFFF, a, b); }

template <int MR, int NV>
__attribute__((always_inline)) inline void rowgemm_tile(int64_t depth, const float* a, int64_t a_rs, int64_t a_cs,
                                                        const float* b, int64_t ldb, const float* init, float* c,
                                                        int64_t ldc, bool relu, bool accumulate) {
    __m512 acc[MR][NV];
    for (int v = 0; v < NV; ++v) {
        const __m512 start = init != nullptr ? _mm512_loadu_ps(init + 16 * v) : _mm512_setzero_ps();
        for (int r = 0; r < MR; ++r) acc[r][v] = accumulate ? _mm512_loadu_ps(c + r * ldc + 16 * v) : start;
    }
    for (int64_t k = 0; k < depth; ++k) {
        __m512 bv[NV];
        for (int v = 0; v < NV; ++v) bv[v] = _mm512_loadu_ps(b + k * ldb + 16 * v);
        const float* ak = a + k * a_cs;
        for (int r = 0; r < MR; ++r) {
            const __m512 x = _mm512_set1_ps(ak[r * a_rs]);
            for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_fmadd_ps(x, bv[v], acc[r][v]);
        }
    }
    if (relu) {
        // max(0, c) keeps its second operand for NaN and for either zero: NaN and -0 pass, as in AVX2.
        const __m512 zero = _mm512_setzero_ps();
        for (int r = 0; r < MR; ++r) {
            for (int v = 0; v < NV; ++v) acc[r][v] = max16(zero, acc[r][v]);
        }
    }
    for (int r = 0; r < MR; ++r) {
        for (int v = 0; v < NV; ++v) _mm512_storeu_ps(c + r * ldc + 16 * v, acc[r][v]);
    }
}

// Rows [0, m) of one column block (NV vectors wide), in tiles of MR rows and one tail tile.
template <int MR, int NV>
inline void rowgemm_block(int64_t m, int64_t depth, const float* a, int64_t a_rs, int64_t a_cs, const float* b,
                          int64_t ldb, const float* init, float* c, int64_t ldc, bool relu, bool accumulate) {
    int64_t i = 0;
    for (; i + MR <= m; i += MR) {
        rowgemm_tile<MR, NV>(depth, a + i * a_rs, a_rs, a_cs, b, ldb, init, c + i * ldc, ldc, relu, accumulate);
    }
    const float* at = a + i * a_rs;
    float* ct = c + i * ldc;
#define ALPHADROP_ROWGEMM_TAIL(R) \
    case R: rowgemm_tile<R, NV>(depth, at, a_rs, a_cs, b, ldb, init, ct, ldc, relu, accumulate); break;
    switch (m - i) {
        ALPHADROP_ROWGEMM_TAIL(1)
        ALPHADROP_ROWGEMM_TAIL(2)
        ALPHADROP_ROWGEMM_TAIL(3)
        ALPHADROP_ROWGEMM_TAIL(4)
        ALPHADROP_ROWGEMM_TAIL(5)
        ALPHADROP_ROWGEMM_TAIL(6)
        ALPHADROP_ROWGEMM_TAIL(7)
        ALPHADROP_ROWGEMM_TAIL(8)
        ALPHADROP_ROWGEMM_TAIL(9)
        ALPHADROP_ROWGEMM_TAIL(10)
        ALPHADROP_ROWGEMM_TAIL(11)
        default: break;
    }
#undef ALPHADROP_ROWGEMM_TAIL
}

inline void f32_rowgemm_6x32_avx512(int64_t m, int64_t n, int64_t depth, const float* a, int64_t a_rs, int64_t a_cs,
                                    const float* b, int64_t ldb, const float* init, float* c, int64_t ldc,
                                    bool relu = false, bool accumulate = false) {
    int64_t j = 0;
    for (; j + kRowGemmNR <= n; j += kRowGemmNR) {
        rowgemm_block<kRowGemmMR, 2>(m, depth, a, a_rs, a_cs, b + j, ldb, init != nullptr ? init + j : nullptr, c + j,
                                     ldc, relu, accumulate);
    }
    if (j + 16 <= n) {
        rowgemm_block<kRowGemmNarrowMR, 1>(m, depth, a, a_rs, a_cs, b + j, ldb, init != nullptr ? init + j : nullptr,
                                           c + j, ldc, relu, accumulate);
        j += 16;
    }
    if (j < n) {  // the last 8 columns
        avx2::f32_rowgemm_6x16_avx2(m, n - j, depth, a, a_rs, a_cs, b + j, ldb, init != nullptr ? init + j : nullptr,
                                    c + j, ldc, relu, accumulate);
    }
}

}  // namespace ukernels::avx512
ALPHADROP_ISA_END

#endif
