// AVX-512 single-precision GEMM micro-kernel: a 14 x 32 tile of C in 28 zmm accumulators (14 rows x two
// 16-float halves), per k two aligned zmm loads of B and 14 FMAs with an embedded broadcast of A each
// (GCC folds _mm512_set1_ps(*p) into vfmadd231ps zmm, zmm, [p]{1to16}), leaving 2 of the 32 zmm free
// for B. A 14 x 16 half kernel serves a last panel of at most 16 columns.
//
// Only for translation units compiled with AVX-512 (F; masked ops use only F) flags.
#pragma once

// In the ISA's inline namespace, one copy per level (isa_namespace.h says why).
#include "isa_namespace.h"

#if defined(__AVX512F__)

#include <immintrin.h>

#include <cstdint>

#include "ukernels/gemm_epilogue.h"

ALPHADROP_ISA_BEGIN
namespace ukernels::avx512 {

inline constexpr int kMR = 14;
inline constexpr int kNR = 32;

namespace detail {

// Lanes [0, n) of one 16-float half, n clamped to [0, 16].
__attribute__((always_inline)) inline __mmask16 lane_mask(int n) {
    if (n >= 16) return static_cast<__mmask16>(0xFFFF);
    if (n <= 0) return static_cast<__mmask16>(0);
    return static_cast<__mmask16>((1u << n) - 1u);
}

__attribute__((always_inline)) inline __m512 finish(__m512 acc, __m512 old_or_bias, bool add, bool relu) {
    __m512 v = add ? _mm512_add_ps(old_or_bias, acc) : acc;
    // max(0, v) keeping a NaN v (vmaxps returns its second operand when either is NaN). The zero-masked
    // form with a full mask is the same vmaxps; it avoids GCC 12's spurious -Wmaybe-uninitialized from
    // the _mm512_undefined_ps() inside _mm512_max_ps.
    if (relu) v = _mm512_maskz_max_ps(static_cast<__mmask16>(0xFFFF), _mm512_setzero_ps(), v);
    return v;
}

// Finishes the m x n tile at c from acc[NV * i + h] (row i, columns 16 h .. 16 h + 15), NV = 1 or 2.
template <int NV>
__attribute__((always_inline)) inline void store(const __m512* acc, float* c, int64_t ldc, int m, int n,
                                                 const Epilogue& e) {
    const bool with_bias = e.first && e.bias != nullptr;
    const bool add = !e.first || with_bias;
    if (m == kMR && n == 16 * NV) {
        __m512 bias[NV];
        for (int h = 0; h < NV; ++h) bias[h] = with_bias ? _mm512_loadu_ps(e.bias + 16 * h) : _mm512_setzero_ps();
#pragma GCC unroll 14
        for (int i = 0; i < kMR; ++i) {
            float* row = c + i * ldc;
#pragma GCC unroll 2
            for (int h = 0; h < NV; ++h) {
                const __m512 base = e.first ? bias[h] : _mm512_loadu_ps(row + 16 * h);
                _mm512_storeu_ps(row + 16 * h, finish(acc[NV * i + h], base, add, e.relu));
            }
        }
        return;
    }
    __mmask16 mask[NV];
    __m512 bias[NV];
    for (int h = 0; h < NV; ++h) {
        mask[h] = lane_mask(n - 16 * h);
        bias[h] = with_bias ? _mm512_maskz_loadu_ps(mask[h], e.bias + 16 * h) : _mm512_setzero_ps();
    }
#pragma GCC unroll 14
    for (int i = 0; i < kMR; ++i) {
        if (i >= m) break;
        float* row = c + i * ldc;
#pragma GCC unroll 2
        for (int h = 0; h < NV; ++h) {
            const __m512 base = e.first ? bias[h] : _mm512_maskz_loadu_ps(mask[h], row + 16 * h);
            _mm512_mask_storeu_ps(row + 16 * h, mask[h], finish(acc[NV * i + h], base, add, e.relu));
        }
    }
}

}  // namespace detail

// C (m x n tile, m <= 14, n <= 32, leading dimension ldc) op= A B for one k block of depth kc:
// a = packed sliver, a[k * 14 + i]; b = packed B micro-panel, b[k * 32 + j], rows 64-byte aligned.
// Only the m x n elements of C are read or written, and only bias[0, n).
__attribute__((always_inline)) inline void f32_gemm_14x32_avx512(int64_t kc, const float* a, const float* b,
                                                                 float* c, int64_t ldc, int m, int n,
                                                                 const Epilogue& e) {
    __m512 acc[2 * kMR];
#pragma GCC unroll 28
    for (int i = 0; i < 2 * kMR; ++i) acc[i] = _mm512_setzero_ps();
#pragma GCC unroll 4
    for (int64_t k = 0; k < kc; ++k) {
        const __m512 b0 = _mm512_load_ps(b + k * kNR);
        const __m512 b1 = _mm512_load_ps(b + k * kNR + 16);
        const float* ak = a + k * kMR;
#pragma GCC unroll 14
        for (int i = 0; i < kMR; ++i) {
            const __m512 x = _mm512_set1_ps(ak[i]);
            acc[2 * i] = _mm512_fmadd_ps(x, b0, acc[2 * i]);
            acc[2 * i + 1] = _mm512_fmadd_ps(x, b1, acc[2 * i + 1]);
        }
    }
    detail::store<2>(acc, c, ldc, m, n, e);
}

// The 14 x 16 half (columns 0-15 only: reads b[k * 32 + 0 .. 16)), for a tile of n <= 16 columns.
__attribute__((always_inline)) inline void f32_gemm_14x16_avx512(int64_t kc, const float* a, const float* b,
                                                                 float* c, int64_t ldc, int m, int n,
                                                                 const Epilogue& e) {
    __m512 acc[kMR];
#pragma GCC unroll 14
    for (int i = 0; i < kMR; ++i) acc[i] = _mm512_setzero_ps();
#pragma GCC unroll 4
    for (int64_t k = 0; k < kc; ++k) {
        const __m512 b0 = _mm512_load_ps(b + k * kNR);
        const float* ak = a + k * kMR;
#pragma GCC unroll 14
        for (int i = 0; i < kMR; ++i) acc[i] = _mm512_fmadd_ps(_mm512_set1_ps(ak[i]), b0, acc[i]);
    }
    detail::store<1>(acc, c, ldc, m, n, e);
}

}  // namespace ukernels::avx512
ALPHADROP_ISA_END

#endif  // defined(__AVX512F__)
