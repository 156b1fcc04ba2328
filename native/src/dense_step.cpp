// One training step of a small dense network in one call: every layer's dropout, product and
// activation, the alpha-divergence loss, and the backward pass to every weight and bias gradient.
//
// Why a kernel of its own: a UCI step (13-50-1, B·K = 320) is under a million flops, and through the
// per-layer kernels it paid a JNI round trip, a check and a staging copy per layer and call, and drew
// every dropout mask two or three times (forward, dW, dA). Here the rows run in tiles of whole
// datapoints that stay in L1: each tile draws its rows of every layer's mask once (the same Philox
// multipliers as the per-layer kernels: not a stored mask, it lives for one tile), goes forward, through
// its points' loss and back, and adds its part of dW and db; the products run through a small row GEMM
// on operands read in place, and nothing is packed but the padded weights.
//
// Results equal the per-layer kernels up to summation order. Every output is summed in one fixed
// order that depends only on the shape (one thread does the whole step; dW continues each output's
// FMA chain from tile to tile), so the result is bit-identical for any thread count and any tile size,
// and avx2 and avx512 agree to the bit (their row GEMMs run the same FMA chain per output, and the
// one-output dot product is 256-bit on both); the baseline multiplies and adds separately and differs by
// rounding.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "activation.h"
#include "alphadrop/kernels.h"
#include "common.h"
#include "concrete_mask.h"
#include "isa_kernels.h"
#include "philox.h"
#include "thread_pool.h"

#if defined(__AVX512F__)
#include "ukernels/f32_rowgemm_6x32_avx512.h"
#elif defined(__AVX2__) && defined(__FMA__)
#include "ukernels/f32_rowgemm_6x16_avx2.h"
#else
#include "ukernels/f32_rowgemm_portable.h"
#endif

ALPHADROP_ISA_BEGIN
namespace kernels {

namespace {

using detail::fail;

// Rows per tile of the step (whole datapoints, so at least K): a tile's buffers then stay in L1.
constexpr int64_t kTileRows = 40;
using detail::require_int_range;
using detail::require_positive;
using detail::require_ptr;

inline void rowgemm(int64_t m, int64_t n, int64_t depth, const float* a, int64_t a_rs, int64_t a_cs, const float* b,
                    int64_t ldb, const float* init, float* c, int64_t ldc, bool relu = false, bool accumulate = false) {
#if defined(__AVX512F__)
    ukernels::avx512::f32_rowgemm_6x32_avx512(m, n, depth, a, a_rs, a_cs, b, ldb, init, c, ldc, relu, accumulate);
#elif defined(__AVX2__) && defined(__FMA__)
    ukernels::avx2::f32_rowgemm_6x16_avx2(m, n, depth, a, a_rs, a_cs, b, ldb, init, c, ldc, relu, accumulate);
#else
    ukernels::portable::f32_rowgemm_portable(m, n, depth, a, a_rs, a_cs, b, ldb, init, c, ldc, relu, accumulate);
#endif
}

// sum_d x[d] w[d] over n (a multiple of 8, zero-padded): 8 partial sums added in lane order, at 256 bits
// on avx2 and avx512 alike so both give the same bits. A one-output layer's forward, one row at a time
// (its row GEMM would use one lane in eight).
inline float dot8(const float* __restrict x, const float* __restrict w, int64_t n) {
#if defined(__AVX2__) && defined(__FMA__)
    __m256 acc = _mm256_setzero_ps();
    for (int64_t d = 0; d < n; d += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(x + d), _mm256_loadu_ps(w + d), acc);
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, acc);
#else
    float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int64_t d = 0; d < n; d += 8) {
        for (int j = 0; j < 8; ++j) lanes[j] = lanes[j] + x[d + j] * w[d + j];
    }
#endif
    float sum = 0.0f;
    for (int j = 0; j < 8; ++j) sum += lanes[j];
    return sum;
}

constexpr int64_t pad8(int64_t n) { return (n + 7) / 8 * 8; }

// Where layer l's buffers start in the step's scratch (floats).
struct LayerPlan {
    int64_t D, H, Hp, Dp;
    float p;
    int activation;
    int64_t w, b;  // offsets of W_l (D x H) and b_l (H) in params / grads
    float* mask;   // R x ms multipliers (null when p == 0 and the noise is not concrete)
    int64_t ms;    // the mask's row stride: Dp (whole Philox counters, pad columns included), D for concrete
    float* u;      // R x Dp masked input; pad columns 0 but column D, which is 1 when D < Dp
    float* z;      // R x Hp output (post-activation); pad columns 0
    float* dz;     // R x Hp gradient w.r.t. z, then w.r.t. the pre-activation
    float* wp;     // D x Hp: W_l padded with zero columns
    float* bp;     // Hp: b_l padded
    float* wt;     // H x Dp: W_l transposed, padded (for dA after the first layer or with concrete masks, and a
                   // one-output forward)
    float* dwp;    // Dp x Hp: dW_l padded, row D = db_l when D < Dp (one-output layers: dW_l^T, 1 x Dp, db at D)
    float* dbp;    // Hp: db_l when D == Dp (no pad column of u to hold the ones)
};

constexpr int kNoiseConcrete = 3;

// dm/dlogit of a concrete mask value m of rate p: m (p - z / t), z = 1 - m (1 - p), t = 0.1 (as in Java).
inline double concrete_mask_derivative(float m, double p) {
    const double z = 1.0 - double(m) * (1.0 - p);
    return double(m) * (p - z / 0.1);
}

float* step_scratch(size_t floats) {
    thread_local std::vector<float> buffer;
    if (buffer.size() < floats) buffer.assign(floats, 0.0f);
    return buffer.data();
}

}  // namespace

double dense_step(ThreadPool& /*pool: the step runs on the calling thread*/, long long seed, int step, int noise, int layers, const int* sizes,
                  const float* dropout, const int* activations, const float* params, int batch, int samples,
                  const float* x, const int* labels, const float* y, float log_tau, float alpha, float* grads,
                  float* dlog_tau, const double* concrete, float* dlogits) {
    static const char* const fn = "dense_step";
    if (layers < 1 || layers > kDenseStepMaxLayers) {
        fail(fn, "layers must be in [1, " + std::to_string(kDenseStepMaxLayers) + "], got " + std::to_string(layers));
    }
    require_ptr(sizes, fn, "sizes");
    require_ptr(dropout, fn, "dropout");
    require_ptr(activations, fn, "activations");
    require_ptr(params, fn, "params");
    require_ptr(x, fn, "x");
    require_ptr(grads, fn, "grads");
    require_positive(batch, fn, "batch");
    require_positive(samples, fn, "samples");
    if ((labels == nullptr) == (y == nullptr)) fail(fn, "exactly one of labels (categorical) and y (gaussian) must be given");
    const int64_t B = batch, K = samples, R = B * K;
    require_int_range(R, fn, "batch * samples");
    for (int l = 0; l <= layers; ++l) require_positive(sizes[l], fn, ("sizes[" + std::to_string(l) + "]").c_str());
    // Concrete dropout (noise 3): per layer (exp(-logit / 0.1), 1 / (1 - p), p) from the caller, and d/dlogit out.
    const bool concrete_noise = noise == kNoiseConcrete;
    if (concrete_noise) {
        require_ptr(concrete, fn, "concrete");
        require_ptr(dlogits, fn, "dlogits");
        if (step < 0) fail(fn, "step must be >= 0, got " + std::to_string(step));
        for (int l = 0; l < layers; ++l) {
            const double c = concrete[3 * l], scale = concrete[3 * l + 1], p = concrete[3 * l + 2];
            if (!(c >= 0) || !(scale >= 1 && std::isfinite(scale)) || !(p >= 0 && p < 1)) {
                fail(fn, "concrete[" + std::to_string(l) + "] must be (logit_factor >= 0, finite scale >= 1, p in [0, 1)), got ("
                             + std::to_string(c) + ", " + std::to_string(scale) + ", " + std::to_string(p) + ")");
            }
        }
    } else if (concrete != nullptr || dlogits != nullptr) {
        fail(fn, "concrete and dlogits are for noise 3 (concrete) only, got noise " + std::to_string(noise));
    }
    for (int l = 0; l < layers; ++l) {
        if (!concrete_noise) detail::require_dropout(step, l, dropout[l], noise, fn);
        detail::require_activation(activations[l], fn);
    }

    auto masked = [concrete_noise](const LayerPlan& q) { return concrete_noise || q.p != 0.0f; };
    auto transposed = [concrete_noise](const LayerPlan& q, int l) { return l > 0 || q.H == 1 || concrete_noise; };

    // Rows run in tiles of whole datapoints (about kTileRows rows): each tile goes forward through every
    // layer, through the loss of its points and back, so its masks, activations and gradients stay in L1
    // (the whole batch's did not: at 320 rows a layer's buffers were 72 KB each, and every pass over them
    // ran at L2 speed). dW and db accumulate over the tiles in row order (C += A B continues each output's
    // FMA chain), so the result is the untiled step's to the bit.
    const int64_t tile_points = std::min<int64_t>(B, std::max<int64_t>(1, kTileRows / K));
    const int64_t TR = tile_points * K;  // rows of a full tile
    require_int_range(TR, fn, "tile rows");

    // Plan the scratch: per layer mask, u, z, dz (one tile's rows), padded weights and their gradients;
    // then the tile's compact f and df, and x padded.
    LayerPlan plan[kDenseStepMaxLayers];
    int64_t total = 0, param_offset = 0;
    for (int l = 0; l < layers; ++l) {
        LayerPlan& q = plan[l];
        q.D = sizes[l];
        q.H = sizes[l + 1];
        q.Hp = pad8(q.H);
        q.Dp = pad8(q.D);
        q.p = concrete_noise ? 0.0f : dropout[l];
        q.activation = activations[l];
        require_int_range(R * q.Hp, fn, "batch * samples * padded width");
        require_int_range(R * q.D, fn, "batch * samples * in");
        q.w = param_offset;
        q.b = param_offset + q.D * q.H;
        param_offset = q.b + q.H;
        require_int_range(param_offset, fn, "parameter count");
        q.ms = concrete_noise ? q.D : q.Dp;
        total += (masked(q) ? TR * q.ms : 0) + TR * q.Dp + 2 * TR * q.Hp + (q.D + q.Dp) * q.Hp + 2 * q.Hp
                 + (transposed(q, l) ? q.H * q.Dp : 0);
    }
    const int64_t out = sizes[layers];
    total += 2 * TR * out + (concrete_noise ? TR * plan[0].Dp : 0) + B * plan[0].Dp;
    float* next = step_scratch(size_t(total));
    auto take = [&next](int64_t n) {
        float* p = next;
        next += n;
        return p;
    };
    for (int l = 0; l < layers; ++l) {
        LayerPlan& q = plan[l];
        q.mask = masked(q) ? take(TR * q.ms) : nullptr;
        q.u = take(TR * q.Dp);
        q.z = take(TR * q.Hp);
        q.dz = take(TR * q.Hp);
        q.wp = take(q.D * q.Hp);
        q.dwp = take(q.Dp * q.Hp);
        q.bp = take(q.Hp);
        q.dbp = take(q.Hp);
        q.wt = transposed(q, l) ? take(q.H * q.Dp) : nullptr;
        // Padded copies of this step's weights (they change every step, so they are packed per call).
        const float* w = params + q.w;
        for (int64_t d = 0; d < q.D; ++d) {
            std::memcpy(q.wp + d * q.Hp, w + d * q.H, size_t(q.H) * sizeof(float));
            std::fill(q.wp + d * q.Hp + q.H, q.wp + (d + 1) * q.Hp, 0.0f);
        }
        std::memcpy(q.bp, params + q.b, size_t(q.H) * sizeof(float));
        std::fill(q.bp + q.H, q.bp + q.Hp, 0.0f);
        if (q.wt != nullptr) {
            for (int64_t h = 0; h < q.H; ++h) {
                for (int64_t d = 0; d < q.D; ++d) q.wt[h * q.Dp + d] = w[d * q.H + h];
                std::fill(q.wt + h * q.Dp + q.D, q.wt + (h + 1) * q.Dp, 0.0f);
            }
        }
    }
    float* f = take(TR * out);
    float* df = take(TR * out);
    float* du0 = concrete_noise ? take(TR * plan[0].Dp) : nullptr;  // d loss / d u_0: concrete's first-layer logit
    // x with its rows padded to Dp with zeros, so that the first layer's rows are whole vectors like the others
    float* xp = take(B * plan[0].Dp);
    for (int64_t n = 0; n < B; ++n) {
        std::memcpy(xp + n * plan[0].Dp, x + n * plan[0].D, size_t(plan[0].D) * sizeof(float));
        std::fill(xp + n * plan[0].Dp + plan[0].D, xp + (n + 1) * plan[0].Dp, 0.0f);
    }
    const philox::Key key = philox::key_from_seed(seed);

    // The loss's per-point values (L_n, then d L_n / d log_tau), summed in n order at the end.
    double* per_point = detail::scratch<double>(detail::kScratchPerPoint, size_t(2 * B));
    double* loss_buf = detail::scratch<double>(detail::kScratchAccum, size_t(3 * K + (labels != nullptr ? K * out : 0)));
    const double a = alpha;
    const double inv_b = 1.0 / double(B);
    const double tau = labels != nullptr ? 0.0 : std::exp(double(log_tau));
    const double ll_const = labels != nullptr ? 0.0 : gaussian_ll_const(out, log_tau);
    if (labels != nullptr) require_labels(labels, B, out, fn);
    // Concrete: d loss / d logit_l, summed over the rows in order across the tiles.
    double logit_acc[kDenseStepMaxLayers];
    for (int l = 0; l < layers; ++l) logit_acc[l] = 0.0;

    for (int64_t n0 = 0; n0 < B; n0 += tile_points) {
        const int64_t points = std::min(tile_points, B - n0);
        const int64_t rows = points * K;
        const int64_t r0 = n0 * K;  // the tile's first row in the batch (the masks' row index)
        const bool first_tile = n0 == 0;

        // Forward: u = m .* a (the first layer's input row n serves its K sample rows), z = act(u W + b).
        for (int l = 0; l < layers; ++l) {
            LayerPlan& q = plan[l];
            if (concrete_noise) {
                concrete::fill_rows(key, uint32_t(step), uint32_t(l), concrete[3 * l], concrete[3 * l + 1], uint32_t(r0),
                                    rows, int(q.D), q.mask);
            } else if (q.mask != nullptr) {
                const philox::MaskGen gen(seed, step, l, q.p, noise);
                gen.fill_rows_padded(uint32_t(r0), rows, q.D, q.mask);
            }
            // The source rows are padded with zeros (xp, or the layer below's z), so with a padded mask the
            // pad columns of u come out 0 from whole-vector products.
            const int64_t width = q.mask == nullptr || q.ms == q.Dp ? q.Dp : q.D;
            for (int64_t i = 0; i < rows; ++i) {
                const float* __restrict src = l == 0 ? xp + (n0 + i / K) * q.Dp : plan[l - 1].z + i * plan[l - 1].Hp;
                float* __restrict ur = q.u + i * q.Dp;
                if (q.mask != nullptr) {
                    const float* __restrict mr = q.mask + i * q.ms;
                    for (int64_t d = 0; d < width; ++d) ur[d] = src[d] * mr[d];
                } else {
                    std::memcpy(ur, src, size_t(q.Dp) * sizeof(float));
                }
                for (int64_t d = width; d < q.Dp; ++d) ur[d] = 0.0f;
                // The first pad column is 1 when there is one: u^T dz then sums db in that row of dW.
                if (q.D < q.Dp) ur[q.D] = 1.0f;
            }
            if (q.H == 1) {
                for (int64_t i = 0; i < rows; ++i) {
                    const float v = q.bp[0] + dot8(q.u + i * q.Dp, q.wt, q.Dp);
                    float* zr = q.z + i * q.Hp;
                    zr[0] = q.activation == ACT_RELU && v < 0.0f ? 0.0f : v;  // NaN and -0 pass, as in the tiles
                    for (int64_t h = 1; h < q.Hp; ++h) zr[h] = 0.0f;
                }
            } else {
                rowgemm(rows, q.Hp, q.D, q.u, q.Dp, 1, q.wp, q.Hp, q.bp, q.z, q.Hp, q.activation == ACT_RELU);
            }
            if (q.activation == ACT_TANH) {
                const int64_t n = rows * q.Hp;
                for (int64_t i = 0; i < n; ++i) q.z[i] = tanh_float(q.z[i]);
            }
        }

        // The loss of the tile's points on the compact outputs, and its gradient back into the padded rows.
        // Element loops, not memcpy / fill per row: rows of a few floats made those hundreds of library
        // calls a step.
        const LayerPlan& top = plan[layers - 1];
        for (int64_t i = 0; i < rows; ++i) {
            for (int64_t j = 0; j < out; ++j) f[i * out + j] = top.z[i * top.Hp + j];
        }
        for (int64_t t = 0; t < points; ++t) {
            const int64_t n = n0 + t;
            if (labels != nullptr) {
                per_point[n] = alpha_point_categorical(K, out, f + t * K * out, labels[n], a, inv_b, loss_buf,
                                                       df + t * K * out);
            } else {
                per_point[n] = alpha_point_gaussian(K, out, f + t * K * out, y + n * out, tau, ll_const, a, inv_b,
                                                    loss_buf, df + t * K * out, &per_point[B + n]);
            }
        }
        for (int64_t i = 0; i < rows; ++i) {
            for (int64_t j = 0; j < out; ++j) top.dz[i * top.Hp + j] = df[i * out + j];
            for (int64_t j = out; j < top.Hp; ++j) top.dz[i * top.Hp + j] = 0.0f;
        }

        // Backward: dzPre = dz .* act'(z); dW += u^T dzPre; db += 1^T dzPre; dA = (dzPre W^T) .* m. The mask
        // of dA is applied in the next layer down's dzPre pass (one pass over the rows instead of two). db is
        // the row of dW that u's ones column gives (or the same FMA chain over a constant 1 when u has no
        // pad column), so it costs one more GEMM row instead of a pass of its own.
        for (int l = layers - 1; l >= 0; --l) {
            LayerPlan& q = plan[l];
            const float* above_mask = l + 1 < layers ? plan[l + 1].mask : nullptr;  // row i at above_mask + i * above_ms
            const int64_t above_ms = l + 1 < layers ? plan[l + 1].ms : 0;
            {
                // Concrete: d/dlogit of layer l + 1 = sum dU * a * dm/dlogit, a = z_l, before dU takes its mask.
                const double p_above = concrete_noise && above_mask != nullptr ? concrete[3 * (l + 1) + 2] : 0.0;
                double acc = concrete_noise && above_mask != nullptr ? logit_acc[l + 1] : 0.0;
                for (int64_t i = 0; i < rows; ++i) {
                    float* __restrict row = q.dz + i * q.Hp;
                    const float* __restrict zr = q.z + i * q.Hp;
                    if (above_mask != nullptr) {
                        const float* __restrict mr = above_mask + i * above_ms;
                        if (concrete_noise) {
                            for (int64_t h = 0; h < q.H; ++h) {
                                acc += double(row[h]) * double(zr[h]) * concrete_mask_derivative(mr[h], p_above);
                            }
                        }
                        // dz's pad columns are 0, and so are the products with a padded mask's pad multipliers
                        const int64_t width = above_ms == q.Hp ? q.Hp : q.H;
                        for (int64_t h = 0; h < width; ++h) row[h] *= mr[h];
                    }
                    // over the pad columns too (0 in z and dz): whole vectors
                    if (q.activation == ACT_RELU) {
                        for (int64_t h = 0; h < q.Hp; ++h) row[h] = zr[h] > 0.0f ? row[h] : 0.0f;
                    } else if (q.activation == ACT_TANH) {
                        for (int64_t h = 0; h < q.Hp; ++h) row[h] *= 1.0f - zr[h] * zr[h];
                    }
                }
                if (concrete_noise && above_mask != nullptr) logit_acc[l + 1] = acc;
            }
            const bool ones_column = q.D < q.Dp;
            static const float one = 1.0f;
            const bool more = !first_tile;  // accumulate onto the earlier tiles' sums
            if (!ones_column) rowgemm(1, q.Hp, rows, &one, 0, 0, q.dz, q.Hp, nullptr, q.dbp, q.Hp, false, more);
            if (q.H == 1) {
                // dW^T = dzPre^T u: one row of Dp, the rows of u summed in order
                rowgemm(1, q.Dp, rows, q.dz, 0, q.Hp, q.u, q.Dp, nullptr, q.dwp, q.Dp, false, more);
            } else {
                rowgemm(q.D + (ones_column ? 1 : 0), q.Hp, rows, q.u, 1, q.Dp, q.dz, q.Hp, nullptr, q.dwp, q.Hp, false,
                        more);
            }
            if (l == 0) {
                if (concrete_noise) {
                    rowgemm(rows, q.Dp, q.H, q.dz, q.Hp, 1, q.wt, q.Dp, nullptr, du0, q.Dp);
                    const double p0 = concrete[2];
                    double acc = logit_acc[0];
                    for (int64_t i = 0; i < rows; ++i) {
                        const float* __restrict xr = x + (n0 + i / K) * q.D;
                        const float* __restrict mr = q.mask + i * q.ms;
                        const float* __restrict dr = du0 + i * q.Dp;
                        for (int64_t d = 0; d < q.D; ++d) {
                            acc += double(dr[d]) * double(xr[d]) * concrete_mask_derivative(mr[d], p0);
                        }
                    }
                    logit_acc[0] = acc;
                }
                break;
            }
            LayerPlan& below = plan[l - 1];  // below.Hp == q.Dp
            rowgemm(rows, q.Dp, q.H, q.dz, q.Hp, 1, q.wt, q.Dp, nullptr, below.dz, below.Hp);
        }
    }

    // The accumulated gradients out of their padded buffers.
    for (int l = 0; l < layers; ++l) {
        const LayerPlan& q = plan[l];
        const bool ones_column = q.D < q.Dp;
        float* dw = grads + q.w;
        float* db = grads + q.b;
        if (q.H == 1) {
            std::memcpy(dw, q.dwp, size_t(q.D) * sizeof(float));
            db[0] = ones_column ? q.dwp[q.D] : q.dbp[0];
        } else {
            for (int64_t d = 0; d < q.D; ++d) std::memcpy(dw + d * q.H, q.dwp + d * q.Hp, size_t(q.H) * sizeof(float));
            std::memcpy(db, ones_column ? q.dwp + q.D * q.Hp : q.dbp, size_t(q.H) * sizeof(float));
        }
        if (concrete_noise) dlogits[l] = l == 0 || plan[l].mask != nullptr ? float(logit_acc[l]) : 0.0f;
    }
    double total_loss = 0.0, total_dlt = 0.0;
    for (int64_t n = 0; n < B; ++n) {
        total_loss += per_point[n];
        if (labels == nullptr) total_dlt += per_point[B + n];
    }
    if (labels == nullptr && dlog_tau != nullptr) dlog_tau[0] = float(total_dlt * inv_b);
    return total_loss / double(B);
}

}  // namespace kernels
ALPHADROP_ISA_END
