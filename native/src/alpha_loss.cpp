// Alpha-divergence energy of Li & Gal (2017) for one minibatch, categorical and Gaussian likelihoods:
//   L_n = -(1/alpha) (logsumexp_k(alpha ll[n,k]) - log K),  alpha == 0: L_n = -mean_k ll[n,k],
// and its gradient through the per-sample weights w[n,k] = softmax_k(alpha ll[n,:]) (uniform at 0).
// All accumulation is in double. Datapoints are independent, so they are spread over the pool; the
// batch mean (and dlog_tau) is then summed on the calling thread in n order.
#include "alphadrop/kernels.h"
#include "expm1_nonpositive.h"
#include "isa_kernels.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "common.h"
#include "thread_pool.h"

ALPHADROP_ISA_BEGIN
namespace kernels {

namespace {

using runtime::ThreadPool;
using detail::require_int_range;
using detail::require_positive;
using detail::require_ptr;
using detail::scratch;

constexpr double kLog2Pi = 1.8378770664093454835606594728112;

// Given ll[0..K), returns L_n and writes w[0..K). For alpha != 0 it uses the exact rearrangement
//   logsumexp_k(alpha ll_k) - log K = alpha ll_b + log1p(mean_k expm1(delta_k)),
//   delta_k = alpha (ll_k - ll_b) <= 0,  b = argmax_k alpha ll_k,
// which has no overflow for any alpha and no cancellation as alpha -> 0 (it tends to -mean_k ll_k).
double alpha_combine(const double* ll, int64_t K, double alpha, double* w) {
    if (alpha == 0.0) {
        double sum = 0.0;
        for (int64_t k = 0; k < K; ++k) sum += ll[k];
        const double uniform = 1.0 / double(K);
        for (int64_t k = 0; k < K; ++k) w[k] = uniform;
        return -sum / double(K);
    }
    int64_t best = 0;
    for (int64_t k = 1; k < K; ++k) {
        if (alpha * ll[k] > alpha * ll[best]) best = k;
    }
    const double llb = ll[best];
    // exp(delta) as 1 + expm1(delta): one transcendental per sample instead of two (they were most of a
    // small network's loss); the weight's absolute error stays below 1e-16. expm1 of delta <= 0 (0 at the
    // best sample) without a libm call: the samples' evaluations overlap instead of queueing.
    for (int64_t k = 0; k < K; ++k) w[k] = numeric::expm1_nonpositive(alpha * (ll[k] - llb));
    double sum_expm1 = 0.0, sum_exp = 0.0;
    for (int64_t k = 0; k < K; ++k) {
        sum_expm1 += w[k];
        const double e = 1.0 + w[k];
        w[k] = e;
        sum_exp += e;
    }
    for (int64_t k = 0; k < K; ++k) w[k] /= sum_exp;
    return -(llb + std::log1p(sum_expm1 / double(K)) / alpha);
}

}  // namespace

void require_labels(const int* labels, int64_t batch, int64_t classes, const char* fn) {
    for (int64_t n = 0; n < batch; ++n) {
        if (labels[n] < 0 || labels[n] >= classes) {
            detail::fail(fn, "labels[" + std::to_string(n) + "] = " + std::to_string(labels[n]) + " is not in [0, " +
                                 std::to_string(classes) + ")");
        }
    }
}

double gaussian_ll_const(int64_t dims, float log_tau) { return 0.5 * double(dims) * (double(log_tau) - kLog2Pi); }

namespace {

// Work below which the loss runs on the calling thread (the pool's own threshold also applies).
double loss_work(int64_t rows, int64_t width) { return 8.0 * double(rows) * double(width); }

}  // namespace

double alpha_point_categorical(int64_t K, int64_t C, const float* logits, int label, double alpha, double inv_b,
                               double* buf, float* dlogits) {
    double* ll = buf;
    double* inv_sums = buf + K;  // 1 / sum_c exp(x_c - max) per sample
    double* w = buf + 2 * K;
    double* exps = buf + 3 * K;
    for (int64_t k = 0; k < K; ++k) {
        const float* x = logits + k * C;
        double* e = exps + k * C;  // exp(x - max), kept for the softmax of the gradient
        double mx = x[0];
        for (int64_t c = 1; c < C; ++c) mx = std::max(mx, double(x[c]));
        double sum = 0.0;
        for (int64_t c = 0; c < C; ++c) {
            e[c] = std::exp(double(x[c]) - mx);
            sum += e[c];
        }
        inv_sums[k] = 1.0 / sum;
        ll[k] = double(x[label]) - (mx + std::log(sum));
    }
    const double loss = alpha_combine(ll, K, alpha, w);
    if (dlogits != nullptr) {
        for (int64_t k = 0; k < K; ++k) {
            const double* e = exps + k * C;
            float* g = dlogits + k * C;
            const double scale = w[k] * inv_b;
            const double inv_sum = inv_sums[k];
            for (int64_t c = 0; c < C; ++c) {
                const double softmax = e[c] * inv_sum;
                g[c] = float(scale * (softmax - (c == label ? 1.0 : 0.0)));
            }
        }
    }
    return loss;
}

double alpha_point_gaussian(int64_t K, int64_t D, const float* f, const float* y, double tau, double ll_const,
                            double alpha, double inv_b, double* buf, float* df, double* dlog_tau) {
    double* ll = buf;
    double* sq = buf + K;
    double* w = buf + 2 * K;
    for (int64_t k = 0; k < K; ++k) {
        const float* fk = f + k * D;
        double s = 0.0;
        for (int64_t d = 0; d < D; ++d) {
            const double e = double(y[d]) - double(fk[d]);
            s += e * e;
        }
        sq[k] = s;
        ll[k] = -0.5 * tau * s + ll_const;
    }
    const double loss = alpha_combine(ll, K, alpha, w);
    // dL_n/dll_k = -w_k;  dll_k/df = tau (y - f);  dll_k/dlog_tau = -tau/2 sq_k + D/2.
    double g = 0.0;
    for (int64_t k = 0; k < K; ++k) g += w[k] * (0.5 * tau * sq[k] - 0.5 * double(D));
    *dlog_tau = g;
    if (df != nullptr) {
        for (int64_t k = 0; k < K; ++k) {
            const float* fk = f + k * D;
            float* gk = df + k * D;
            const double scale = w[k] * tau * inv_b;
            for (int64_t d = 0; d < D; ++d) gk[d] = float(scale * (double(fk[d]) - double(y[d])));
        }
    }
    return loss;
}

double alpha_loss_categorical(ThreadPool& pool, int batch, int samples, int classes, const float* logits, const int* labels,
                              float alpha, float* loss_per_point, float* dlogits) {
    static const char* const fn = "alpha_loss_categorical";
    require_positive(batch, fn, "batch");
    require_positive(samples, fn, "samples");
    require_positive(classes, fn, "classes");
    require_ptr(logits, fn, "logits");
    require_ptr(labels, fn, "labels");
    const int64_t B = batch, K = samples, C = classes;
    require_int_range(B * K * C, fn, "batch * samples * classes");
    require_labels(labels, B, C, fn);
    const double a = alpha;
    const double inv_b = 1.0 / double(B);
    double* per_point = scratch<double>(detail::kScratchPerPoint, size_t(B));  // this (calling) thread's

    pool.parallel_for(
        B,
        [&](int64_t begin, int64_t end, int) {
            double* buf = scratch<double>(detail::kScratchAccum, size_t(3 * K + K * C));
            for (int64_t n = begin; n < end; ++n) {
                per_point[n] = alpha_point_categorical(K, C, logits + n * K * C, labels[n], a, inv_b, buf,
                                                       dlogits != nullptr ? dlogits + n * K * C : nullptr);
            }
        },
        loss_work(B * K, C));

    double total = 0.0;
    for (int64_t n = 0; n < B; ++n) {
        total += per_point[n];
        if (loss_per_point != nullptr) loss_per_point[n] = float(per_point[n]);
    }
    return total / double(B);
}

double alpha_loss_gaussian(ThreadPool& pool, int batch, int samples, int dims, const float* f, const float* y, float log_tau,
                           float alpha, float* loss_per_point, float* df, float* dlog_tau) {
    static const char* const fn = "alpha_loss_gaussian";
    require_positive(batch, fn, "batch");
    require_positive(samples, fn, "samples");
    require_positive(dims, fn, "dims");
    require_ptr(f, fn, "f");
    require_ptr(y, fn, "y");
    const int64_t B = batch, K = samples, D = dims;
    require_int_range(B * K * D, fn, "batch * samples * dims");
    const double a = alpha;
    const double inv_b = 1.0 / double(B);
    const double tau = std::exp(double(log_tau));
    const double ll_const = gaussian_ll_const(D, log_tau);
    // per_point[n] = L_n, per_point[B + n] = d L_n / d log_tau.
    double* per_point = scratch<double>(detail::kScratchPerPoint, size_t(2 * B));

    pool.parallel_for(
        B,
        [&](int64_t begin, int64_t end, int) {
            double* buf = scratch<double>(detail::kScratchAccum, size_t(3 * K));
            for (int64_t n = begin; n < end; ++n) {
                per_point[n] = alpha_point_gaussian(K, D, f + n * K * D, y + n * D, tau, ll_const, a, inv_b, buf,
                                                    df != nullptr ? df + n * K * D : nullptr, &per_point[B + n]);
            }
        },
        loss_work(B * K, D));

    double total = 0.0, total_dlt = 0.0;
    for (int64_t n = 0; n < B; ++n) {
        total += per_point[n];
        total_dlt += per_point[B + n];
        if (loss_per_point != nullptr) loss_per_point[n] = float(per_point[n]);
    }
    if (dlog_tau != nullptr) dlog_tau[0] = float(total_dlt * inv_b);
    return total / double(B);
}

}  // namespace kernels
ALPHADROP_ISA_END
