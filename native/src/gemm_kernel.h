// The dense layers' own single-precision GEMM pieces (AVX2 + FMA): B packed into 16-column panels once
// per call, A packed (with its dropout mask applied on the way, see dropout_matmul.cpp) into 6-row
// slivers, a 6x16 register-blocked micro-kernel, and epilogues that finish a tile in registers.
//
// Why not only OpenBLAS: at the layer shapes of the issue (N = H = 100, K = D = 784) OpenBLAS's sgemm
// ran at 65 GFLOP/s on one core here (77 at 1024^3), re-packed w for every row panel, and needed our
// masked copy of the input as a separate pass before its own packing. Here the mask is applied while
// A is packed (one pass), w is packed once for all threads, and bias and ReLU are applied as tiles are
// stored. The micro-kernel alone reached 80-90 GFLOP/s on L2-resident 216 x 784 x 96 blocks. Reading A
// through six row pointers instead of a packed sliver was 15% slower.
//
// Blocking (BLIS-style, for one row panel of up to 256 rows): k blocks of at most kKC so that one B
// micro-panel (kc x 16 floats, <= 16 KB) stays in L1 while the micro-kernel walks down the row panel's
// 6-row slivers (the packed panel, <= 256 KB, stays in L2). The sum over k is always taken in the
// same blocks for a given shape, so results do not depend on the thread count.
#pragma once

#include <cstdint>
#include <cstring>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define ALPHADROP_GEMM_KERNEL 1
#else
#define ALPHADROP_GEMM_KERNEL 0
#endif

namespace alphadrop::gemm {

inline constexpr int kMR = 6;
inline constexpr int kNR = 16;
inline constexpr int64_t kKC = 256;

// Depth of each k block for a product of depth k: nearly equal blocks of at most kKC, a multiple of 8
// so that in the forward (where k runs over mask columns) every block starts on a whole group of 8
// mask draws and the mask generator writes straight into its buffer.
inline int64_t k_block(int64_t k) {
    const int64_t blocks = (k + kKC - 1) / kKC;
    const int64_t even = (k + blocks - 1) / blocks;
    return (even + 7) / 8 * 8;
}

// Number of 16-column panels of an n-column B.
inline int64_t panels(int64_t n) { return (n + kNR - 1) / kNR; }

// Packs panel jr of B = w (k x n, row-major, leading dimension ldw) for all k rows: out[k * 16 + t] is
// w[k, 16 jr + t], zero past column n. The panel starts at bp + jr * k * 16.
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

#if ALPHADROP_GEMM_KERNEL

// acc = sum_{k < kc} a[k, i] * b[k, 0..16) for the six rows i of a packed sliver (a[k * 6 + i]) and a
// packed B micro-panel (16 floats per k). acc[2 i] and acc[2 i + 1] are row i's columns 0-7 and 8-15.
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

// The 6x8 half of product_6x16 (columns 0-7 only; acc[2 i + 1] is left zero), for a last panel of at
// most 8 columns: H = 100 ends in a 4-column panel, where the full kernel wasted 12% of the layer's FMAs.
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

// How a tile's sums reach C: the first k block sets C = bias + acc (or acc), later blocks C += acc; the
// last block then applies ReLU (max(0, c), which keeps a NaN: vmaxps returns its second operand).
struct Epilogue {
    const float* bias = nullptr;  // the tile's first bias column, or null
    bool first = true;
    bool relu = false;
};

// Finishes the m x n (m <= 6, n <= 16) tile at c (leading dimension ldc) from acc.
__attribute__((always_inline)) inline void store_tile(const __m256 acc[2 * kMR], float* c, int64_t ldc, int m, int n,
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
            if (e.relu) v = v < 0.0f ? 0.0f : v;  // NaN stays NaN, -0 stays -0, as max(0, v) above
            row[j] = v;
        }
    }
}

// C[rows x n] (leading dimension ldc) op= A * B for one k block [k0, k0 + kc) of one row panel: A packed
// in 6-row slivers (sliver s, rows 6 s .. 6 s + 5, at ap + s * kc * 6), B the packed panels bp of a
// depth-k B. Walks B's 16-column micro-panels in the outer loop, so each stays in L1 while the slivers
// stream past it from L2.
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
            __m256 acc[2 * kMR];
            if (nn <= 8) {
                product_6x8(kc, ap + (i0 / kMR) * sliver_stride, b, acc);
            } else {
                product_6x16(kc, ap + (i0 / kMR) * sliver_stride, b, acc);
            }
            store_tile(acc, c + i0 * ldc + jr * kNR, ldc, mm, nn, e);
        }
    }
}

// Columns j of the eight rows r[0..8) -> out + j * 6 (eight floats each, in ascending j: each store's
// last two floats are overwritten by the next, and the last one's land in the caller's slack).
__attribute__((always_inline)) inline void transpose_store_8x8(const __m256 r[8], float* out) {
    const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    _mm256_storeu_ps(out + 0 * kMR, _mm256_permute2f128_ps(u0, u4, 0x20));
    _mm256_storeu_ps(out + 1 * kMR, _mm256_permute2f128_ps(u1, u5, 0x20));
    _mm256_storeu_ps(out + 2 * kMR, _mm256_permute2f128_ps(u2, u6, 0x20));
    _mm256_storeu_ps(out + 3 * kMR, _mm256_permute2f128_ps(u3, u7, 0x20));
    _mm256_storeu_ps(out + 4 * kMR, _mm256_permute2f128_ps(u0, u4, 0x31));
    _mm256_storeu_ps(out + 5 * kMR, _mm256_permute2f128_ps(u1, u5, 0x31));
    _mm256_storeu_ps(out + 6 * kMR, _mm256_permute2f128_ps(u2, u6, 0x31));
    _mm256_storeu_ps(out + 7 * kMR, _mm256_permute2f128_ps(u3, u7, 0x31));
}

// Packs panel jr of B = w^T, w being n x k row-major (leading dimension ldw): out[kk * 16 + t] is
// w[16 jr + t, kk], zero past row n of w. The panel starts at bp + jr * k * 16.
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

// Packs one 6-row sliver, out[k * 6 + i] = src[i][k] * m[i][k] (m null: no mask) for k < kc; rows
// i >= mm are zero (their src and m are not read).
inline void pack_sliver(const float* const src[kMR], const float* m, int64_t ldm, int mm, int64_t kc, float* out) {
    int64_t k = 0;
    if (mm == kMR) {
        __m256 r[8];
        r[6] = r[7] = _mm256_setzero_ps();
        for (; k + 8 <= kc; k += 8) {
            for (int i = 0; i < kMR; ++i) {
                const __m256 x = _mm256_loadu_ps(src[i] + k);
                r[i] = m != nullptr ? _mm256_mul_ps(x, _mm256_loadu_ps(m + i * ldm + k)) : x;
            }
            transpose_store_8x8(r, out + k * kMR);
        }
    }
    for (; k < kc; ++k) {
        for (int i = 0; i < kMR; ++i) {
            out[k * kMR + i] = i < mm ? (m != nullptr ? src[i][k] * m[i * ldm + k] : src[i][k]) : 0.0f;
        }
    }
}

#endif  // ALPHADROP_GEMM_KERNEL

}  // namespace alphadrop::gemm
