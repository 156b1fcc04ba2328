// Dense layer with dropout on its input, K MC samples per datapoint: forward and backward.
//
// Work is cut into panels whose boundaries depend only on the problem shape (never on the thread
// count), and every OpenBLAS call is single-threaded and sees the same shapes whatever the pool size,
// so results are bit-identical for any thread count. Masks are regenerated from Philox, never stored.
#include "alphadrop/kernels.h"
#include "isa_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <type_traits>

#include "activation.h"
#include "common.h"
#include "gemm_blocking.h"
#include "openblas.h"
#include "philox.h"
#include "thread_pool.h"

ALPHADROP_ISA_BEGIN
namespace kernels {

namespace {

using detail::ceil_div;
using detail::clamp64;
using runtime::SparsePolicy;
using runtime::ThreadPool;
using detail::require_activation;
using detail::require_int_range;
using detail::require_positive;
using detail::require_ptr;
using detail::round_up;
using detail::scratch;
using philox::MaskGen;

struct Shape {
    int64_t B, K, R, D, H;
    bool shared;
};

Shape check_shape(const char* fn, int batch, int samples, bool shared_input, int in, int out) {
    require_positive(batch, fn, "batch");
    require_positive(samples, fn, "samples");
    require_positive(in, fn, "in");
    require_positive(out, fn, "out");
    Shape s{batch, samples, int64_t(batch) * samples, in, out, shared_input};
    require_int_range(s.R, fn, "batch * samples");
    require_int_range(s.R * s.D, fn, "rows * in");
    require_int_range(s.R * s.H, fn, "rows * out");
    require_int_range(s.D * s.H, fn, "in * out");
    return s;
}

// Panel sizes. They depend only on the problem shape, never on the thread count: OpenBLAS's result for
// a row does change with the M of the call it is part of (and the micro-kernel's with its k blocks), so
// fixed panels are what makes the kernels bit-identical for any number of threads. Bigger panels
// amortise the per-panel work; aiming at >= 4 panels keeps two or more threads busy on small batches.
// (The measurements behind these choices are in docs/performance.md.)

// Rows per panel for the forward and da: a multiple of the micro-kernel's MR in [3 MR, 256],
// aiming at 12 panels. Threads take panels as they come free, so 12 keeps 2, 3 or 4 threads level
// even when one of them is slowed by something else on its core (fixed equal shares made the 2-thread
// epoch vary widely). The micro-kernel packs w once per call, so smaller panels
// cost little (the OpenBLAS path re-packs w per panel).
int64_t panel_rows(int64_t rows) {
    return clamp64(round_up(ceil_div(rows, 12), gemm::kMR), 3 * gemm::kMR, 256 / gemm::kMR * gemm::kMR);
}

// dw = (m .* a)^T dzPre has two shapes of work split, both fixed by the problem shape:
//  - wide inputs (D >= kDwColumnSplitMin): panels of columns of a (= rows of dw), each summed over all
//    rows by one thread; the product sees M = D / 4 >= 128 rows of dw per panel;
//  - narrow inputs: kDwRowBlocks fixed blocks of rows, each a full D x H partial product, then summed in
//    block order. Column panels of a 100-wide layer would give the product M = 25..32, which runs far
//    slower than M = 100; the micro-kernel likewise wastes less on edge slivers with the whole width.
constexpr int64_t kDwColumnSplitMin = 512;
constexpr int64_t kDwRowBlocks = 4;

// Columns of a per dw panel: a multiple-of-4 number of panels of at most 256 columns, as equal as
// possible (more panels cost more: each panel streams all of dz). Any
// column range is fine for the masks.
int64_t dw_panel_cols(int64_t in) {
    const int64_t panels = round_up(ceil_div(in, 256), 4);
    return round_up(ceil_div(in, panels), 8);  // whole groups of 8 mask draws (see gemm::k_block)
}

// OpenBLAS path (builds without AVX2/FMA): rows of (m .* a) packed per dw sgemm; dw accumulates over
// these blocks in row order; larger blocks let OpenBLAS run longer products.
constexpr int64_t kDwRowBlock = 2048;

// Rows per da panel of the micro-kernel path (see da_own_gemm).
constexpr int64_t kDaPanelRows = (36 + gemm::kMR - 1) / gemm::kMR * gemm::kMR;

// Element blocks for the in-place activation backward.
constexpr int64_t kElementBlock = 8192;

// Columns per db task (the sum over rows of one column is always done by one thread, in row order).
constexpr int64_t kDbColumnBlock = 16;

// ---- micro-kernels -------------------------------------------------------------------------------

inline void mul_rows(const float* __restrict src, const float* __restrict m, int64_t n, float* __restrict dst) {
    for (int64_t j = 0; j < n; ++j) dst[j] = src[j] * m[j];
}

inline void mul_inplace(float* __restrict dst, const float* __restrict m, int64_t n) {
    for (int64_t j = 0; j < n; ++j) dst[j] *= m[j];
}

inline void fma_rows(const float* __restrict src, const float* __restrict m, int64_t n, float* __restrict dst) {
    for (int64_t j = 0; j < n; ++j) dst[j] += src[j] * m[j];  // -ffp-contract=off: a product, then a sum
}

inline void add_rows(const float* __restrict src, int64_t n, float* __restrict dst) {
    for (int64_t j = 0; j < n; ++j) dst[j] += src[j];
}

// Masks are generated a tile of rows at a time (about 16 KB of multipliers), so narrow layers batch
// Philox counters across rows while the tile stays in L1/L2 next to the rows it multiplies.
constexpr int64_t kMaskTileFloats = 4096;

int64_t mask_tile_rows(int64_t width) { return std::max<int64_t>(1, kMaskTileFloats / width); }

// dst[i, :] = src_row(r0 + i)[c0 : c1] .* m[r0 + i, c0 : c1] for i < rows; dst rows are c1 - c0 long.
template <class SrcRow>
void pack_masked_rows(const MaskGen& mask, int64_t r0, int64_t rows, int64_t c0, int64_t c1, SrcRow src_row,
                      float* dst) {
    const int64_t w = c1 - c0;
    const int64_t tile = std::min(mask_tile_rows(w), rows);
    float* m = scratch<float>(detail::kScratchMaskRow, size_t(tile * w));
    for (int64_t t0 = 0; t0 < rows; t0 += tile) {
        const int64_t tr = std::min(tile, rows - t0);
        mask.fill_tile(uint32_t(r0 + t0), tr, c0, c1, m, w);
        for (int64_t i = 0; i < tr; ++i) mul_rows(src_row(r0 + t0 + i) + c0, m + i * w, w, dst + (t0 + i) * w);
    }
}

// Calls row(r, m_r) for every sample row r, in order within the fixed row panels of the forward
// (panels in parallel), m_r being the row's D dropout multipliers (null without dropout), generated a
// tile of rows at a time; then tile_done(r0, rows) for each finished tile.
template <class Row, class TileDone>
void for_each_masked_row(ThreadPool& pool, const Shape& s, const MaskGen& mask, double work, Row row,
                         TileDone tile_done) {
    const int64_t pr = panel_rows(s.R);
    pool.parallel_for(
        ceil_div(s.R, pr),
        [&](int64_t begin, int64_t end, int) {
            const int64_t tile = std::min(mask_tile_rows(s.D), pr);
            float* m = mask.active ? scratch<float>(detail::kScratchMaskRow, size_t(tile * s.D)) : nullptr;
            for (int64_t pi = begin; pi < end; ++pi) {
                const int64_t r0 = pi * pr;
                const int64_t rows = std::min(pr, s.R - r0);
                for (int64_t t0 = 0; t0 < rows; t0 += tile) {
                    const int64_t tr = std::min(tile, rows - t0);
                    if (m != nullptr) mask.fill_tile(uint32_t(r0 + t0), tr, 0, s.D, m, s.D);
                    for (int64_t i = 0; i < tr; ++i) row(r0 + t0 + i, m != nullptr ? m + i * s.D : nullptr);
                    tile_done(r0 + t0, tr);
                }
            }
        },
        work);
}

// The sgemm calls below accumulate (beta = 1) into a C we initialise ourselves: with beta = 0, OpenBLAS
// first clears C with one small memset per row of a row-major C, a visible cost on narrow layers.

// c[i, :] = 0 for `rows` rows of length n with leading dimension ldc.
void zero_rows(float* c, int64_t rows, int64_t n, int64_t ldc) {
    if (ldc == n) {
        std::memset(c, 0, size_t(rows * n) * sizeof(float));
        return;
    }
    for (int64_t i = 0; i < rows; ++i) std::memset(c + i * ldc, 0, size_t(n) * sizeof(float));
}

// z[i, :] = bias (or 0) for `rows` rows of length h with leading dimension ldz: the sgemm adds onto it.
void init_with_bias(float* z, int64_t rows, int64_t h, int64_t ldz, const float* bias) {
    if (bias == nullptr) {
        zero_rows(z, rows, h, ldz);
        return;
    }
    for (int64_t i = 0; i < rows; ++i) std::memcpy(z + i * ldz, bias, size_t(h) * sizeof(float));
}

// z[i, :] = act(z[i, :]) for `rows` rows of length h with leading dimension ldz.
void activation_rows(float* z, int64_t rows, int64_t h, int64_t ldz, int activation) {
    for (int64_t i = 0; i < rows; ++i) {
        float* __restrict row = z + i * ldz;
        if (activation == ACT_RELU) {
            for (int64_t j = 0; j < h; ++j) row[j] = row[j] < 0.0f ? 0.0f : row[j];  // NaN propagates
        } else if (activation == ACT_TANH) {
            for (int64_t j = 0; j < h; ++j) row[j] = tanh_float(row[j]);
        }
    }
}


// Shared input without dropout: every sample of datapoint n sees the same row, so compute the B
// distinct rows once (written straight into row n*K of z via ldc = K*H) and replicate them.
void forward_shared_no_dropout(ThreadPool& pool, const Shape& s, const float* a, const float* w, const float* bias, int activation,
                               float* z) {
    const int64_t pb = panel_rows(s.B);
    const int64_t n_panels = ceil_div(s.B, pb);
    const int64_t ldz = s.K * s.H;
    pool.parallel_for(
        n_panels,
        [&](int64_t begin, int64_t end, int) {
            for (int64_t panel = begin; panel < end; ++panel) {
                const int64_t n0 = panel * pb;
                const int64_t nb = std::min(pb, s.B - n0);
                float* z0 = z + n0 * ldz;
                init_with_bias(z0, nb, s.H, ldz, bias);
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(nb), int(s.H), int(s.D), 1.0f,
                            a + n0 * s.D, int(s.D), w, int(s.H), 1.0f, z0, int(ldz));
                activation_rows(z0, nb, s.H, ldz, activation);
                for (int64_t i = 0; i < nb; ++i) {
                    const float* first = z0 + i * ldz;
                    for (int64_t k = 1; k < s.K; ++k) {
                        std::memcpy(z0 + i * ldz + k * s.H, first, size_t(s.H) * sizeof(float));
                    }
                }
            }
        },
        2.0 * double(s.B) * double(s.D) * double(s.H));
}

// (m .* a)[r0, r0 + rows)[:, c0 : c1] packed into x (rows x (c1 - c0)), or a pointer straight into a
// when there is nothing to apply (no mask, unshared input); *ld gets the leading dimension to use.
[[maybe_unused]] const float* masked_block(const Shape& s, const MaskGen& mask, const float* a, int64_t r0, int64_t rows, int64_t c0,
                          int64_t c1, float* x, int64_t* ld) {
    const auto src_row = [&](int64_t r) { return a + (s.shared ? r / s.K : r) * s.D; };
    const int64_t w = c1 - c0;
    if (mask.active) {
        pack_masked_rows(mask, r0, rows, c0, c1, src_row, x);
    } else if (s.shared) {
        for (int64_t i = 0; i < rows; ++i) std::memcpy(x + i * w, src_row(r0 + i) + c0, size_t(w) * sizeof(float));
    } else {
        *ld = s.D;
        return a + r0 * s.D + c0;
    }
    *ld = w;
    return x;
}

// Forward through OpenBLAS (builds without AVX2/FMA): masked row panels packed, then one sgemm each.
[[maybe_unused]] void forward_openblas(ThreadPool& pool, const Shape& s, const MaskGen& mask, const float* a, const float* w,
                                       const float* bias, int activation, float* z) {
    const int64_t pr = panel_rows(s.R);
    pool.parallel_for(
        ceil_div(s.R, pr),
        [&](int64_t begin, int64_t end, int) {
            float* panel = mask.active ? scratch<float>(detail::kScratchPanel, size_t(pr * s.D)) : nullptr;
            const auto src_row = [&](int64_t r) { return a + (s.shared ? r / s.K : r) * s.D; };
            for (int64_t pi = begin; pi < end; ++pi) {
                const int64_t r0 = pi * pr;
                const int64_t rows = std::min(pr, s.R - r0);
                const float* A = a + r0 * s.D;
                if (mask.active) {
                    pack_masked_rows(mask, r0, rows, 0, s.D, src_row, panel);
                    A = panel;
                }
                float* z0 = z + r0 * s.H;
                init_with_bias(z0, rows, s.H, s.H, bias);
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(rows), int(s.H), int(s.D), 1.0f, A,
                            int(s.D), w, int(s.H), 1.0f, z0, int(s.H));
                activation_rows(z0, rows, s.H, s.H, activation);
            }
        },
        2.0 * double(s.R) * double(s.D) * double(s.H));
}

#if ALPHADROP_GEMM_KERNEL
// Rows [r0, r0 + rows) x columns [c0, c1) of (m .* a) packed for the micro-kernel (6-row slivers, see
// gemm::pack_sliver): the mask is generated a tile of rows at a time into L1 and applied as the rows
// are transposed into the slivers, so the masked input is written once.
template <class SrcRow>
void pack_a_masked(const MaskGen& mask, int64_t r0, int64_t rows, int64_t c0, int64_t c1, SrcRow src_row,
                   float* ap) {
    const int64_t kc = c1 - c0;
    const int64_t tile = mask.active ? std::max<int64_t>(1, mask_tile_rows(kc) / gemm::kMR) * gemm::kMR : rows;
    float* m = mask.active ? scratch<float>(detail::kScratchMaskRow, size_t(std::min(tile, rows) * kc)) : nullptr;
    for (int64_t t0 = 0; t0 < rows; t0 += tile) {
        const int64_t tr = std::min(tile, rows - t0);
        if (mask.active) mask.fill_tile(uint32_t(r0 + t0), tr, c0, c1, m, kc);
        for (int64_t i0 = 0; i0 < tr; i0 += gemm::kMR) {
            const int mm = int(std::min<int64_t>(gemm::kMR, tr - i0));
            const float* src[gemm::kMR];
            for (int i = 0; i < gemm::kMR; ++i) src[i] = src_row(r0 + t0 + i0 + (i < mm ? i : 0)) + c0;
            gemm::pack_sliver(src, m != nullptr ? m + i0 * kc : nullptr, kc, mm, kc,
                              ap + (t0 + i0) / gemm::kMR * gemm::kMR * kc);
        }
    }
}

// The B operand of a micro-kernel product (depth k, n columns) packed into 16-column panels, in
// parallel, into the calling thread's scratch: from src (k x n, row-major, leading dimension ld) or,
// transposed, from src (n x k).
const float* pack_b(ThreadPool& pool, const float* src, int64_t ld, int64_t k, int64_t n, bool transposed) {
    const int64_t np = gemm::panels(n);
    float* bp = scratch<float>(detail::kScratchPackedB, size_t(np * k * gemm::kNR));
    pool.parallel_for(
        np,
        [&](int64_t begin, int64_t end, int) {
            for (int64_t jr = begin; jr < end; ++jr) {
                if (transposed) {
                    gemm::pack_bt_panel(src, ld, k, n, jr, bp);
                } else {
                    gemm::pack_b_panel(src, ld, k, n, jr, bp);
                }
            }
        },
        double(k) * double(n));
    return bp;
}

// C rows [r0, r0 + rows) (row r at c + (r - r0) * n) = (m .* A) B over all k blocks in order, A's row r
// being src_row(r)[0 .. depth) and bp the B operand packed to that depth (pack_b); bias and ReLU as in
// gemm::block_product. ap is the caller's sliver buffer (gemm::packed_a_floats(rows, k_block(depth))).
template <class SrcRow>
void panel_product(const MaskGen& mask, int64_t r0, int64_t rows, SrcRow src_row, int64_t depth, const float* bp,
                   int64_t n, float* c, const float* bias, bool relu, float* ap) {
    const int64_t kc = gemm::k_block(depth);
    for (int64_t k0 = 0; k0 < depth; k0 += kc) {
        const int64_t k1 = std::min(k0 + kc, depth);
        pack_a_masked(mask, r0, rows, k0, k1, src_row, ap);
        gemm::block_product(ap, rows, bp, depth, k0, k1 - k0, n, c, n, bias, k0 == 0, relu && k1 == depth);
    }
}

// Forward through the own micro-kernel: w is packed once (in parallel, by 16-column panels); each row
// panel then takes its k blocks in order, packing the block's masked input into L2-sized slivers and
// running the 6x16 kernel over them, with bias and ReLU applied as the tiles are stored.
void forward_own_gemm(ThreadPool& pool, const Shape& s, const MaskGen& mask, const float* a, const float* w, const float* bias,
                      int activation, float* z) {
    const float* bp = pack_b(pool, w, s.H, s.D, s.H, false);

    const int64_t pr = panel_rows(s.R);
    const int64_t kc = gemm::k_block(s.D);
    const bool relu = activation == ACT_RELU;
    pool.parallel_for(
        ceil_div(s.R, pr),
        [&](int64_t begin, int64_t end, int) {
            float* ap = scratch<float>(detail::kScratchPanel, size_t(gemm::packed_a_floats(pr, kc)));
            const auto src_row = [&](int64_t r) { return a + (s.shared ? r / s.K : r) * s.D; };
            for (int64_t pi = begin; pi < end; ++pi) {
                const int64_t r0 = pi * pr;
                const int64_t rows = std::min(pr, s.R - r0);
                float* z0 = z + r0 * s.H;
                panel_product(mask, r0, rows, src_row, s.D, bp, s.H, z0, bias, relu, ap);
                if (activation == ACT_TANH) activation_rows(z0, rows, s.H, s.H, activation);
            }
        },
        2.0 * double(s.R) * double(s.D) * double(s.H));
}

// dw rows [d0, d1) (columns of a) summed over batch rows [r0, r1) into out (ldc = H), through the
// micro-kernel with A = (m .* a)^T: for each batch row the masked segment a[r, d0:d1] is cut into the
// MR-column slivers (a row-major source needs no transpose here); bp holds dz packed to depth R.
void dw_block_own_gemm(const Shape& s, const MaskGen& mask, const float* a, const float* bp, int64_t d0, int64_t d1,
                       int64_t r0, int64_t r1, float* out) {
    const int64_t dc = d1 - d0;
    const int64_t kc_max = gemm::k_block(r1 - r0);
    const int64_t slivers = ceil_div(dc, gemm::kMR);
    const int64_t stride = kc_max * gemm::kMR + 8;  // + slack: the last row's 8-float stores spill past it
    float* ap = scratch<float>(detail::kScratchPanel, size_t(slivers * stride));
    const int64_t tile = mask_tile_rows(dc);
    float* m = mask.active ? scratch<float>(detail::kScratchMaskRow, size_t(std::min(tile, r1 - r0) * dc)) : nullptr;
    for (int64_t k0 = r0; k0 < r1; k0 += kc_max) {
        const int64_t k1 = std::min(k0 + kc_max, r1);
        for (int64_t t0 = k0; t0 < k1; t0 += tile) {
            const int64_t tr = std::min(tile, k1 - t0);
            if (m != nullptr) mask.fill_tile(uint32_t(t0), tr, d0, d1, m, dc);
            for (int64_t i = 0; i < tr; ++i) {
                const int64_t r = t0 + i;
                const float* src = a + (s.shared ? r / s.K : r) * s.D + d0;
                const float* mi = m != nullptr ? m + i * dc : nullptr;
                float* dst = ap + (r - k0) * gemm::kMR;
                // Each sliver's MR floats in 8-float pieces while a whole piece fits in the row; the
                // floats a piece stores past the sliver's MR are overwritten by the next row's stores.
                for (int64_t sl = 0; sl < slivers; ++sl) {
                    for (int64_t j0 = 0; j0 < gemm::kMR; j0 += 8) {
                        const int64_t d = sl * gemm::kMR + j0;
                        if (d + 8 <= dc) {
                            __m256 x = _mm256_loadu_ps(src + d);
                            if (mi != nullptr) x = _mm256_mul_ps(x, _mm256_loadu_ps(mi + d));
                            _mm256_storeu_ps(dst + sl * stride + j0, x);
                            continue;
                        }
                        for (int64_t j = j0; j < gemm::kMR; ++j) {
                            const int64_t dj = sl * gemm::kMR + j;
                            dst[sl * stride + j] = dj < dc ? (mi != nullptr ? src[dj] * mi[dj] : src[dj]) : 0.0f;
                        }
                        break;
                    }
                }
            }
        }
        gemm::block_product(ap, dc, bp, s.R, k0, k1 - k0, s.H, out, s.H, nullptr, k0 == r0, false, stride);
    }
}

// dz packed as the B operand of dw (NR-column panels over H, depth R).
const float* pack_dz(ThreadPool& pool, const Shape& s, const float* dz) { return pack_b(pool, dz, s.H, s.R, s.H, false); }

// da = (dzPre w^T) .* m for an unshared input: w^T packed once, row panels of dzPre packed into slivers,
// the mask applied to each finished panel while it is still in L2.
void da_own_gemm(ThreadPool& pool, const Shape& s, const MaskGen& mask, const float* w, const float* dz, float* da) {
    const float* bp = pack_b(pool, w, s.H, s.H, s.D, true);
    // Row panels of 36: a panel of da (36 x 784 floats = 113 KB at D = 784) is still in L2 when its mask
    // is applied, and stays there across the k blocks of a wide H. The panel size does not change any
    // result (each element's k blocks are the same), so it is chosen for the cache alone.
    const int64_t pr = std::min<int64_t>(kDaPanelRows, s.R);
    const int64_t kc = gemm::k_block(s.H);
    pool.parallel_for(
        ceil_div(s.R, pr),
        [&](int64_t begin, int64_t end, int) {
            float* ap = scratch<float>(detail::kScratchPanel, size_t(gemm::packed_a_floats(pr, kc)));
            const int64_t tile = std::min(mask_tile_rows(s.D), pr);
            float* m = mask.active ? scratch<float>(detail::kScratchMaskRow, size_t(tile * s.D)) : nullptr;
            const MaskGen none(0, 0, 0, 0.0f);
            const auto dz_row = [&](int64_t r) { return dz + r * s.H; };
            for (int64_t pi = begin; pi < end; ++pi) {
                const int64_t r0 = pi * pr;
                const int64_t rows = std::min(pr, s.R - r0);
                float* da0 = da + r0 * s.D;
                panel_product(none, r0, rows, dz_row, s.H, bp, s.D, da0, nullptr, false, ap);
                if (!mask.active) continue;
                for (int64_t t0 = 0; t0 < rows; t0 += tile) {
                    const int64_t tr = std::min(tile, rows - t0);
                    mask.fill_tile(uint32_t(r0 + t0), tr, 0, s.D, m, s.D);
                    for (int64_t i = 0; i < tr; ++i) mul_inplace(da0 + (t0 + i) * s.D, m + i * s.D, s.D);
                }
            }
        },
        2.0 * double(s.R) * double(s.D) * double(s.H));
}
#endif

// dw rows [d0, d1) (columns of a) summed over batch rows [r0, r1), overwriting out (ldc = H). bp is
// dz packed by pack_dz (own kernel only).
void dw_block(const Shape& s, const MaskGen& mask, const float* a, const float* dz, [[maybe_unused]] const float* bp,
              int64_t d0, int64_t d1, int64_t r0, int64_t r1, float* out) {
#if ALPHADROP_GEMM_KERNEL
    (void)dz;
    dw_block_own_gemm(s, mask, a, bp, d0, d1, r0, r1, out);
#else
    const int64_t dc = d1 - d0;
    const int64_t row_block = std::min(kDwRowBlock, r1 - r0);
    float* x = scratch<float>(detail::kScratchPanel, size_t(row_block * dc));
    zero_rows(out, dc, s.H, s.H);
    for (int64_t rb0 = r0; rb0 < r1; rb0 += row_block) {
        const int64_t rows = std::min(row_block, r1 - rb0);
        int64_t ld = 0;
        const float* A = masked_block(s, mask, a, rb0, rows, d0, d1, x, &ld);
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, int(dc), int(s.H), int(rows), 1.0f, A, int(ld),
                    dz + rb0 * s.H, int(s.H), 1.0f, out, int(s.H));
    }
#endif
}

const float* packed_dz_if_needed([[maybe_unused]] ThreadPool& pool, [[maybe_unused]] const Shape& s, [[maybe_unused]] const float* dz) {
#if ALPHADROP_GEMM_KERNEL
    return pack_dz(pool, s, dz);
#else
    return nullptr;
#endif
}

void dw_by_column_panels(ThreadPool& pool, const Shape& s, const MaskGen& mask, const float* a, const float* dz, float* dw) {
    const int64_t pd = dw_panel_cols(s.D);
    const float* bp = packed_dz_if_needed(pool, s, dz);
    pool.parallel_for(
        ceil_div(s.D, pd),
        [&](int64_t begin, int64_t end, int) {
            for (int64_t pi = begin; pi < end; ++pi) {
                const int64_t d0 = pi * pd;
                const int64_t d1 = std::min(d0 + pd, s.D);
                dw_block(s, mask, a, dz, bp, d0, d1, 0, s.R, dw + d0 * s.H);
            }
        },
        2.0 * double(s.R) * double(s.D) * double(s.H));
}

void dw_by_row_blocks(ThreadPool& pool, const Shape& s, const MaskGen& mask, const float* a, const float* dz, float* dw) {
    const int64_t blocks = std::min(kDwRowBlocks, s.R);
    const int64_t rows_per = ceil_div(s.R, blocks);
    const int64_t size = s.D * s.H;
    const float* bp = packed_dz_if_needed(pool, s, dz);
    // Block 0 writes dw itself; blocks 1.. write partials owned by the calling thread's scratch.
    float* partials = scratch<float>(detail::kScratchPartials, size_t((blocks - 1) * size));
    pool.parallel_for(
        blocks,
        [&](int64_t begin, int64_t end, int) {
            for (int64_t j = begin; j < end; ++j) {
                const int64_t r0 = j * rows_per;
                const int64_t r1 = std::min(r0 + rows_per, s.R);
                float* out = j == 0 ? dw : partials + (j - 1) * size;
                if (r1 <= r0) {
                    zero_rows(out, 1, size, size);
                    continue;
                }
                dw_block(s, mask, a, dz, bp, 0, s.D, r0, r1, out);
            }
        },
        2.0 * double(s.R) * double(s.D) * double(s.H));
    // dw = ((p0 + p1) + p2) + p3, element-wise, so any split of the elements gives the same sums.
    pool.parallel_for(
        ceil_div(size, kElementBlock),
        [&](int64_t begin, int64_t end, int) {
            const int64_t e0 = begin * kElementBlock;
            const int64_t e1 = std::min(end * kElementBlock, size);
            for (int64_t j = 1; j < blocks; ++j) add_rows(partials + (j - 1) * size + e0, e1 - e0, dw + e0);
        },
        double(size) * double(blocks));
}

}  // namespace

namespace {

#if ALPHADROP_GEMM_KERNEL
// ---- sparse path: terms whose masked input is zero are skipped -------------------------------------
//
// A dropped unit (mask 0), a zero input (Fashion-MNIST pixels are about half zero) or a ReLU zero
// contributes nothing to z = (m .* a) w or to dW = (m .* a)^T dz; the fused kernel knows the mask before
// it multiplies, so it can leave those terms out. Per sample row the nonzeros of (m .* a) are gathered
// (index and value), and each one adds value * w[d, :] to the row's output, held in registers a chunk of
// columns at a time; dW gathers per input column the rows whose masked input is nonzero and adds value *
// dz[r, :]. Each output row (forward) or dW row is summed by one task in ascending order of its terms, so
// results are bit-identical for any thread count; they equal the dense path's up to summation order
// (a zero input times an infinite weight gives NaN there and is skipped here).
namespace sp {

// GCC 12 warns that _mm512_max_ps's _mm512_undefined_ps() pass-through "may be used uninitialized".
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#if defined(ALPHADROP_GEMM_AVX512)
constexpr int kW = 16;
using V = __m512;
inline V vzero() { return _mm512_setzero_ps(); }
inline V vset(float x) { return _mm512_set1_ps(x); }
inline V vfma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
inline V vmax(V a, V b) { return _mm512_max_ps(a, b); }
inline V vload(const float* p) { return _mm512_loadu_ps(p); }
inline void vstore(float* p, V v) { _mm512_storeu_ps(p, v); }
using Tail = __mmask16;
inline Tail tail_mask(int n) { return static_cast<__mmask16>((1u << n) - 1u); }
inline V vload_tail(const float* p, Tail m) { return _mm512_maskz_loadu_ps(m, p); }
inline void vstore_tail(float* p, V v, Tail m) { _mm512_mask_storeu_ps(p, m, v); }
#else
constexpr int kW = 8;
using V = __m256;
inline V vzero() { return _mm256_setzero_ps(); }
inline V vset(float x) { return _mm256_set1_ps(x); }
inline V vfma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
inline V vmax(V a, V b) { return _mm256_max_ps(a, b); }
inline V vload(const float* p) { return _mm256_loadu_ps(p); }
inline void vstore(float* p, V v) { _mm256_storeu_ps(p, v); }
using Tail = __m256i;
inline Tail tail_mask(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
inline V vload_tail(const float* p, Tail m) { return _mm256_maskload_ps(p, m); }
inline void vstore_tail(float* p, V v, Tail m) { _mm256_maskstore_ps(p, m, v); }
#endif

// Output columns per register chunk: 8 accumulators.
constexpr int kChunkVecs = 8;
constexpr int64_t kChunk = int64_t(kW) * kChunkVecs;

// out[0 .. cols) (cols <= kChunk) = init + sum_q val[q] * rows(q)[0 .. cols), rows(q) = base + idx[q] * ld,
// then max(0, .) if relu. init: the bias chunk, or zero when null. NV vectors, the last one partial
// when cols is not a multiple of kW.
template <int NV>
__attribute__((always_inline)) inline void accumulate_chunk(int64_t n, const int32_t* idx, const float* val,
                                                            const float* base, int64_t ld, const float* init,
                                                            int cols, bool relu, float* out) {
    const int last = cols - (NV - 1) * kW;
    const Tail tail = tail_mask(last);
    V acc[NV];
    for (int j = 0; j < NV; ++j) {
        if (init == nullptr) acc[j] = vzero();
        else acc[j] = j < NV - 1 ? vload(init + j * kW) : vload_tail(init + j * kW, tail);
    }
    for (int64_t q = 0; q < n; ++q) {
        const V x = vset(val[q]);
        const float* row = base + int64_t(idx[q]) * ld;
        for (int j = 0; j < NV - 1; ++j) acc[j] = vfma(x, vload(row + j * kW), acc[j]);
        acc[NV - 1] = vfma(x, vload_tail(row + (NV - 1) * kW, tail), acc[NV - 1]);
    }
    if (relu) {
        for (int j = 0; j < NV; ++j) acc[j] = vmax(vzero(), acc[j]);
    }
    for (int j = 0; j < NV - 1; ++j) vstore(out + j * kW, acc[j]);
    vstore_tail(out + (NV - 1) * kW, acc[NV - 1], tail);
}

// out[0 .. width) = init + sum_q val[q] * (base + idx[q] * ld)[0 .. width), a register chunk at a time.
inline void accumulate_row(int64_t n, const int32_t* idx, const float* val, const float* base, int64_t ld,
                           const float* init, int64_t width, bool relu, float* out) {
    for (int64_t c0 = 0; c0 < width; c0 += kChunk) {
        const int cols = int(std::min(kChunk, width - c0));
        const float* in = init != nullptr ? init + c0 : nullptr;
        const float* b = base + c0;
        float* o = out + c0;
        switch ((cols + kW - 1) / kW) {
            case 1: accumulate_chunk<1>(n, idx, val, b, ld, in, cols, relu, o); break;
            case 2: accumulate_chunk<2>(n, idx, val, b, ld, in, cols, relu, o); break;
            case 3: accumulate_chunk<3>(n, idx, val, b, ld, in, cols, relu, o); break;
            case 4: accumulate_chunk<4>(n, idx, val, b, ld, in, cols, relu, o); break;
            case 5: accumulate_chunk<5>(n, idx, val, b, ld, in, cols, relu, o); break;
            case 6: accumulate_chunk<6>(n, idx, val, b, ld, in, cols, relu, o); break;
            case 7: accumulate_chunk<7>(n, idx, val, b, ld, in, cols, relu, o); break;
            default: accumulate_chunk<8>(n, idx, val, b, ld, in, cols, relu, o); break;
        }
    }
}

#if !defined(ALPHADROP_GEMM_AVX512)
// For each 8-bit mask, the positions of its set bits in ascending order (then zeros): the permutation
// that compacts the kept lanes. Built at compile time (no code runs at load, on any CPU).
struct Compress8 {
    alignas(32) int32_t lanes[256][8];
};

constexpr Compress8 make_compress8() {
    Compress8 t{};
    for (int mask = 0; mask < 256; ++mask) {
        int c = 0;
        for (int j = 0; j < 8; ++j) {
            if ((mask >> j) & 1) t.lanes[mask][c++] = j;
        }
        for (; c < 8; ++c) t.lanes[mask][c] = 0;
    }
    return t;
}

inline constexpr Compress8 kCompress8 = make_compress8();
#endif

// The nonzeros of src .* m (m null: src) over [0, n): their indices and values, branch-free. A NaN
// counts as nonzero (it must propagate); -0 does not.
inline int64_t gather_nonzeros(const float* __restrict src, const float* __restrict m, int64_t n,
                               int32_t* __restrict idx, float* __restrict val) {
    int64_t c = 0;
    int64_t d = 0;
#if defined(ALPHADROP_GEMM_AVX512)
    // 16 at a time: compress into registers, then a full store (compress straight to memory is slow
    // on some CPUs); idx and val need 15 floats of slack past n, which their scratch has.
    const __m512i step = _mm512_set1_epi32(16);
    __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    for (; d + 16 <= n; d += 16) {
        __m512 v = _mm512_loadu_ps(src + d);
        if (m != nullptr) v = _mm512_mul_ps(v, _mm512_loadu_ps(m + d));
        // nonzero or NaN: not (v == 0), with an unordered-true compare
        const __mmask16 keep = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_NEQ_UQ);
        _mm512_storeu_ps(val + c, _mm512_maskz_compress_ps(keep, v));
        _mm512_storeu_si512(idx + c, _mm512_maskz_compress_epi32(keep, lanes));
        c += __builtin_popcount(unsigned(keep));
        lanes = _mm512_add_epi32(lanes, step);
    }
#else
    // 8 at a time: the kept lanes moved to the front by a permutation looked up by their bit mask.
    for (; d + 8 <= n; d += 8) {
        __m256 v = _mm256_loadu_ps(src + d);
        if (m != nullptr) v = _mm256_mul_ps(v, _mm256_loadu_ps(m + d));
        const int keep = _mm256_movemask_ps(_mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_NEQ_UQ));
        const __m256i perm = _mm256_load_si256(reinterpret_cast<const __m256i*>(kCompress8.lanes[keep]));
        _mm256_storeu_ps(val + c, _mm256_permutevar8x32_ps(v, perm));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(idx + c), _mm256_add_epi32(perm, _mm256_set1_epi32(int(d))));
        c += __builtin_popcount(unsigned(keep));
    }
#endif
    for (; d < n; ++d) {
        const float v = m != nullptr ? src[d] * m[d] : src[d];
        idx[c] = int32_t(d);
        val[c] = v;
        c += v != 0.0f || v != v;
    }
    return c;
}

// ---- shared input: a datapoint's K sample rows together ----
//
// A shared input (the first layer: x_n feeds all K samples of datapoint n) has one zero pattern for its K
// rows. Per datapoint the nonzeros of x_n are gathered once; c[k, q] = x_n[idx[q]] * m[k, idx[q]] are the
// K rows of masked values over those columns (dropped units included, as zeros), and the K rows are
// multiplied together against the gathered rows of w (forward) or into the gathered rows of dW (backward),
// so every row of w or dW read from cache serves K rows instead of one. The mask's own zeros are
// multiplied (a per-row skip would read w once per row, which the per-row path above does).

// Rows in flight per tile of the two kernels below: MR rows x 2 vectors of accumulators, which with the two
// w (or dz) vectors and a broadcast fit the register file (32 zmm, 16 ymm).
#if defined(ALPHADROP_GEMM_AVX512)
constexpr int kSharedMR = 12;
#else
constexpr int kSharedMR = 6;
#endif

// The masked values c of a group of sample rows, in blocks of kSharedQ input columns, so that a tile reads
// all its rows' values through one pointer and constant offsets (a row pointer each would not fit the
// general registers): row i's values for the nonzero columns of block b start at
// c + b * kSharedBlock + i * kSharedStride, in column order. The 16 floats of padding per row take the
// full-width store of a compressed vector.
constexpr int64_t kSharedQ = 256;
constexpr int64_t kSharedStride = kSharedQ + 16;
constexpr int64_t kSharedRowGroup = 2 * kSharedMR;
constexpr int64_t kSharedBlock = kSharedRowGroup * kSharedStride;

// Where an input row's nonzeros (and NaNs) are: per vector of kW columns its keep bits and the position of
// its first nonzero within its block; per block of kSharedQ columns its first entry in idx and its count.
// idx holds the nonzero columns in ascending order. Computed once per datapoint, used for each of its rows.
struct NonzeroPlan {
    int64_t n = 0;        // columns
    int32_t* idx;         // n + 16 entries
    uint32_t* keep;       // ceil(n / kW)
    int32_t* offset;      // ceil(n / kW)
    int64_t* block_start; // ceil(n / kSharedQ)
    int64_t* block_count; // ceil(n / kSharedQ)
    int64_t blocks = 0;
};

// A plan for rows of up to n columns in this thread's scratch slot.
inline NonzeroPlan scratch_plan(int64_t n) {
    const int64_t vecs = ceil_div(n, kW);
    const int64_t blocks = ceil_div(n, kSharedQ);
    const int64_t words = (n + 16) + 2 * vecs + 4 * blocks;  // 4-byte words; int64 arrays 8-byte aligned below
    uint32_t* base = detail::scratch<uint32_t>(detail::kScratchPerPoint, size_t(words + 2));
    NonzeroPlan plan;
    plan.block_start = reinterpret_cast<int64_t*>(base);  // scratch memory is 64-byte aligned
    plan.block_count = plan.block_start + blocks;
    plan.idx = reinterpret_cast<int32_t*>(plan.block_count + blocks);
    plan.keep = reinterpret_cast<uint32_t*>(plan.idx + n + 16);
    plan.offset = reinterpret_cast<int32_t*>(plan.keep + vecs);
    return plan;
}

inline void plan_nonzeros(const float* __restrict x, int64_t n, NonzeroPlan& plan) {
    plan.n = n;
    plan.blocks = ceil_div(n, kSharedQ);
    int64_t total = 0;
    int64_t block = -1;
    for (int64_t j = 0, d0 = 0; d0 < n; ++j, d0 += kW) {
        const int w = int(std::min<int64_t>(kW, n - d0));
        if (d0 % kSharedQ == 0) {
            ++block;
            plan.block_start[block] = total;
        }
#if defined(ALPHADROP_GEMM_AVX512)
        const __m512 v = _mm512_maskz_loadu_ps(tail_mask(w), x + d0);
        const __mmask16 keep = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_NEQ_UQ);
        const __m512i lanes = _mm512_add_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                               _mm512_set1_epi32(int(d0)));
        _mm512_storeu_si512(plan.idx + total, _mm512_maskz_compress_epi32(keep, lanes));
        const unsigned bits = keep;
#else
        const __m256 v = _mm256_maskload_ps(x + d0, tail_mask(w));
        const unsigned bits = unsigned(_mm256_movemask_ps(_mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_NEQ_UQ)));
        const __m256i perm = _mm256_load_si256(reinterpret_cast<const __m256i*>(kCompress8.lanes[bits]));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(plan.idx + total), _mm256_add_epi32(perm, _mm256_set1_epi32(int(d0))));
#endif
        plan.keep[j] = bits;
        plan.offset[j] = int32_t(total - plan.block_start[block]);
        total += __builtin_popcount(bits);
        plan.block_count[block] = total - plan.block_start[block];
    }
}

// Row i of c: (x .* m) at the plan's nonzero columns (m null: x), a compressed vector per kW columns stored
// in place; lanes past the row end are never read.
inline void masked_row(const float* __restrict x, const float* __restrict m, const NonzeroPlan& plan, int64_t i,
                       float* __restrict c) {
    const int64_t n = plan.n;
    for (int64_t j = 0, d0 = 0; d0 < n; ++j, d0 += kW) {
        float* dst = c + (d0 / kSharedQ) * kSharedBlock + i * kSharedStride + plan.offset[j];
        const int w = int(std::min<int64_t>(kW, n - d0));
#if defined(ALPHADROP_GEMM_AVX512)
        const __mmask16 t = tail_mask(w);
        __m512 v = _mm512_maskz_loadu_ps(t, x + d0);
        if (m != nullptr) v = _mm512_mul_ps(v, _mm512_maskz_loadu_ps(t, m + d0));
        _mm512_storeu_ps(dst, _mm512_maskz_compress_ps(__mmask16(plan.keep[j]), v));
#else
        const __m256i t = tail_mask(w);
        __m256 v = _mm256_maskload_ps(x + d0, t);
        if (m != nullptr) v = _mm256_mul_ps(v, _mm256_maskload_ps(m + d0, t));
        const __m256i perm = _mm256_load_si256(reinterpret_cast<const __m256i*>(kCompress8.lanes[plan.keep[j]]));
        _mm256_storeu_ps(dst, _mm256_permutevar8x32_ps(v, perm));
#endif
    }
}

// out[r, 0:cols) = init + sum_q c(r, q) wp[idx[q] * kNR + 0:cols) for r < MR (c from the tile's first row),
// then max(0, .) if relu; wp is one packed panel of w (gemm::pack_b_panel: rows of kNR = 2 kW columns, zero
// past the last column, so every load is whole); NV vectors of columns, the last one stored partially
// (tail) when TAIL.
template <int MR, int NV, bool TAIL>
__attribute__((always_inline)) inline void shared_forward_tile(const NonzeroPlan& plan, const float* __restrict c,
                                                               const float* __restrict wp, const float* init, Tail tail,
                                                               bool relu, float* out, int64_t ldo) {
    static_assert(gemm::kNR == 2 * kW, "a packed panel is two vectors wide");
    V acc[MR][NV];
    for (int v = 0; v < NV; ++v) {
        const bool part = TAIL && v == NV - 1;
        const V start = init == nullptr ? vzero() : part ? vload_tail(init + v * kW, tail) : vload(init + v * kW);
        for (int r = 0; r < MR; ++r) acc[r][v] = start;
    }
    for (int64_t blk = 0; blk < plan.blocks; ++blk) {
        const float* cb = c + blk * kSharedBlock;
        const int32_t* ib = plan.idx + plan.block_start[blk];
        const int64_t qn = plan.block_count[blk];
        for (int64_t q = 0; q < qn; ++q) {
            const float* wr = wp + int64_t(ib[q]) * gemm::kNR;
            V b[NV];
            for (int v = 0; v < NV; ++v) b[v] = vload(wr + v * kW);
            for (int r = 0; r < MR; ++r) {
                const V x = vset(cb[r * kSharedStride + q]);
                for (int v = 0; v < NV; ++v) acc[r][v] = vfma(x, b[v], acc[r][v]);
            }
        }
    }
    for (int r = 0; r < MR; ++r) {
        for (int v = 0; v < NV; ++v) {
            const V o = relu ? vmax(vzero(), acc[r][v]) : acc[r][v];
            if (TAIL && v == NV - 1) vstore_tail(out + r * ldo + v * kW, o, tail);
            else vstore(out + r * ldo + v * kW, o);
        }
    }
}

// dwp[idx[q] * kNR + 0:cols) += sum_{r < MR} c(r, q) g[r * ldg + 0:cols) for every q < nnz <= kSharedQ, each
// element's terms added in r order; dwp is one panel of a dW block in the packed layout (rows of kNR = 2 kW
// columns), so its loads and stores are whole; g's last vector is read partially when TAIL.
template <int MR, int NV, bool TAIL>
__attribute__((always_inline)) inline void shared_dw_tile(int64_t nnz, const int32_t* __restrict idx,
                                                          const float* __restrict c, const float* __restrict g,
                                                          int64_t ldg, Tail tail, float* __restrict dwp) {
    V gv[MR][NV];
    for (int r = 0; r < MR; ++r) {
        for (int v = 0; v < NV; ++v) {
            gv[r][v] = TAIL && v == NV - 1 ? vload_tail(g + r * ldg + v * kW, tail) : vload(g + r * ldg + v * kW);
        }
    }
    for (int64_t q = 0; q < nnz; ++q) {
        float* row = dwp + int64_t(idx[q]) * gemm::kNR;
        V t[NV];
        for (int v = 0; v < NV; ++v) t[v] = vload(row + v * kW);
        for (int r = 0; r < MR; ++r) {
            const V x = vset(c[r * kSharedStride + q]);
            for (int v = 0; v < NV; ++v) t[v] = vfma(x, gv[r][v], t[v]);
        }
        for (int v = 0; v < NV; ++v) vstore(row + v * kW, t[v]);
    }
}

// Rows [0, rows) of one column block through the tiles: full tiles of kSharedMR rows, then one tail tile.
template <int NV, bool TAIL, class Tile>
inline void shared_rows(int64_t rows, Tile tile) {
    int64_t r = 0;
    for (; r + kSharedMR <= rows; r += kSharedMR) tile(std::integral_constant<int, kSharedMR>{}, r);
    switch (rows - r) {
        case 1: tile(std::integral_constant<int, 1>{}, r); break;
        case 2: tile(std::integral_constant<int, 2>{}, r); break;
        case 3: tile(std::integral_constant<int, 3>{}, r); break;
        case 4: tile(std::integral_constant<int, 4>{}, r); break;
        case 5: tile(std::integral_constant<int, 5>{}, r); break;
#if defined(ALPHADROP_GEMM_AVX512)
        case 6: tile(std::integral_constant<int, 6>{}, r); break;
        case 7: tile(std::integral_constant<int, 7>{}, r); break;
        case 8: tile(std::integral_constant<int, 8>{}, r); break;
        case 9: tile(std::integral_constant<int, 9>{}, r); break;
        case 10: tile(std::integral_constant<int, 10>{}, r); break;
        case 11: tile(std::integral_constant<int, 11>{}, r); break;
#endif
        default: break;
    }
}

// Calls block(NV, TAIL, j0, tail) for the column blocks of [0, width): two vectors each, the last block
// one or two vectors with a partial last vector when width is not a multiple of the vector.
template <class Block>
inline void shared_column_blocks(int64_t width, Block block) {
    int64_t j = 0;
    for (; j + 2 * kW <= width; j += 2 * kW) {
        block(std::integral_constant<int, 2>{}, std::false_type{}, j, tail_mask(kW));
    }
    const int64_t rest = width - j;
    if (rest == 0) return;
    const Tail tail = tail_mask(int(rest > kW ? rest - kW : rest));
    if (rest > kW) block(std::integral_constant<int, 2>{}, std::true_type{}, j, tail);
    else if (rest == kW) block(std::integral_constant<int, 1>{}, std::false_type{}, j, tail);
    else block(std::integral_constant<int, 1>{}, std::true_type{}, j, tail);
}

#pragma GCC diagnostic pop

}  // namespace sp

// Forward through the sparse path; the same row panels as the dense one.
void forward_sparse(ThreadPool& pool, const Shape& s, const MaskGen& mask, const float* a, const float* w,
                    const float* bias, int activation, float* z) {
    const bool relu = activation == ACT_RELU;
    for_each_masked_row(
        pool, s, mask, 2.0 * double(s.R) * double(s.D) * double(s.H),
        [&](int64_t r, const float* m) {
            int32_t* idx = scratch<int32_t>(detail::kScratchPanel, size_t(s.D + 16));  // + compress slack
            float* val = scratch<float>(detail::kScratchAccum, size_t(s.D + 16));
            const int64_t n = sp::gather_nonzeros(a + (s.shared ? r / s.K : r) * s.D, m, s.D, idx, val);
            float* zr = z + r * s.H;
            sp::accumulate_row(n, idx, val, w, s.H, bias, s.H, relu, zr);
            if (activation == ACT_TANH) activation_rows(zr, 1, s.H, s.H, activation);
        },
        [](int64_t, int64_t) {});
}

// Input columns per dW task of the sparse path: a multiple of 8 (whole groups of mask draws), wide
// enough that one Philox output serves many of a row's draws (a 16-column strip used an eighth of each
// 1-bit output and went through the mask generator's per-lane path), at most 64 (one bit each in a word).
constexpr int64_t kSparseDwCols = 64;

// Rows of dz per block of the sparse dW: about 24 KB of dz, so the rows a block's terms name are read
// from L2 once and then hit L1 (a column's terms name a quarter of the rows at density 0.25).
int64_t sparse_dw_row_block(int64_t out) { return clamp64(round_up(6144 / out, 8), 16, 256); }

// dw = (m .* a)^T dz through the sparse path: per block of input columns, and per block of rows, the
// nonzero (row, value) terms of each column in row order, added to the column's dw row from the dz rows
// they name. Each dw element is one running sum over the rows in ascending order (carried through dw
// between row blocks, which a float store and load leave exact), whatever the blocking.
void dw_sparse(ThreadPool& pool, const Shape& s, const MaskGen& mask, const float* a, const float* dz, float* dw) {
    const int64_t rb_max = std::min(sparse_dw_row_block(s.H), s.R);
    pool.parallel_for(
        ceil_div(s.D, kSparseDwCols),
        [&](int64_t begin, int64_t end, int) {
            float* m = mask.active ? scratch<float>(detail::kScratchMaskRow, size_t(rb_max * kSparseDwCols)) : nullptr;
            int32_t* rows = scratch<int32_t>(detail::kScratchPanel, size_t(kSparseDwCols * rb_max));
            float* vals = scratch<float>(detail::kScratchAccum, size_t(kSparseDwCols * rb_max));
            int64_t count[kSparseDwCols];
            for (int64_t blk = begin; blk < end; ++blk) {
                const int64_t d0 = blk * kSparseDwCols;
                const int64_t dc = std::min(kSparseDwCols, s.D - d0);
                for (int64_t r0 = 0; r0 < s.R; r0 += rb_max) {
                    const int64_t rb = std::min(rb_max, s.R - r0);
                    if (m != nullptr) mask.fill_tile(uint32_t(r0), rb, d0, d0 + dc, m, dc);
                    for (int64_t j = 0; j < dc; ++j) count[j] = 0;
                    for (int64_t i = 0; i < rb; ++i) {
                        const int64_t r = r0 + i;
                        const float* src = a + (s.shared ? r / s.K : r) * s.D + d0;
                        // The row's dc values, then one bit per nonzero (or NaN) value; only those are
                        // appended (about a quarter of them for half-zero inputs at p = 0.5).
                        alignas(64) float v[kSparseDwCols];
                        uint64_t bits = 0;
                        for (int64_t j = 0; j < dc; ++j) {
                            v[j] = m != nullptr ? src[j] * m[i * dc + j] : src[j];
                            bits |= uint64_t(v[j] != 0.0f || v[j] != v[j]) << j;
                        }
                        while (bits != 0) {
                            const int j = __builtin_ctzll(bits);
                            bits &= bits - 1;
                            rows[j * rb_max + count[j]] = int32_t(r);
                            vals[j * rb_max + count[j]] = v[j];
                            ++count[j];
                        }
                    }
                    for (int64_t j = 0; j < dc; ++j) {
                        float* dw_row = dw + (d0 + j) * s.H;
                        sp::accumulate_row(count[j], rows + j * rb_max, vals + j * rb_max, dz, s.H,
                                           r0 == 0 ? nullptr : dw_row, s.H, false, dw_row);
                    }
                }
            }
        },
        2.0 * double(s.R) * double(s.D) * double(s.H));
}

// Forward of a shared input through the shared-input sparse path: per datapoint the nonzero columns of
// x_n, then each group of its sample rows against the gathered rows of w. Datapoints in the forward's row
// panels; each output is bias + its terms in ascending column order, whatever the threads.
void forward_shared_sparse(ThreadPool& pool, const Shape& s, const MaskGen& mask, const float* a, const float* w,
                           const float* bias, int activation, float* z) {
    const bool relu = activation == ACT_RELU;
    const int64_t pb = std::max<int64_t>(1, panel_rows(s.R) / s.K);  // datapoints per panel
    const int64_t group = std::min(sp::kSharedRowGroup, s.K);
    const float* wp = pack_b(pool, w, s.H, s.D, s.H, false);
    pool.parallel_for(
        ceil_div(s.B, pb),
        [&](int64_t begin, int64_t end, int) {
            sp::NonzeroPlan plan = sp::scratch_plan(s.D);
            float* m = mask.active ? scratch<float>(detail::kScratchMaskRow, size_t(group * s.D)) : nullptr;
            float* c = scratch<float>(detail::kScratchAccum, size_t(ceil_div(s.D, sp::kSharedQ) * sp::kSharedBlock));
            for (int64_t n = begin * pb; n < std::min(end * pb, s.B); ++n) {
                const float* x = a + n * s.D;
                sp::plan_nonzeros(x, s.D, plan);
                for (int64_t k0 = 0; k0 < s.K; k0 += group) {
                    const int64_t rows = std::min(group, s.K - k0);
                    const int64_t r0 = n * s.K + k0;
                    if (m != nullptr) mask.fill_tile(uint32_t(r0), rows, 0, s.D, m, s.D);
                    for (int64_t i = 0; i < rows; ++i) sp::masked_row(x, m != nullptr ? m + i * s.D : nullptr, plan, i, c);
                    float* zr = z + r0 * s.H;
                    sp::shared_column_blocks(s.H, [&](auto nv, auto tail_flag, int64_t j, sp::Tail tail) {
                        sp::shared_rows<nv(), tail_flag()>(rows, [&](auto mr, int64_t r) {
                            sp::shared_forward_tile<mr(), nv(), tail_flag()>(
                                plan, c + r * sp::kSharedStride, wp + (j / gemm::kNR) * s.D * gemm::kNR,
                                bias != nullptr ? bias + j : nullptr, tail, relu, zr + r * s.H + j, s.H);
                        });
                    });
                    if (activation == ACT_TANH) activation_rows(zr, rows, s.H, s.H, activation);
                }
            }
        },
        2.0 * double(s.R) * double(s.D) * double(s.H));
}

// Input columns per dW task of the shared-input path: whole 128-column Philox counters of 1-bit draws (so
// no counter is drawn twice), and a dW block of 128 rows that stays in L1/L2 while every datapoint adds to it.
constexpr int64_t kSharedDwCols = 128;

// dw = (m .* a)^T dz for a shared input: per block of input columns, for every datapoint in order, the
// block's nonzero columns of x_n, and each group of its sample rows' dz added into the gathered dW rows.
// Each dW element is one running sum over the rows in ascending order, whatever the blocking or threads.
void dw_shared_sparse(ThreadPool& pool, const Shape& s, const MaskGen& mask, const float* a, const float* dz,
                      float* dw) {
    static_assert(kSharedDwCols <= sp::kSharedQ, "a dW block's nonzero columns fit one block of c");
    const int64_t group = std::min(sp::kSharedRowGroup, s.K);
    const int64_t panels = gemm::panels(s.H);
    pool.parallel_for(
        ceil_div(s.D, kSharedDwCols),
        [&](int64_t begin, int64_t end, int) {
            sp::NonzeroPlan plan = sp::scratch_plan(kSharedDwCols);
            float* m = mask.active ? scratch<float>(detail::kScratchMaskRow, size_t(group * kSharedDwCols)) : nullptr;
            float* c = scratch<float>(detail::kScratchAccum, size_t(sp::kSharedBlock));
            // The block's dW in panels of kNR columns: panel jr, row d at dwp + (jr * kSharedDwCols + d) * kNR.
            float* dwp = scratch<float>(detail::kScratchPackedB, size_t(panels * kSharedDwCols * gemm::kNR));
            for (int64_t blk = begin; blk < end; ++blk) {
                const int64_t d0 = blk * kSharedDwCols;
                const int64_t dc = std::min(kSharedDwCols, s.D - d0);
                std::memset(dwp, 0, size_t(panels * kSharedDwCols * gemm::kNR) * sizeof(float));
                for (int64_t n = 0; n < s.B; ++n) {
                    const float* x = a + n * s.D + d0;
                    sp::plan_nonzeros(x, dc, plan);
                    const int64_t nnz = plan.block_count[0];
                    if (nnz == 0) continue;
                    for (int64_t k0 = 0; k0 < s.K; k0 += group) {
                        const int64_t rows = std::min(group, s.K - k0);
                        const int64_t r0 = n * s.K + k0;
                        if (m != nullptr) mask.fill_tile(uint32_t(r0), rows, d0, d0 + dc, m, dc);
                        for (int64_t i = 0; i < rows; ++i) sp::masked_row(x, m != nullptr ? m + i * dc : nullptr, plan, i, c);
                        const float* g = dz + r0 * s.H;
                        sp::shared_column_blocks(s.H, [&](auto nv, auto tail_flag, int64_t j, sp::Tail tail) {
                            float* panel = dwp + (j / gemm::kNR) * kSharedDwCols * gemm::kNR;
                            sp::shared_rows<nv(), tail_flag()>(rows, [&](auto mr, int64_t r) {
                                sp::shared_dw_tile<mr(), nv(), tail_flag()>(nnz, plan.idx, c + r * sp::kSharedStride,
                                                                            g + r * s.H + j, s.H, tail, panel);
                            });
                        });
                    }
                }
                for (int64_t d = 0; d < dc; ++d) {
                    float* dst = dw + (d0 + d) * s.H;
                    for (int64_t jr = 0; jr < panels; ++jr) {
                        const int64_t j0 = jr * gemm::kNR;
                        std::memcpy(dst + j0, dwp + (jr * kSharedDwCols + d) * gemm::kNR,
                                    size_t(std::min<int64_t>(gemm::kNR, s.H - j0)) * sizeof(float));
                    }
                }
            }
        },
        2.0 * double(s.R) * double(s.D) * double(s.H));
}

// Nonzero fraction of the input, estimated from up to kDensityRows evenly spaced input rows (reading them
// costs a small fraction of one product).
constexpr int64_t kDensityRows = 16;

double input_density(const Shape& s, const float* a) {
    const int64_t inputs = s.shared ? s.B : s.R;
    const int64_t rows = std::min(kDensityRows, inputs);
    int64_t nonzero = 0;
    for (int64_t i = 0; i < rows; ++i) {
        const float* row = a + (i * inputs / rows) * s.D;
        for (int64_t d = 0; d < s.D; ++d) nonzero += row[d] != 0.0f;
    }
    return double(nonzero) / double(rows * s.D);
}

// Auto mode takes a sparse path for outputs at least kSparseMinOut wide (narrower ones leave the gather's
// cost unamortised): the shared-input path for a shared input with at least kSharedMinSamples samples whose
// own density is below kSharedMaxDensity, otherwise the per-row path below a masked-input density (1 - p
// times the input's) of kSparseMaxDensity. The thresholds come from benchmarks/perf-table's sparse row
// (FashionBenchmark sparse: the first layer on Fashion-MNIST images) and, for the shared-input path, from
// calls at other densities and K on AVX2 and AVX-512 (docs/performance.md).
constexpr double kSparseMaxDensity = 0.35;
constexpr double kSharedMaxDensity = 0.7;
constexpr int64_t kSharedMinSamples = 4;
constexpr int64_t kSparseMinOut = 32;

enum class Path { kDense, kSparseRows, kSparseShared };

Path choose_path(SparsePolicy& policy, const Shape& s, const MaskGen& mask, const float* a) {
    const int mode = policy.mode.load(std::memory_order_relaxed);
    if (mode == runtime::kSparseNever) return Path::kDense;
    if (mode == runtime::kSparseAlways) return s.shared ? Path::kSparseShared : Path::kSparseRows;
    if (s.H < kSparseMinOut) return Path::kDense;
    const double density = input_density(s, a);
    if (s.shared && s.K >= kSharedMinSamples && density < kSharedMaxDensity) return Path::kSparseShared;
    const double kept = mask.active ? 1.0 / double(mask.scale) : 1.0;
    return kept * density < kSparseMaxDensity ? Path::kSparseRows : Path::kDense;
}
#endif

}  // namespace

namespace {

#if ALPHADROP_GEMM_KERNEL
// ---- one output column (H = 1: the regression output layer) -----------------------------------------
//
// A tile of MR x NR would do 1/NR useful work here, so the forward is one dot product per row and the
// backward two element-wise passes. The dot product keeps 8 partial sums in a __m256 on every ISA and
// adds them in lane order, so avx2 and avx512 stay bit-identical; the element-wise loops are the same
// on any vector width.

float dot_masked(const float* __restrict x, const float* __restrict m, const float* __restrict w, int64_t n) {
    __m256 acc = _mm256_setzero_ps();
    int64_t d = 0;
    for (; d + 8 <= n; d += 8) {
        __m256 v = _mm256_loadu_ps(x + d);
        if (m != nullptr) v = _mm256_mul_ps(v, _mm256_loadu_ps(m + d));
        acc = _mm256_fmadd_ps(v, _mm256_loadu_ps(w + d), acc);
    }
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, acc);
    float sum = 0.0f;
    for (int j = 0; j < 8; ++j) sum += lanes[j];
    for (; d < n; ++d) sum += (m != nullptr ? x[d] * m[d] : x[d]) * w[d];
    return sum;
}

void forward_single_output(ThreadPool& pool, const Shape& s, const MaskGen& mask, const float* a, const float* w,
                           const float* bias, int activation, float* z) {
    for_each_masked_row(
        pool, s, mask, 2.0 * double(s.R) * double(s.D),
        [&](int64_t r, const float* m) {
            const float sum = dot_masked(a + (s.shared ? r / s.K : r) * s.D, m, w, s.D);
            const float v = bias != nullptr ? bias[0] + sum : sum;
            z[r] = activation == ACT_RELU && v < 0.0f ? 0.0f : v;  // NaN and -0 pass, as in the tiles
        },
        [&](int64_t r0, int64_t rows) {
            if (activation == ACT_TANH) activation_rows(z + r0, rows, 1, 1, activation);
        });
}

// Input columns per dw task of the single-output backward.
constexpr int64_t kSingleDwCols = 256;

// dw[d] = sum_r (m .* a)[r, d] dz[r], each column summed in row order by one task; and, for an unshared
// input, da[r, :] = dz[r] w .* m[r, :] (da may be null).
void backward_single_output(ThreadPool& pool, const Shape& s, const MaskGen& mask, const float* a, const float* w,
                            const float* dz, float* dw, float* da) {
    pool.parallel_for(
        ceil_div(s.D, kSingleDwCols),
        [&](int64_t begin, int64_t end, int) {
            for (int64_t blk = begin; blk < end; ++blk) {
                const int64_t d0 = blk * kSingleDwCols;
                const int64_t dc = std::min(kSingleDwCols, s.D - d0);
                const int64_t tile = std::min(mask_tile_rows(dc), s.R);
                float* m = mask.active ? scratch<float>(detail::kScratchMaskRow, size_t(tile * dc)) : nullptr;
                float* __restrict acc = dw + d0;
                for (int64_t j = 0; j < dc; ++j) acc[j] = 0.0f;
                for (int64_t t0 = 0; t0 < s.R; t0 += tile) {
                    const int64_t tr = std::min(tile, s.R - t0);
                    if (m != nullptr) mask.fill_tile(uint32_t(t0), tr, d0, d0 + dc, m, dc);
                    for (int64_t i = 0; i < tr; ++i) {
                        const int64_t r = t0 + i;
                        const float* __restrict src = a + (s.shared ? r / s.K : r) * s.D + d0;
                        const float* __restrict mi = m != nullptr ? m + i * dc : nullptr;
                        const float g = dz[r];
                        if (mi != nullptr) {
                            for (int64_t j = 0; j < dc; ++j) acc[j] += (src[j] * mi[j]) * g;
                        } else {
                            for (int64_t j = 0; j < dc; ++j) acc[j] += src[j] * g;
                        }
                    }
                }
            }
        },
        2.0 * double(s.R) * double(s.D));
    if (da == nullptr) return;
    for_each_masked_row(
        pool, s, mask, double(s.R) * double(s.D),
        [&](int64_t r, const float* __restrict m) {
            const float g = dz[r];
            float* __restrict out = da + r * s.D;
            if (m != nullptr) {
                for (int64_t d = 0; d < s.D; ++d) out[d] = (g * w[d]) * m[d];
            } else {
                for (int64_t d = 0; d < s.D; ++d) out[d] = g * w[d];
            }
        },
        [](int64_t, int64_t) {});
}
#endif

}  // namespace

void dropout_matmul_forward(ThreadPool& pool, SparsePolicy& sparse, long long seed, int step, int layer, float p, int noise, int batch, int samples, bool shared_input,
                            int in, int out, const float* a, const float* w, const float* bias, int activation,
                            float* z) {
    static const char* const fn = "dropout_matmul_forward";
    const Shape s = check_shape(fn, batch, samples, shared_input, in, out);
    require_ptr(a, fn, "a");
    require_ptr(w, fn, "w");
    require_ptr(z, fn, "z");
    require_activation(activation, fn);
    detail::require_dropout(step, layer, p, noise, fn);
    const MaskGen mask(seed, step, layer, p, noise);

    if (s.shared && !mask.active) {
        forward_shared_no_dropout(pool, s, a, w, bias, activation, z);
        return;
    }

#if ALPHADROP_GEMM_KERNEL
    if (s.H == 1) {
        sparse.dense_forward.fetch_add(1, std::memory_order_relaxed);
        forward_single_output(pool, s, mask, a, w, bias, activation, z);
        return;
    }
    const Path path = choose_path(sparse, s, mask, a);
    if (path != Path::kDense) {
        sparse.sparse_forward.fetch_add(1, std::memory_order_relaxed);
        if (path == Path::kSparseShared) forward_shared_sparse(pool, s, mask, a, w, bias, activation, z);
        else forward_sparse(pool, s, mask, a, w, bias, activation, z);
        return;
    }
    sparse.dense_forward.fetch_add(1, std::memory_order_relaxed);
    forward_own_gemm(pool, s, mask, a, w, bias, activation, z);
#else
    sparse.dense_forward.fetch_add(1, std::memory_order_relaxed);
    forward_openblas(pool, s, mask, a, w, bias, activation, z);
#endif
}

void dropout_matmul_backward(ThreadPool& pool, SparsePolicy& sparse, long long seed, int step, int layer, float p, int noise, int batch, int samples, bool shared_input,
                             int in, int out, const float* a, const float* w, const float* z, int activation, float* dz,
                             float* dw, float* db, float* da) {
    static const char* const fn = "dropout_matmul_backward";
    const Shape s = check_shape(fn, batch, samples, shared_input, in, out);
    require_ptr(a, fn, "a");
    require_ptr(w, fn, "w");
    require_ptr(dz, fn, "dz");
    require_ptr(dw, fn, "dw");
    require_activation(activation, fn);
    if (activation != ACT_IDENTITY) require_ptr(z, fn, "z");
    detail::require_dropout(step, layer, p, noise, fn);
    const MaskGen mask(seed, step, layer, p, noise);

    // 1. dz <- dzPre in place (element-wise, so any split is deterministic).
    if (activation != ACT_IDENTITY) {
        const int64_t total = s.R * s.H;
        pool.parallel_for(
            ceil_div(total, kElementBlock),
            [&](int64_t begin, int64_t end, int) {
                const int64_t e0 = begin * kElementBlock;
                const int64_t e1 = std::min(end * kElementBlock, total);
                activation_backward(dz + e0, z + e0, e1 - e0, activation);
            },
            double(total) * (activation == ACT_TANH ? 4.0 : 1.0));
    }

    // 2. db = column sums of dzPre: split over columns, each column summed over rows in order (double).
    if (db != nullptr) {
        pool.parallel_for(
            ceil_div(s.H, kDbColumnBlock),
            [&](int64_t begin, int64_t end, int) {
                const int64_t h0 = begin * kDbColumnBlock;
                const int64_t h1 = std::min(end * kDbColumnBlock, s.H);
                const int64_t n = h1 - h0;
                double* __restrict acc = scratch<double>(detail::kScratchAccum, size_t(n));
                for (int64_t j = 0; j < n; ++j) acc[j] = 0.0;
                for (int64_t r = 0; r < s.R; ++r) {
                    const float* __restrict row = dz + r * s.H + h0;
                    for (int64_t j = 0; j < n; ++j) acc[j] += double(row[j]);
                }
                for (int64_t j = 0; j < n; ++j) db[h0 + j] = float(acc[j]);
            },
            double(s.R) * double(s.H));
    }

    const double gemm_work = 2.0 * double(s.R) * double(s.D) * double(s.H);

#if ALPHADROP_GEMM_KERNEL
    // One output column: element-wise passes instead of 1/NR-full tiles (a shared input's da, which sums
    // the K samples, keeps the general path).
    if (s.H == 1 && !(s.shared && da != nullptr)) {
        sparse.dense_dw.fetch_add(1, std::memory_order_relaxed);
        backward_single_output(pool, s, mask, a, w, dz, dw, da);
        return;
    }
#endif

    // 3. da = (dzPre w^T) .* m, per row panel; shared input sums the K samples of a datapoint in k order.
    if (da != nullptr) {
        if (s.shared) {
            const int64_t pb = std::max<int64_t>(1, panel_rows(s.R) / s.K);  // datapoints per panel
            pool.parallel_for(
                ceil_div(s.B, pb),
                [&](int64_t begin, int64_t end, int) {
                    float* tmp = scratch<float>(detail::kScratchPanel, size_t(pb * s.K * s.D));
                    const int64_t tile = std::min(mask_tile_rows(s.D), pb * s.K);
                    float* m = mask.active ? scratch<float>(detail::kScratchMaskRow, size_t(tile * s.D)) : nullptr;
                    for (int64_t pi = begin; pi < end; ++pi) {
                        const int64_t n0 = pi * pb;
                        const int64_t n1 = std::min(n0 + pb, s.B);
                        const int64_t r0 = n0 * s.K;
                        const int64_t rows = (n1 - n0) * s.K;
                        zero_rows(tmp, rows, s.D, s.D);
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(rows), int(s.D), int(s.H), 1.0f,
                                    dz + r0 * s.H, int(s.H), w, int(s.H), 1.0f, tmp, int(s.D));
                        // Rows in order, so each datapoint sums its K samples in k order.
                        for (int64_t t0 = 0; t0 < rows; t0 += tile) {
                            const int64_t tr = std::min(tile, rows - t0);
                            if (mask.active) mask.fill_tile(uint32_t(r0 + t0), tr, 0, s.D, m, s.D);
                            for (int64_t i = t0; i < t0 + tr; ++i) {
                                const int64_t r = r0 + i;
                                const int64_t k = r % s.K;
                                float* dst = da + (r / s.K) * s.D;
                                const float* t = tmp + i * s.D;
                                if (mask.active) {
                                    const float* mi = m + (i - t0) * s.D;
                                    if (k == 0) mul_rows(t, mi, s.D, dst);
                                    else fma_rows(t, mi, s.D, dst);
                                } else {
                                    if (k == 0) std::memcpy(dst, t, size_t(s.D) * sizeof(float));
                                    else add_rows(t, s.D, dst);
                                }
                            }
                        }
                    }
                },
                gemm_work);
        } else {
#if ALPHADROP_GEMM_KERNEL
            da_own_gemm(pool, s, mask, w, dz, da);
#else
            const int64_t pr = panel_rows(s.R);
            pool.parallel_for(
                ceil_div(s.R, pr),
                [&](int64_t begin, int64_t end, int) {
                    const int64_t tile = std::min(mask_tile_rows(s.D), pr);
                    float* m = mask.active ? scratch<float>(detail::kScratchMaskRow, size_t(tile * s.D)) : nullptr;
                    for (int64_t pi = begin; pi < end; ++pi) {
                        const int64_t r0 = pi * pr;
                        const int64_t rows = std::min(pr, s.R - r0);
                        float* da0 = da + r0 * s.D;
                        zero_rows(da0, rows, s.D, s.D);
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(rows), int(s.D), int(s.H), 1.0f,
                                    dz + r0 * s.H, int(s.H), w, int(s.H), 1.0f, da0, int(s.D));
                        if (!mask.active) continue;
                        for (int64_t t0 = 0; t0 < rows; t0 += tile) {
                            const int64_t tr = std::min(tile, rows - t0);
                            mask.fill_tile(uint32_t(r0 + t0), tr, 0, s.D, m, s.D);
                            for (int64_t i = 0; i < tr; ++i) mul_inplace(da0 + (t0 + i) * s.D, m + i * s.D, s.D);
                        }
                    }
                },
                gemm_work);
#endif
        }
    }

    // 4. dw = (m .* a)^T dzPre.
#if ALPHADROP_GEMM_KERNEL
    const Path path = choose_path(sparse, s, mask, a);
    if (path != Path::kDense) {
        sparse.sparse_dw.fetch_add(1, std::memory_order_relaxed);
        if (path == Path::kSparseShared) dw_shared_sparse(pool, s, mask, a, dz, dw);
        else dw_sparse(pool, s, mask, a, dz, dw);
        return;
    }
#endif
    sparse.dense_dw.fetch_add(1, std::memory_order_relaxed);
    if (s.D >= kDwColumnSplitMin) {
        dw_by_column_panels(pool, s, mask, a, dz, dw);
    } else {
        dw_by_row_blocks(pool, s, mask, a, dz, dw);
    }
}

}  // namespace kernels
ALPHADROP_ISA_END
