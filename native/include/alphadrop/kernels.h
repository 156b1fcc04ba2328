// AlphaDrop native kernels: the C++ twin of io.github.alphadrop.kernels.Kernels.
//
// Contract (see Kernels.java for the full text): row-major float matrices; a minibatch of B datapoints
// with K MC samples each, sample rows ordered r = n*K + k; dense layer weights w are D x H.
// Arguments are validated in Java (AbstractKernels) before these functions are called; the kernels
// re-check only what would corrupt memory and throw std::invalid_argument; the JavaCPP glue turns any
// C++ exception into a Java exception, which NativeKernels rethrows as NativeKernelException.
//
// Every kernel runs on an Engine: a thread pool of its own and the kernel table of one instruction
// set, chosen when the engine is created. Only that table's code runs, so an engine of a level the
// CPU has never executes an instruction the CPU lacks. Engines are independent: two of them never
// wait for each other. One engine runs one kernel at a time (concurrent calls on it take turns).
#pragma once

#include <cstdint>

namespace alphadrop {

// Activation codes, shared with io.github.alphadrop.kernels.Activation.
enum : int { ACT_IDENTITY = 0, ACT_RELU = 1, ACT_TANH = 2 };

// Instruction-set levels, shared with io.github.alphadrop.kernels.Isa: x86-64-v2 (SSE4.2, no AVX),
// AVX2 + FMA (x86-64-v3), AVX-512 F/BW/VL/DQ/CD.
enum : int { ISA_BASELINE = 0, ISA_AVX2 = 1, ISA_AVX512 = 2 };

struct Engine;

// Library version string, e.g. "0.1.0".
const char* version();

// Throws std::runtime_error with `message`: how the Java side's tests check that a native failure
// arrives as a typed exception carrying the native message.
void fail_with(const char* message);

// What openblas_get_config() reports for the OpenBLAS this library is bound to.
const char* openblas_config();

// The highest ISA level this CPU and OS support (-1 if not even the baseline), and why.
int cpu_best_isa();
const char* cpu_isa_report();

// An engine of `threads` >= 1 threads running the kernels of `isa` (which must be <= cpu_best_isa(),
// else std::invalid_argument). Free it with engine_destroy once no call on it is running.
Engine* engine_create(int threads, int isa);
void engine_destroy(Engine* engine);

int engine_threads(const Engine* engine);
int engine_isa(const Engine* engine);
// The engine's dense micro-kernel (e.g. "f32_gemm_6x16_avx2", or "openblas_sgemm"), its tile, and its
// mask generator's vector path.
const char* engine_gemm_ukernel(const Engine* engine);
int engine_gemm_mr(const Engine* engine);
int engine_gemm_nr(const Engine* engine);
const char* engine_mask_emitter(const Engine* engine);

// Single-thread FMA throughput (GFLOP/s) of the engine's ISA, measured for about `seconds`.
double engine_fma_peak_gflops(const Engine* engine, double seconds);

// How the dense layers treat terms whose masked input is zero: 0 auto (chosen per call from the
// estimated density and shape), 1 never skip (dense products), 2 always skip (sparse products).
void engine_set_sparse_mode(Engine* engine, int mode);
int engine_sparse_mode(const Engine* engine);
// Calls that took each path since the engine was created: which = 0 dense forward, 1 sparse forward,
// 2 dense dW, 3 sparse dW.
long long engine_path_count(const Engine* engine, int which);

// Mask multipliers for rows [row_offset, row_offset + rows), columns [0, cols): noise 0 (Bernoulli) gives 0
// or 1/(1-p), noise 1 (Gaussian) 1 + sigma z with sigma^2 = p/(1-p). Every dropout entry takes the noise.
void dropout_mask(Engine* engine, long long seed, int step, int layer, float p, int noise,
                  int row_offset, int rows, int cols, float* mask);

// Concrete dropout's relaxed masks (io.github.alphadrop.kernels.ConcreteMask) for rows [row_offset,
// row_offset + rows), columns [0, cols): logit_factor = exp(-logit / 0.1) and scale = 1 / (1 - p) come from the
// caller, so the per-element arithmetic is the same correctly rounded sequence on every backend.
void concrete_mask(Engine* engine, long long seed, int step, int layer, double logit_factor, double scale,
                   int row_offset, int rows, int cols, float* mask);

// z = act((m .* a) w + bias), shared_input: a is B x D and serves K rows each; else a is (B*K) x D.
void dropout_matmul_forward(Engine* engine, long long seed, int step, int layer, float p, int noise,
                            int batch, int samples, bool shared_input, int in, int out,
                            const float* a, const float* w, const float* bias, int activation, float* z);

// Backward of dropout_matmul_forward; dz is overwritten with the pre-activation gradient when the
// activation is not identity. dw (D x H) and db (H) are overwritten; da may be null; db may be null.
void dropout_matmul_backward(Engine* engine, long long seed, int step, int layer, float p, int noise,
                             int batch, int samples, bool shared_input, int in, int out,
                             const float* a, const float* w, const float* z, int activation,
                             float* dz, float* dw, float* db, float* da);

// 2-D convolution, stride 1, NHWC: z = act(conv(x, w) + bias) for `images` images of height x width x
// channels; w is (kernel_h * kernel_w * channels) x filters, row (dy * kernel_w + dx) * channels + c;
// pad_top / pad_left zeros before the first row / column (the rest of the padding follows from out_h,
// out_w). z is images x out_h x out_w x filters. bias may be null.
void conv2d_forward(Engine* engine, int images, int height, int width, int channels, int kernel_h, int kernel_w,
                    int filters, int pad_top, int pad_left, int out_h, int out_w, const float* x, const float* w,
                    const float* bias, int activation, float* z);
// Backward of conv2d_forward; dz is overwritten with the pre-activation gradient when the activation is
// not identity. dw and db are overwritten; db and dx may be null.
void conv2d_backward(Engine* engine, int images, int height, int width, int channels, int kernel_h, int kernel_w,
                     int filters, int pad_top, int pad_left, int out_h, int out_w, const float* x, const float* w,
                     const float* z, int activation, float* dz, float* dw, float* db, float* dx);
// size x size max pooling with stride size on NHWC images (a trailing row or column that does not fill a
// window is dropped): y is images x (height / size) x (width / size) x channels. The first of equal
// maxima wins its window and a NaN wins it, so NaN propagates.
void maxpool2d_forward(Engine* engine, int images, int height, int width, int channels, int size, const float* x,
                       float* y);
// dx (overwritten): each dy routed to the input that won its window in x (found again from x).
void maxpool2d_backward(Engine* engine, int images, int height, int width, int channels, int size, const float* x,
                        const float* dy, float* dx);
// Alpha-divergence loss, categorical likelihood. Returns the batch mean of L_n.
double alpha_loss_categorical(Engine* engine, int batch, int samples, int classes, const float* logits,
                              const int* labels, float alpha, float* loss_per_point, float* dlogits);

// Alpha-divergence loss, Gaussian likelihood with precision exp(log_tau). Returns the batch mean of L_n.
double alpha_loss_gaussian(Engine* engine, int batch, int samples, int dims, const float* f, const float* y,
                           float log_tau, float alpha, float* loss_per_point, float* df, float* dlog_tau);

// One training step of a dense network in one call (the small networks of the UCI benchmark): for
// layer l = 0 .. layers-1 (sizes[l] -> sizes[l+1] units, dropout[l], activations[l], the same noise),
// exactly dropout_matmul_forward with layer index l (the first layer's input x, batch x sizes[0],
// shared by the K samples), then the alpha loss (categorical with labels, or Gaussian with y and
// log_tau; exactly one of them non-null), then dropout_matmul_backward down to layer 0 (no input
// gradient). params and grads hold W_0 (sizes[0] x sizes[1]), b_0, W_1, b_1, ... back to back; grads
// is overwritten, dlog_tau (may be null) receives d loss / d log_tau. Returns the batch mean of the
// loss. Equal to the per-layer kernels up to summation order; runs on the calling thread.
// noise 3 is concrete dropout: layer l's input takes concrete_mask's multipliers with
// concrete[3l .. 3l+2] = (logit_factor, scale, p) (dropout is then not read), and dlogits[l] receives
// d loss / d logit_l = sum over its input elements of dU * a * m (p - (1 - m (1 - p)) / 0.1); both are
// null for the other noises.
double dense_step(Engine* engine, long long seed, int step, int noise, int layers, const int* sizes, const float* dropout,
                  const int* activations, const float* params, int batch, int samples, const float* x, const int* labels,
                  const float* y, float log_tau, float alpha, float* grads, float* dlog_tau, const double* concrete,
                  float* dlogits);

// The row GEMM dense_step runs on this engine's ISA ("f32_rowgemm_6x16_avx2", "f32_rowgemm_portable").
const char* engine_rowgemm_ukernel(const Engine* engine);

}  // namespace alphadrop
