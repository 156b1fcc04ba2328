// AlphaDrop native kernels: the C++ twin of io.github.alphadrop.kernels.Kernels.
//
// Contract (see Kernels.java for the full text): row-major float matrices; a minibatch of B datapoints
// with K MC samples each, sample rows ordered r = n*K + k; dense layer weights w are D x H.
// Arguments are validated in Java (AbstractKernels) before these functions are called; the kernels
// re-check only what would corrupt memory and throw std::invalid_argument, which the JavaCPP glue
// turns into a Java exception.
#pragma once

#include <cstdint>

namespace alphadrop {

// Activation codes, shared with io.github.alphadrop.kernels.Activation.
enum : int { ACT_IDENTITY = 0, ACT_RELU = 1, ACT_TANH = 2 };

// Library version string, e.g. "0.1.0".
const char* version();

// What openblas_get_config() reports for the OpenBLAS this library is bound to.
const char* openblas_config();

// The number of threads the kernels use (our own pool; OpenBLAS runs single-threaded inside it).
int threads();
// Sets the thread count (>= 1). One owner of threads: this pool; OpenBLAS is pinned to 1 thread.
void set_threads(int n);

// Dropout multipliers (0 or 1/(1-p)) for rows [row_offset, row_offset + rows), columns [0, cols).
void dropout_mask(long long seed, int step, int layer, float p,
                  int row_offset, int rows, int cols, float* mask);

// z = act((m .* a) w + bias), shared_input: a is B x D and serves K rows each; else a is (B*K) x D.
void dropout_matmul_forward(long long seed, int step, int layer, float p,
                            int batch, int samples, bool shared_input, int in, int out,
                            const float* a, const float* w, const float* bias, int activation, float* z);

// Backward of dropout_matmul_forward; dz is overwritten with the pre-activation gradient when the
// activation is not identity. dw (D x H) and db (H) are overwritten; da may be null; db may be null.
void dropout_matmul_backward(long long seed, int step, int layer, float p,
                             int batch, int samples, bool shared_input, int in, int out,
                             const float* a, const float* w, const float* z, int activation,
                             float* dz, float* dw, float* db, float* da);

// Alpha-divergence loss, categorical likelihood. Returns the batch mean of L_n.
double alpha_loss_categorical(int batch, int samples, int classes, const float* logits, const int* labels,
                              float alpha, float* loss_per_point, float* dlogits);

// Alpha-divergence loss, Gaussian likelihood with precision exp(log_tau). Returns the batch mean of L_n.
double alpha_loss_gaussian(int batch, int samples, int dims, const float* f, const float* y, float log_tau,
                           float alpha, float* loss_per_point, float* df, float* dlog_tau);

}  // namespace alphadrop
