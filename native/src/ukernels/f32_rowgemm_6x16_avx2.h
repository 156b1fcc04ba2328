// f32 row GEMM for small dense networks, tiles of 6 rows x 16 columns (12 x 8 for a last 8-column block), AVX2 + FMA (256-bit):
//   C[i, 0:n) = init[0:n) (0 when init is null) + sum_{k < depth} A(i, k) B[k, 0:n),   i < m,
// with A(i, k) = a[i * a_rs + k * a_cs] read in place through strides (so A or its transpose serve as
// they are: no packing of an operand that changes every step), B row-major (ldb), n a multiple of 8;
// with accumulate, C's own rows start the sums instead of init (C += A B: since each output is one FMA
// chain, a sum over k split across calls gives the bits of one call); with relu, C = max(0, C) on the
// way out.
// Every output is one FMA chain over k in ascending order, whatever tile it falls in, so the result
// does not depend on m, n or the blocking, nor on the vector width: f32_rowgemm_6x32_avx512 gives the
// same bits (and runs this kernel for a last 8-column block).
// Included only by translation units compiled for AVX2 (or higher).
#pragma once

// In the ISA's inline namespace, one copy per level (isa_namespace.h says why).
#include "isa_namespace.h"

#include <cstdint>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

ALPHADROP_ISA_BEGIN
namespace ukernels::avx2 {

// Tiles keep 12 accumulators in flight, enough to cover the FMA latency on two ports: 6 rows x 16
// columns, or 12 rows x 8 columns for the last (or only) 8 columns, the width of a one-output layer.
inline constexpr int kRowGemmMR = 6;
inline constexpr int kRowGemmNR = 16;
inline constexpr int kRowGemmNarrowMR = 12;

template <int MR, int NV>
__attribute__((always_inline)) inline void rowgemm_tile(int64_t depth, const float* a, int64_t a_rs, int64_t a_cs,
                                                        const float* b, int64_t ldb, const float* init, float* c,
                                                        int64_t ldc, bool relu, bool accumulate) {
    __m256 acc[MR][NV];
    for (int v = 0; v < NV; ++v) {
        const __m256 start = init != nullptr ? _mm256_loadu_ps(init + 8 * v) : _mm256_setzero_ps();
        for (int r = 0; r < MR; ++r) acc[r][v] = accumulate ? _mm256_loadu_ps(c + r * ldc + 8 * v) : start;
    }
    for (int64_t k = 0; k < depth; ++k) {
        __m256 bv[NV];
        for (int v = 0; v < NV; ++v) bv[v] = _mm256_loadu_ps(b + k * ldb + 8 * v);
        const float* ak = a + k * a_cs;
        for (int r = 0; r < MR; ++r) {
            const __m256 x = _mm256_broadcast_ss(ak + r * a_rs);
            for (int v = 0; v < NV; ++v) acc[r][v] = _mm256_fmadd_ps(x, bv[v], acc[r][v]);
        }
    }
    if (relu) {
        // max(0, c) keeps its second operand for NaN and for either zero: NaN and -0 pass, as in the tiles.
        const __m256 zero = _mm256_setzero_ps();
        for (int r = 0; r < MR; ++r) {
            for (int v = 0; v < NV; ++v) acc[r][v] = _mm256_max_ps(zero, acc[r][v]);
        }
    }
    for (int r = 0; r < MR; ++r) {
        for (int v = 0; v < NV; ++v) _mm256_storeu_ps(c + r * ldc + 8 * v, acc[r][v]);
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

inline void f32_rowgemm_6x16_avx2(int64_t m, int64_t n, int64_t depth, const float* a, int64_t a_rs, int64_t a_cs,
                                  const float* b, int64_t ldb, const float* init, float* c, int64_t ldc,
                                  bool relu = false, bool accumulate = false) {
    int64_t j = 0;
    for (; j + kRowGemmNR <= n; j += kRowGemmNR) {
        rowgemm_block<kRowGemmMR, 2>(m, depth, a, a_rs, a_cs, b + j, ldb, init != nullptr ? init + j : nullptr, c + j, ldc,
                                     relu, accumulate);
    }
    if (j < n) {
        rowgemm_block<kRowGemmNarrowMR, 1>(m, depth, a, a_rs, a_cs, b + j, ldb, init != nullptr ? init + j : nullptr,
                                           c + j, ldc, relu, accumulate);
    }
}

}  // namespace ukernels::avx2
ALPHADROP_ISA_END

#endif
