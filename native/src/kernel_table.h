// The kernel configuration of one instruction set: what a driver compiled for that ISA provides. The
// engine picks one table at creation (cpu_features.h) and calls only through it, so code compiled for
// an ISA the CPU lacks is never entered. Declared outside the ISA namespaces: one layout for all.
#pragma once

#include <atomic>
#include <cstdint>

namespace alphadrop::runtime {
class ThreadPool;

// Which path the dense layers take for terms whose masked input is zero (dropped by the mask, a zero
// input, a ReLU zero): kSparseAuto decides per call from the estimated density and the shape; the other
// two force a path (tests, benchmarks). Counters say which paths ran.
enum SparseMode : int { kSparseAuto = 0, kSparseNever = 1, kSparseAlways = 2 };

struct SparsePolicy {
    std::atomic<int> mode{kSparseAuto};
    std::atomic<int64_t> dense_forward{0}, sparse_forward{0}, dense_dw{0}, sparse_dw{0};
};
}  // namespace alphadrop::runtime

namespace alphadrop::dispatch {

using runtime::SparsePolicy;
using runtime::ThreadPool;

struct KernelTable {
    const char* isa;           // "baseline", "avx2", "avx512"
    const char* gemm_ukernel;  // the dense micro-kernel, named by tile and ISA, or "openblas_sgemm"
    int gemm_mr;               // its tile rows (0: OpenBLAS)
    int gemm_nr;               // its tile columns (0: OpenBLAS)
    const char* mask_emitter;  // the Philox mask generator's vector path

    void (*dropout_mask)(ThreadPool& pool, long long seed, int step, int layer, float p, int noise, int row_offset, int rows,
                         int cols, float* mask);
    void (*concrete_mask)(ThreadPool& pool, long long seed, int step, int layer, double logit_factor, double scale,
                          int row_offset, int rows, int cols, float* mask);
    void (*forward)(ThreadPool& pool, SparsePolicy& sparse, long long seed, int step, int layer, float p, int noise, int batch, int samples,
                    bool shared_input, int in, int out, const float* a, const float* w, const float* bias,
                    int activation, float* z);
    void (*backward)(ThreadPool& pool, SparsePolicy& sparse, long long seed, int step, int layer, float p, int noise, int batch, int samples,
                     bool shared_input, int in, int out, const float* a, const float* w, const float* z,
                     int activation, float* dz, float* dw, float* db, float* da);
    void (*conv2d_forward)(ThreadPool& pool, int images, int height, int width, int channels, int kernel_h,
                           int kernel_w, int filters, int pad_top, int pad_left, int out_h, int out_w, const float* x,
                           const float* w, const float* bias, int activation, float* z);
    void (*conv2d_backward)(ThreadPool& pool, int images, int height, int width, int channels, int kernel_h,
                            int kernel_w, int filters, int pad_top, int pad_left, int out_h, int out_w, const float* x,
                            const float* w, const float* z, int activation, float* dz, float* dw, float* db,
                            float* dx);
    void (*maxpool2d_forward)(ThreadPool& pool, int images, int height, int width, int channels, int size,
                              const float* x, float* y);
    void (*maxpool2d_backward)(ThreadPool& pool, int images, int height, int width, int channels, int size,
                               const float* x, const float* dy, float* dx);
    double (*loss_categorical)(ThreadPool& pool, int batch, int samples, int classes, const float* logits,
                               const int* labels, float alpha, float* loss_per_point, float* dlogits);
    double (*loss_gaussian)(ThreadPool& pool, int batch, int samples, int dims, const float* f, const float* y,
                            float log_tau, float alpha, float* loss_per_point, float* df, float* dlog_tau);
    // Single-thread FMA throughput of this ISA's widest vectors, measured for about `seconds`.
    double (*dense_step)(ThreadPool& pool, long long seed, int step, int noise, int layers, const int* sizes,
                         const float* dropout, const int* activations, const float* params, int batch, int samples,
                         const float* x, const int* labels, const float* y, float log_tau, float alpha, float* grads,
                         float* dlog_tau, const double* concrete, float* dlogits);
    const char* rowgemm_ukernel;  // the small-network step's row GEMM, named by tile and ISA
    double (*fma_peak_gflops)(double seconds);
};

// One per ISA, each defined in a translation unit compiled for that ISA (kernel_table.cpp). Calling
// kernel_table_avx2() is safe on any CPU (it returns static data); calling through it is not.
const KernelTable& kernel_table_baseline();
const KernelTable& kernel_table_avx2();
const KernelTable& kernel_table_avx512();

}  // namespace alphadrop::dispatch
