// f32 GEMM micro-kernel, 6 rows x 16 columns, AVX2 + FMA: C (m x n tile, m <= 6, n <= 16) op= A B for
// one k block, A a packed sliver (a[k * 6 + i]), B a packed micro-panel (b[k * 16 + j], 32-byte
// aligned rows). A last panel of at most 8 columns runs the 6x8 half (H = 100 ends in 4 columns, where
// the full tile wasted 12 % of a layer's FMAs). Included only by translation units compiled for AVX2.
#pragma once

// In the ISA's inline namespace, one copy per level (isa_namespace.h says why).
#include "isa_namespace.h"

#include <cstdint>

#include "ukernels/gemm_epilogue.h"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

ALPHADROP_ISA_BEGIN
namespace ukernels::avx2 {

inline constexpr int kMR = 6;
inline constexpr int kNR = 16;

__attribute__((always_inline)) inline void product_6x16(int64_t kc, const float* a, const float* b,
                                                               __m256 acc[2 * kMR]) {
    for (int i = 0; i < 2 * kMR; ++i) acc[i] = _mm256_setzero_ps();
#pragma GCC unroll 4
    for (int64_t k = 0; k < kc; ++k) {
        const __m256 b0 = _mm256_load_ps(b + k * kNR);
        const __m256 b1 = _mm256_load_ps(b + k * kNR + 8);
        const float* ak = a + k * kMR;
        __m256 x = _mm256_broadcast_ss(ak);
        acc[0] = _mm256_fmadd_ps(x, b0, acc[0]);
        acc[1] = _mm256_fmadd_ps(x, b1, acc[1]);
        x = _mm256_broadcast_ss(ak + 1);
        acc[2] = _mm256_fmadd_ps(x, b0, acc[2]);
        acc[3] = _mm256_fmadd_ps(x, b1, acc[3]);
        x = _mm256_broadcast_ss(ak + 2);
        acc[4] = _mm256_fmadd_ps(x, b0, acc[4]);
        acc[5] = _mm256_fmadd_ps(x, b1, acc[5]);
        x = _mm256_broadcast_ss(ak + 3);
        acc[6] = _mm256_fmadd_ps(x, b0, acc[6]);
        acc[7] = _mm256_fmadd_ps(x, b1, acc[7]);
        x = _mm256_broadcast_ss(ak + 4);
        acc[8] = _mm256_fmadd_ps(x, b0, acc[8]);
        acc[9] = _mm256_fmadd_ps(x, b1, acc[9]);
        x = _mm256_broadcast_ss(ak + 5);
        acc[10] = _mm256_fmadd_ps(x, b0, acc[10]);
        acc[11] = _mm256_fmadd_ps(x, b1, acc[11]);
    }
}

// Columns 0-7 only; acc[2 i + 1] is left zero.
__attribute__((always_inline)) inline void product_6x8(int64_t kc, const float* a, const float* b,
                                                      __m256 acc[2 * kMR]) {
    for (int i = 0; i < 2 * kMR; ++i) acc[i] = _mm256_setzero_ps();
#pragma GCC unroll 4
    for (int64_t k = 0; k < kc; ++k) {
        const __m256 b0 = _mm256_load_ps(b + k * kNR);
        const float* ak = a + k * kMR;
        acc[0] = _mm256_fmadd_ps(_mm256_broadcast_ss(ak), b0, acc[0]);
        acc[2] = _mm256_fmadd_ps(_mm256_broadcast_ss(ak + 1), b0, acc[2]);
        acc[4] = _mm256_fmadd_ps(_mm256_broadcast_ss(ak + 2), b0, acc[4]);
        acc[6] = _mm256_fmadd_ps(_mm256_broadcast_ss(ak + 3), b0, acc[6]);
        acc[8] = _mm256_fmadd_ps(_mm256_broadcast_ss(ak + 4), b0, acc[8]);
        acc[10] = _mm256_fmadd_ps(_mm256_broadcast_ss(ak + 5), b0, acc[10]);
    }
}

// Finishes the m x n tile at c (leading dimension ldc) from acc; vmaxps(zero, v) keeps a NaN v.
__attribute__((always_inline)) inline void store_6x16(const __m256 acc[2 * kMR], float* c, int64_t ldc, int m, int n,
                                                      const Epilogue& e) {
    const __m256 zero = _mm256_setzero_ps();
    if (m == kMR && n == kNR) {
        __m256 bias0 = zero, bias1 = zero;
        if (e.first && e.bias != nullptr) {
            bias0 = _mm256_loadu_ps(e.bias);
            bias1 = _mm256_loadu_ps(e.bias + 8);
        }
        for (int i = 0; i < kMR; ++i) {
            float* row = c + i * ldc;
            __m256 v0, v1;
            if (e.first) {
                v0 = e.bias != nullptr ? _mm256_add_ps(bias0, acc[2 * i]) : acc[2 * i];
                v1 = e.bias != nullptr ? _mm256_add_ps(bias1, acc[2 * i + 1]) : acc[2 * i + 1];
            } else {
                v0 = _mm256_add_ps(_mm256_loadu_ps(row), acc[2 * i]);
                v1 = _mm256_add_ps(_mm256_loadu_ps(row + 8), acc[2 * i + 1]);
            }
            if (e.relu) {
                v0 = _mm256_max_ps(zero, v0);
                v1 = _mm256_max_ps(zero, v1);
            }
            _mm256_storeu_ps(row, v0);
            _mm256_storeu_ps(row + 8, v1);
        }
        return;
    }
    alignas(32) float tile[kMR][kNR];
    for (int i = 0; i < kMR; ++i) {
        _mm256_store_ps(tile[i], acc[2 * i]);
        _mm256_store_ps(tile[i] + 8, acc[2 * i + 1]);
    }
    for (int i = 0; i < m; ++i) {
        float* row = c + i * ldc;
        for (int j = 0; j < n; ++j) {
            float v = e.first ? (e.bias != nullptr ? e.bias[j] + tile[i][j] : tile[i][j]) : row[j] + tile[i][j];
            if (e.relu) v = v < 0.0f ? 0.0f : v;  // NaN stays NaN, -0 stays -0, as vmaxps(zero, v)
            row[j] = v;
        }
    }
}

__attribute__((always_inline)) inline void f32_gemm_6x16_avx2(int64_t kc, const float* a, const float* b, float* c,
                                                              int64_t ldc, int m, int n,
                               const Epilogue& e) {
    __m256 acc[2 * kMR];
    if (n <= 8) {
        product_6x8(kc, a, b, acc);
    } else {
        product_6x16(kc, a, b, acc);
    }
    store_6x16(acc, c, ldc, m, n, e);
}

}  // namespace ukernels::avx2
ALPHADROP_ISA_END

#endif
