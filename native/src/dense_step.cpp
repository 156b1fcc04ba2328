// One training step of a small dense network in one call: every layer's dropout, product and
// activation, the alpha-divergence loss, and the backward pass to every weight and bias gradient.
//
// Why a kernel of its own: a UCI step (13-50-1, B·K = 320) is under a million flops, and through the
// per-layer kernels it paid a JNI round trip, a check and a staging copy per layer and call, and drew
// every dropout mask two or three times (forward, dW, dA). Here each layer's mask is drawn once per
// step into scratch (the same Philox multipliers as the per-layer kernels: this is not a stored mask,
// it lives for one call), the products run through a small row GEMM on operands read in place, and
// nothing is packed but the padded weights.
//
// Results equal the per-layer kernels up to summation order. Every output is summed in one fixed
// order that depends only on the shape (one thread does the whole step), so the result is
// bit-identical for any thread count, and avx2 and avx512 (which share the 256-bit row GEMM) agree to
// the bit; the baseline multiplies and adds separately and differs by rounding.
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

#if defined(__AVX2__) && defined(__FMA__)
#include "ukernels/f32_rowgemm_6x16_avx2.h"
#else
#include "ukernels/f32_rowgemm_portable.h"
#endif

ALPHADROP_ISA_BEGIN
namespace kernels {

namespace {

using detail::fail;

// Mask floats drawn per tile in the forward: small enough to stay in L1 until u is computed from them.
constexpr int64_t kMaskTileFloats = 2048;
using detail::require_int_range;
using detail::require_positive;
using detail::require_ptr;

inline void rowgemm(int64_t m, int64_t n, int64_t depth, const float* a, int64_t a_rs, int64_t a_cs, const float* b,
                    int64_t ldb, const float* init, float* c, int64_t ldc, bool relu = false) {
#if defined(__AVX2__) && defined(__FMA__)
    ukernels::avx2::f32_rowgemm_6x16_avx2(m, n, depth, a, a_rs, a_cs, b, ldb, init, c, ldc, relu);
#else
    ukernels::portable::f32_rowgemm_portable(m, n, depth, a, a_rs, a_cs, b, ldb, init, c, ldc, relu);
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

double dense_step(ThreadPool& pool, long long seed, int step, int noise, int layers, const int* sizes,
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

    // Plan the scratch: per layer mask, u, z, dz, padded weights; then the compact f and df of the loss.
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
        total += (masked(q) ? R * q.ms : 0) + R * q.Dp + 2 * R * q.Hp + (q.D + q.Dp) * q.Hp + 2 * q.Hp
                 + (transposed(q, l) ? q.H * q.Dp : 0);
    }
    const int64_t out = sizes[layers];
    total += 2 * R * out + (concrete_noise ? R * plan[0].Dp : 0) + B * plan[0].Dp;
    float* next = step_scratch(size_t(total));
    auto take = [&next](int64_t n) {
        float* p = next;
        next += n;
        return p;
    };
    for (int l = 0; l < layers; ++l) {
        LayerPlan& q = plan[l];
        q.mask = masked(q) ? take(R * q.ms) : nullptr;
        q.u = take(R * q.Dp);
        q.z = take(R * q.Hp);
        q.dz = take(R * q.Hp);
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
    float* f = take(R * out);
    float* df = take(R * out);
    float* du0 = concrete_noise ? take(R * plan[0].Dp) : nullptr;  // d loss / d u_0: concrete's first-layer logit
    // x with its rows padded to Dp with zeros, so that the first layer's rows are whole vectors like the others
    float* xp = take(B * plan[0].Dp);
    for (int64_t n = 0; n < B; ++n) {
        std::memcpy(xp + n * plan[0].Dp, x + n * plan[0].D, size_t(plan[0].D) * sizeof(float));
        std::fill(xp + n * plan[0].Dp + plan[0].D, xp + (n + 1) * plan[0].Dp, 0.0f);
    }
    const philox::Key key = philox::key_from_seed(seed);

    // Forward: u = m .* a (the first layer's input row n serves its K sample rows), z = act(u W + b).
    for (int l = 0; l < layers; ++l) {
        LayerPlan& q = plan[l];
        // The mask in tiles of rows, each multiplied into u while it is still in L1.
        const philox::MaskGen gen(seed, step, l, q.p, concrete_noise ? 0 : noise);
        const int64_t tile = std::max<int64_t>(1, kMaskTileFloats / q.Dp);
        for (int64_t r0 = 0; r0 < R; r0 += tile) {
            const int64_t rows = std::min(tile, R - r0);
            if (concrete_noise) {
                concrete::fill_rows(key, uint32_t(step), uint32_t(l), concrete[3 * l], concrete[3 * l + 1], uint32_t(r0),
                                    rows, int(q.D), q.mask + r0 * q.D);
            } else if (q.mask != nullptr) {
                gen.fill_rows_padded(uint32_t(r0), rows, q.D, q.mask + r0 * q.ms);
            }
            // The source rows are padded with zeros (xp, or the layer below's z), so with a padded mask the
            // pad columns of u come out 0 from whole-vector products.
            const int64_t width = q.mask == nullptr || q.ms == q.Dp ? q.Dp : q.D;
            for (int64_t r = r0; r < r0 + rows; ++r) {
                const float* __restrict src = l == 0 ? xp + (r / K) * q.Dp : plan[l - 1].z + r * plan[l - 1].Hp;
                float* __restrict ur = q.u + r * q.Dp;
                if (q.mask != nullptr) {
                    const float* __restrict mr = q.mask + r * q.ms;
                    for (int64_t d = 0; d < width; ++d) ur[d] = src[d] * mr[d];
                } else {
                    std::memcpy(ur, src, size_t(q.Dp) * sizeof(float));
                }
                for (int64_t d = width; d < q.Dp; ++d) ur[d] = 0.0f;
                // The first pad column is 1 when there is one: u^T dz then sums db in that row of dW.
                if (q.D < q.Dp) ur[q.D] = 1.0f;
            }
        }
        if (q.H == 1) {
            for (int64_t r = 0; r < R; ++r) {
                const float v = q.bp[0] + dot8(q.u + r * q.Dp, q.wt, q.Dp);
                float* zr = q.z + r * q.Hp;
                zr[0] = q.activation == ACT_RELU && v < 0.0f ? 0.0f : v;  // NaN and -0 pass, as in the tiles
                for (int64_t h = 1; h < q.Hp; ++h) zr[h] = 0.0f;
            }
        } else {
            rowgemm(R, q.Hp, q.D, q.u, q.Dp, 1, q.wp, q.Hp, q.bp, q.z, q.Hp, q.activation == ACT_RELU);
        }
        if (q.activation == ACT_TANH) {
            const int64_t n = R * q.Hp;
            for (int64_t i = 0; i < n; ++i) q.z[i] = tanh_float(q.z[i]);
        }
    }

    // The loss on the compact outputs, and its gradient back into the padded rows.
    const LayerPlan& top = plan[layers - 1];
    for (int64_t r = 0; r < R; ++r) std::memcpy(f + r * out, top.z + r * top.Hp, size_t(out) * sizeof(float));
    const double loss = labels != nullptr
                            ? alpha_loss_categorical(pool, batch, samples, int(out), f, labels, alpha, nullptr, df)
                            : alpha_loss_gaussian(pool, batch, samples, int(out), f, y, log_tau, alpha, nullptr, df,
                                                  dlog_tau);
    for (int64_t r = 0; r < R; ++r) {
        std::memcpy(top.dz + r * top.Hp, df + r * out, size_t(out) * sizeof(float));
        std::fill(top.dz + r * top.Hp + out, top.dz + (r + 1) * top.Hp, 0.0f);
    }

    // Backward: dzPre = dz .* act'(z); dW = u^T dzPre; db = 1^T dzPre; dA = (dzPre W^T) .* m. The mask of
    // dA is applied in the next layer down's dzPre pass (one pass over the rows instead of two). db is the
    // row of dW that u's ones column gives (or the same FMA chain over a constant 1 when u has no pad
    // column), so it costs one more GEMM row instead of a pass of its own.
    for (int l = layers - 1; l >= 0; --l) {
        LayerPlan& q = plan[l];
        const float* above_mask = l + 1 < layers ? plan[l + 1].mask : nullptr;  // row r at above_mask + r * above_ms
        const int64_t above_ms = l + 1 < layers ? plan[l + 1].ms : 0;
        float* db = grads + q.b;
        {
            // Concrete: d/dlogit of layer l + 1 = sum dU * a * dm/dlogit, a = z_l, before dU takes its mask.
            double logit_acc = 0.0;
            const double p_above = concrete_noise && above_mask != nullptr ? concrete[3 * (l + 1) + 2] : 0.0;
            for (int64_t r = 0; r < R; ++r) {
                float* __restrict row = q.dz + r * q.Hp;
                const float* __restrict zr = q.z + r * q.Hp;
                if (above_mask != nullptr) {
                    const float* __restrict mr = above_mask + r * above_ms;
                    if (concrete_noise) {
                        for (int64_t h = 0; h < q.H; ++h) {
                            logit_acc += double(row[h]) * double(zr[h]) * concrete_mask_derivative(mr[h], p_above);
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
            if (concrete_noise && above_mask != nullptr) dlogits[l + 1] = float(logit_acc);
        }
        float* dw = grads + q.w;
        const bool ones_column = q.D < q.Dp;
        static const float one = 1.0f;
        if (!ones_column) rowgemm(1, q.Hp, R, &one, 0, 0, q.dz, q.Hp, nullptr, q.dbp, q.Hp);
        if (q.H == 1) {
            // dW^T = dzPre^T u: one row of Dp, the rows of u summed in order
            rowgemm(1, q.Dp, R, q.dz, 0, q.Hp, q.u, q.Dp, nullptr, q.dwp, q.Dp);
            std::memcpy(dw, q.dwp, size_t(q.D) * sizeof(float));
            db[0] = ones_column ? q.dwp[q.D] : q.dbp[0];
        } else {
            rowgemm(q.D + (ones_column ? 1 : 0), q.Hp, R, q.u, 1, q.Dp, q.dz, q.Hp, nullptr, q.dwp, q.Hp);
            for (int64_t d = 0; d < q.D; ++d) std::memcpy(dw + d * q.H, q.dwp + d * q.Hp, size_t(q.H) * sizeof(float));
            std::memcpy(db, ones_column ? q.dwp + q.D * q.Hp : q.dbp, size_t(q.H) * sizeof(float));
        }
        if (l == 0) {
            if (concrete_noise) {
                rowgemm(R, q.Dp, q.H, q.dz, q.Hp, 1, q.wt, q.Dp, nullptr, du0, q.Dp);
                const double p0 = concrete[2];
                double logit_acc = 0.0;
                for (int64_t r = 0; r < R; ++r) {
                    const float* __restrict xr = x + (r / K) * q.D;
                    const float* __restrict mr = q.mask + r * q.ms;
                    const float* __restrict dr = du0 + r * q.Dp;
                    for (int64_t d = 0; d < q.D; ++d) {
                        logit_acc += double(dr[d]) * double(xr[d]) * concrete_mask_derivative(mr[d], p0);
                    }
                }
                dlogits[0] = float(logit_acc);
            }
            break;
        }
        LayerPlan& below = plan[l - 1];  // below.Hp == q.Dp
        rowgemm(R, q.Dp, q.H, q.dz, q.Hp, 1, q.wt, q.Dp, nullptr, below.dz, below.Hp);
    }
    return loss;
}

}  // namespace kernels
ALPHADROP_ISA_END
