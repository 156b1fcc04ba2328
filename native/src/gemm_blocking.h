// The dense layers' GEMM driver pieces, generic over the micro-kernel of the ISA this file is compiled
// for: B packed into NR-column panels once per call, A packed (with its dropout mask applied on the way,
// see dropout_matmul.cpp) into MR-row slivers, and the block loop that runs the micro-kernel over them.
//
// The micro-kernel per ISA (only the chosen one is compiled into a translation unit):
//   avx512: f32_gemm_14x32_avx512 (14 x 32, half tile 14 x 16 for a last panel of <= 16 columns)
//   avx2:   f32_gemm_6x16_avx2    (6 x 16, half tile 6 x 8 for a last panel of <= 8 columns)
//   baseline: none, the products go to OpenBLAS (ALPHADROP_GEMM_KERNEL == 0)
//
// Blocking (BLIS-style, for one row panel of up to 256 rows): k blocks of at most kKC so that one B
// micro-panel stays in L1 while the micro-kernel walks down the row panel's slivers (the packed panel
// stays in L2). The sum over k is always taken in the same blocks for a given shape and ISA, so results
// do not depend on the thread count.
#pragma once

#include <cstdint>
#include <cstring>

#include "isa_namespace.h"
#include "ukernels/gemm_epilogue.h"

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__AVX512DQ__)
#include "ukernels/f32_gemm_14x32_avx512.h"
#define ALPHADROP_GEMM_KERNEL 1
#define ALPHADROP_GEMM_AVX512 1
#elif defined(__AVX2__) && defined(__FMA__)
#include "ukernels/f32_gemm_6x16_avx2.h"
#define ALPHADROP_GEMM_KERNEL 1
#else
#define ALPHADROP_GEMM_KERNEL 0
#endif

#if ALPHADROP_GEMM_KERNEL
#include <immintrin.h>
#endif

ALPHADROP_ISA_BEGIN
namespace gemm {

using ukernels::Epilogue;

#if ALPHADROP_GEMM_KERNEL
#if defined(ALPHADROP_GEMM_AVX512)
inline constexpr int kMR = ukernels::avx512::kMR;
inline constexpr int kNR = ukernels::avx512::kNR;
inline constexpr const char* kUkernelName = "f32_gemm_14x32_avx512";
__attribute__((always_inline)) inline void ukernel(int64_t kc, const float* a, const float* b, float* c,
                                                   int64_t ldc, int m, int n, const Epilogue& e) {
    if (n <= 16) {
        ukernels::avx512::f32_gemm_14x16_avx512(kc, a, b, c, ldc, m, n, e);
    } else {
        ukernels::avx512::f32_gemm_14x32_avx512(kc, a, b, c, ldc, m, n, e);
    }
}
#else
inline constexpr int kMR = ukernels::avx2::kMR;
inline constexpr int kNR = ukernels::avx2::kNR;
inline constexpr const char* kUkernelName = "f32_gemm_6x16_avx2";
__attribute__((always_inline)) inline void ukernel(int64_t kc, const float* a, const float* b, float* c,
                                                   int64_t ldc, int m, int n, const Epilogue& e) {
    ukernels::avx2::f32_gemm_6x16_avx2(kc, a, b, c, ldc, m, n, e);
}
#endif
#else
inline constexpr int kMR = 6;   // unused without a micro-kernel; panel sizes stay as before
inline constexpr int kNR = 16;
inline constexpr const char* kUkernelName = "openblas_sgemm";
#endif

inline constexpr int64_t kKC = 256;

// Depth of each k block for a product of depth k: nearly equal blocks of at most kKC, a multiple of 8
// so that in the forward (where k runs over mask columns) every block starts on a whole group of 8
// mask draws and the mask generator writes straight into its buffer.
inline int64_t k_block(int64_t k) {
    const int64_t blocks = (k + kKC - 1) / kKC;
    const int64_t even = (k + blocks - 1) / blocks;
    return (even + 7) / 8 * 8;
}

// Number of NR-column panels of an n-column B.
inline int64_t panels(int64_t n) { return (n + kNR - 1) / kNR; }

// Packs panel jr of B = w (k x n, row-major, leading dimension ldw) for all k rows: out[k * NR + t] is
// w[k, NR jr + t], zero past column n. The panel starts at bp + jr * k * NR.
inline void pack_b_panel(const float* w, int64_t ldw, int64_t k, int64_t n, int64_t jr, float* bp) {
    const int64_t j0 = jr * kNR;
    const int64_t cols = n - j0 < kNR ? n - j0 : kNR;
    float* out = bp + jr * k * kNR;
    for (int64_t kk = 0; kk < k; ++kk) {
        const float* src = w + kk * ldw + j0;
        float* dst = out + kk * kNR;
        if (cols == kNR) {
            std::memcpy(dst, src, sizeof(float) * kNR);
        } else {
            for (int64_t t = 0; t < cols; ++t) dst[t] = src[t];
            for (int64_t t = cols; t < kNR; ++t) dst[t] = 0.0f;
        }
    }
}

// Packs panel jr of B = w^T, w being n x k row-major (leading dimension ldw): out[kk * NR + t] is
// w[NR jr + t, kk], zero past row n of w. The panel starts at bp + jr * k * NR.
inline void pack_bt_panel(const float* w, int64_t ldw, int64_t k, int64_t n, int64_t jr, float* bp) {
    const int64_t j0 = jr * kNR;
    const int64_t cols = n - j0 < kNR ? n - j0 : kNR;
    float* out = bp + jr * k * kNR;
    for (int64_t kk = 0; kk < k; ++kk) {
        float* dst = out + kk * kNR;
        for (int64_t t = 0; t < cols; ++t) dst[t] = w[(j0 + t) * ldw + kk];
        for (int64_t t = cols; t < kNR; ++t) dst[t] = 0.0f;
    }
}

// Floats a packed A of `rows` rows and depth kc needs, with the slack transpose_store_8x8 writes into.
inline int64_t packed_a_floats(int64_t rows, int64_t kc) { return (rows + kMR - 1) / kMR * kMR * kc + 8; }

#if ALPHADROP_GEMM_KERNEL

// C[rows x n] (leading dimension ldc) op= A * B for one k block [k0, k0 + kc) of one row panel: A packed
// in MR-row slivers (sliver s at ap + s * sliver_stride, default kc * MR), B the packed panels bp of a
// depth-k B. Walks B's micro-panels in the outer loop, so each stays in L1 while the slivers stream past
// it from L2.
inline void block_product(const float* ap, int64_t rows, const float* bp, int64_t k, int64_t k0, int64_t kc,
                          int64_t n, float* c, int64_t ldc, const float* bias, bool first, bool relu,
                          int64_t sliver_stride = 0) {
    if (sliver_stride == 0) sliver_stride = kc * kMR;
    const int64_t np = panels(n);
    for (int64_t jr = 0; jr < np; ++jr) {
        const float* b = bp + (jr * k + k0) * kNR;
        const int nn = static_cast<int>(n - jr * kNR < kNR ? n - jr * kNR : kNR);
        Epilogue e;
        e.bias = bias != nullptr ? bias + jr * kNR : nullptr;
        e.first = first;
        e.relu = relu;
        for (int64_t i0 = 0; i0 < rows; i0 += kMR) {
            const int mm = static_cast<int>(rows - i0 < kMR ? rows - i0 : kMR);
            ukernel(kc, ap + (i0 / kMR) * sliver_stride, b, c + i0 * ldc + jr * kNR, ldc, mm, nn, e);
        }
    }
}

// Columns j of the eight rows r[0..8) -> out + j * stride (eight floats each, in ascending j: when
// stride < 8 or a group is the sliver's last, each store's tail is overwritten by a later store or lands
// in the caller's slack).
__attribute__((always_inline)) inline void transpose_store_8x8(const __m256 r[8], float* out, int64_t stride) {
    const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    _mm256_storeu_ps(out + 0 * stride, _mm256_permute2f128_ps(u0, u4, 0x20));
    _mm256_storeu_ps(out + 1 * stride, _mm256_permute2f128_ps(u1, u5, 0x20));
    _mm256_storeu_ps(out + 2 * stride, _mm256_permute2f128_ps(u2, u6, 0x20));
    _mm256_storeu_ps(out + 3 * stride, _mm256_permute2f128_ps(u3, u7, 0x20));
    _mm256_storeu_ps(out + 4 * stride, _mm256_permute2f128_ps(u0, u4, 0x31));
    _mm256_storeu_ps(out + 5 * stride, _mm256_permute2f128_ps(u1, u5, 0x31));
    _mm256_storeu_ps(out + 6 * stride, _mm256_permute2f128_ps(u2, u6, 0x31));
    _mm256_storeu_ps(out + 7 * stride, _mm256_permute2f128_ps(u3, u7, 0x31));
}

// Packs one MR-row sliver, out[k * MR + i] = src[i][k] * m[i][k] (m null: no mask) for k < kc; rows
// i >= mm are zero (their src and m are not read). Full slivers go 8 columns at a time through 8x8
// transposes of row groups [8 g, 8 g + 8); the last (partial) group is stored first, so the floats its
// stores spill past the sliver row are overwritten by the next group's stores.
inline void pack_sliver(const float* const src[kMR], const float* m, int64_t ldm, int mm, int64_t kc, float* out) {
    int64_t k = 0;
    if (mm == kMR) {
        constexpr int kGroups = (kMR + 7) / 8;
        for (; k + 8 <= kc; k += 8) {
            for (int g = kGroups - 1; g >= 0; --g) {
                __m256 r[8];
                for (int i = 0; i < 8; ++i) {
                    const int row = 8 * g + i;
                    if (row >= kMR) {
                        r[i] = _mm256_setzero_ps();
                        continue;
                    }
                    const __m256 x = _mm256_loadu_ps(src[row] + k);
                    r[i] = m != nullptr ? _mm256_mul_ps(x, _mm256_loadu_ps(m + row * ldm + k)) : x;
                }
                transpose_store_8x8(r, out + k * kMR + 8 * g, kMR);
            }
        }
    }
    for (; k < kc; ++k) {
        for (int i = 0; i < kMR; ++i) {
            out[k * kMR + i] = i < mm ? (m != nullptr ? src[i][k] * m[i * ldm + k] : src[i][k]) : 0.0f;
        }
    }
}

#endif  // ALPHADROP_GEMM_KERNEL

}  // namespace gemm
ALPHADROP_ISA_END
