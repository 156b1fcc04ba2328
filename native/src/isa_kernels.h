// The kernels every ISA's translation units define (in alphadrop::<isa>::kernels); kernel_table.cpp
// collects them into that ISA's dispatch::KernelTable. Arguments as in alphadrop/kernels.h.
#pragma once

#include "isa_namespace.h"
#include "kernel_table.h"

ALPHADROP_ISA_BEGIN
namespace kernels {

using runtime::SparsePolicy;
using runtime::ThreadPool;

void dropout_mask(ThreadPool& pool, long long seed, int step, int layer, float p, int noise, int row_offset, int rows, int cols,
                  float* mask);

void concrete_mask(ThreadPool& pool, long long seed, int step, int layer, double logit_factor, double scale,
                   int row_offset, int rows, int cols, float* mask);

void dropout_matmul_forward(ThreadPool& pool, SparsePolicy& sparse, long long seed, int step, int layer, float p, int noise, int batch, int samples,
                            bool shared_input, int in, int out, const float* a, const float* w, const float* bias,
                            int activation, float* z);

void dropout_matmul_backward(ThreadPool& pool, SparsePolicy& sparse, long long seed, int step, int layer, float p, int noise, int batch, int samples,
                             bool shared_input, int in, int out, const float* a, const float* w, const float* z,
                             int activation, float* dz, float* dw, float* db, float* da);

void conv2d_forward(ThreadPool& pool, int images, int height, int width, int channels, int kernel_h, int kernel_w,
                    int filters, int pad_top, int pad_left, int out_h, int out_w, const float* x, const float* w,
                    const float* bias, int activation, float* z);

void conv2d_backward(ThreadPool& pool, int images, int height, int width, int channels, int kernel_h, int kernel_w,
                     int filters, int pad_top, int pad_left, int out_h, int out_w, const float* x, const float* w,
                     const float* z, int activation, float* dz, float* dw, float* db, float* dx);

void maxpool2d_forward(ThreadPool& pool, int images, int height, int width, int channels, int size, const float* x,
                       float* y);

void maxpool2d_backward(ThreadPool& pool, int images, int height, int width, int channels, int size, const float* x,
                        const float* dy, float* dx);

double alpha_loss_categorical(ThreadPool& pool, int batch, int samples, int classes, const float* logits,
                              const int* labels, float alpha, float* loss_per_point, float* dlogits);

double alpha_loss_gaussian(ThreadPool& pool, int batch, int samples, int dims, const float* f, const float* y,
                           float log_tau, float alpha, float* loss_per_point, float* df, float* dlog_tau);

// One datapoint of the alpha losses above (their bodies, called per point): returns L_n, writes its K rows
// of gradient scaled by inv_b (when the gradient pointer is not null) and, Gaussian, d L_n / d log_tau.
// buf holds 3K doubles (categorical: 3K + K C). dense_step calls them on the points of each row tile.
double alpha_point_categorical(int64_t K, int64_t C, const float* logits, int label, double alpha, double inv_b,
                               double* buf, float* dlogits);
double alpha_point_gaussian(int64_t K, int64_t D, const float* f, const float* y, double tau, double ll_const,
                            double alpha, double inv_b, double* buf, float* df, double* dlog_tau);
// Fails (std::invalid_argument naming fn) unless every label is in [0, classes).
void require_labels(const int* labels, int64_t batch, int64_t classes, const char* fn);
// 0.5 D (log_tau - log 2 pi), the Gaussian log-likelihood's constant.
double gaussian_ll_const(int64_t dims, float log_tau);

// The deepest network dense_step takes (its per-layer plan lives on the stack).
inline constexpr int kDenseStepMaxLayers = 64;
double dense_step(ThreadPool& pool, long long seed, int step, int noise, int layers, const int* sizes,
                  const float* dropout, const int* activations, const float* params, int batch, int samples,
                  const float* x, const int* labels, const float* y, float log_tau, float alpha, float* grads,
                  float* dlog_tau, const double* concrete, float* dlogits);
double fma_peak_gflops(double seconds);

}  // namespace kernels
ALPHADROP_ISA_END
