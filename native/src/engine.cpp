// The public entry points (alphadrop/kernels.h): engines, CPU report, and dispatch through the chosen
// ISA's kernel table. Compiled for the baseline ISA: this code runs before any ISA is chosen.
#include <stdexcept>
#include <string>

#include "alphadrop/kernels.h"
#include "cpu_features.h"
#include "kernel_table.h"
#include "openblas.h"
#include "thread_pool.h"

namespace alphadrop {

struct Engine {
    Engine(int threads, const dispatch::KernelTable& t, int level) : pool(threads), table(t), isa(level) {}
    runtime::ThreadPool pool;
    runtime::SparsePolicy sparse;
    const dispatch::KernelTable& table;
    const int isa;
};

namespace {

const dispatch::KernelTable& table_for(int isa) {
    switch (isa) {
        case ISA_AVX512: return dispatch::kernel_table_avx512();
        case ISA_AVX2: return dispatch::kernel_table_avx2();
        default: return dispatch::kernel_table_baseline();
    }
}

Engine& live(Engine* engine, const char* fn) {
    if (engine == nullptr) throw std::invalid_argument(std::string("alphadrop::") + fn + ": engine must not be null");
    return *engine;
}

const Engine& live(const Engine* engine, const char* fn) {
    if (engine == nullptr) throw std::invalid_argument(std::string("alphadrop::") + fn + ": engine must not be null");
    return *engine;
}

}  // namespace

const char* version() { return "0.1.0"; }

void fail_with(const char* message) {
    throw std::runtime_error(std::string("alphadrop::fail_with: ") + (message != nullptr ? message : "(null)"));
}

const char* openblas_config() {
    const char* config = openblas_get_config();
    return config != nullptr ? config : "";
}

int cpu_best_isa() { return runtime::cpu_features().best_isa; }

const char* cpu_isa_report() { return runtime::cpu_features().report.c_str(); }

Engine* engine_create(int threads, int isa) {
    if (threads < 1) throw std::invalid_argument("alphadrop::engine_create: threads must be >= 1, got " + std::to_string(threads));
    if (isa < ISA_BASELINE || isa > ISA_AVX512) {
        throw std::invalid_argument("alphadrop::engine_create: isa must be 0 (baseline), 1 (avx2) or 2 (avx512), got " +
                                    std::to_string(isa));
    }
    const runtime::CpuFeatures& cpu = runtime::cpu_features();
    if (isa > cpu.best_isa) {
        throw std::invalid_argument(std::string("alphadrop::engine_create: this CPU cannot run the ") +
                                    runtime::isa_name(isa) + " kernels (" + cpu.report + ")");
    }
    return new Engine(threads, table_for(isa), isa);
}

void engine_destroy(Engine* engine) { delete engine; }

int engine_threads(const Engine* engine) { return live(engine, "engine_threads").pool.threads(); }
int engine_isa(const Engine* engine) { return live(engine, "engine_isa").isa; }
const char* engine_gemm_ukernel(const Engine* engine) { return live(engine, "engine_gemm_ukernel").table.gemm_ukernel; }
int engine_gemm_mr(const Engine* engine) { return live(engine, "engine_gemm_mr").table.gemm_mr; }
int engine_gemm_nr(const Engine* engine) { return live(engine, "engine_gemm_nr").table.gemm_nr; }
const char* engine_mask_emitter(const Engine* engine) { return live(engine, "engine_mask_emitter").table.mask_emitter; }

double engine_fma_peak_gflops(const Engine* engine, double seconds) {
    const Engine& e = live(engine, "engine_fma_peak_gflops");
    if (!(seconds > 0.0 && seconds <= 60.0)) {
        throw std::invalid_argument("alphadrop::engine_fma_peak_gflops: seconds must be in (0, 60], got " +
                                    std::to_string(seconds));
    }
    return e.table.fma_peak_gflops(seconds);
}

void engine_set_sparse_mode(Engine* engine, int mode) {
    Engine& e = live(engine, "engine_set_sparse_mode");
    if (mode < runtime::kSparseAuto || mode > runtime::kSparseAlways) {
        throw std::invalid_argument("alphadrop::engine_set_sparse_mode: mode must be 0 (auto), 1 (never) or 2 (always), got " +
                                    std::to_string(mode));
    }
    e.sparse.mode.store(mode);
}

int engine_sparse_mode(const Engine* engine) { return live(engine, "engine_sparse_mode").sparse.mode.load(); }

long long engine_path_count(const Engine* engine, int which) {
    const Engine& e = live(engine, "engine_path_count");
    switch (which) {
        case 0: return e.sparse.dense_forward.load();
        case 1: return e.sparse.sparse_forward.load();
        case 2: return e.sparse.dense_dw.load();
        case 3: return e.sparse.sparse_dw.load();
        default:
            throw std::invalid_argument("alphadrop::engine_path_count: which must be 0..3, got " + std::to_string(which));
    }
}

void dropout_mask(Engine* engine, long long seed, int step, int layer, float p, int noise, int row_offset, int rows, int cols,
                  float* mask) {
    Engine& e = live(engine, "dropout_mask");
    const runtime::FlushDenormals flush;
    e.table.dropout_mask(e.pool, seed, step, layer, p, noise, row_offset, rows, cols, mask);
}

void concrete_mask(Engine* engine, long long seed, int step, int layer, double logit_factor, double scale, int row_offset,
                   int rows, int cols, float* mask) {
    Engine& e = live(engine, "concrete_mask");
    // No flushing here: the relaxed masks promise Java's floats to the bit, subnormal ones included.
    e.table.concrete_mask(e.pool, seed, step, layer, logit_factor, scale, row_offset, rows, cols, mask);
}

void dropout_matmul_forward(Engine* engine, long long seed, int step, int layer, float p, int noise, int batch, int samples,
                            bool shared_input, int in, int out, const float* a, const float* w, const float* bias,
                            int activation, float* z) {
    Engine& e = live(engine, "dropout_matmul_forward");
    const runtime::FlushDenormals flush;
    e.table.forward(e.pool, e.sparse, seed, step, layer, p, noise, batch, samples, shared_input, in, out, a, w, bias, activation, z);
}

void dropout_matmul_backward(Engine* engine, long long seed, int step, int layer, float p, int noise, int batch, int samples,
                             bool shared_input, int in, int out, const float* a, const float* w, const float* z,
                             int activation, float* dz, float* dw, float* db, float* da) {
    Engine& e = live(engine, "dropout_matmul_backward");
    const runtime::FlushDenormals flush;
    e.table.backward(e.pool, e.sparse, seed, step, layer, p, noise, batch, samples, shared_input, in, out, a, w, z, activation, dz, dw,
                     db, da);
}

void conv2d_forward(Engine* engine, int images, int height, int width, int channels, int kernel_h, int kernel_w,
                    int filters, int pad_top, int pad_left, int out_h, int out_w, const float* x, const float* w,
                    const float* bias, int activation, float* z) {
    Engine& e = live(engine, "conv2d_forward");
    const runtime::FlushDenormals flush;
    e.table.conv2d_forward(e.pool, images, height, width, channels, kernel_h, kernel_w, filters, pad_top, pad_left, out_h,
                           out_w, x, w, bias, activation, z);
}

void conv2d_backward(Engine* engine, int images, int height, int width, int channels, int kernel_h, int kernel_w,
                     int filters, int pad_top, int pad_left, int out_h, int out_w, const float* x, const float* w,
                     const float* z, int activation, float* dz, float* dw, float* db, float* dx) {
    Engine& e = live(engine, "conv2d_backward");
    const runtime::FlushDenormals flush;
    e.table.conv2d_backward(e.pool, images, height, width, channels, kernel_h, kernel_w, filters, pad_top, pad_left,
                            out_h, out_w, x, w, z, activation, dz, dw, db, dx);
}

void maxpool2d_forward(Engine* engine, int images, int height, int width, int channels, int size, const float* x,
                       float* y) {
    Engine& e = live(engine, "maxpool2d_forward");
    const runtime::FlushDenormals flush;
    e.table.maxpool2d_forward(e.pool, images, height, width, channels, size, x, y);
}

void maxpool2d_backward(Engine* engine, int images, int height, int width, int channels, int size, const float* x,
                        const float* dy, float* dx) {
    Engine& e = live(engine, "maxpool2d_backward");
    const runtime::FlushDenormals flush;
    e.table.maxpool2d_backward(e.pool, images, height, width, channels, size, x, dy, dx);
}

double alpha_loss_categorical(Engine* engine, int batch, int samples, int classes, const float* logits,
                              const int* labels, float alpha, float* loss_per_point, float* dlogits) {
    Engine& e = live(engine, "alpha_loss_categorical");
    const runtime::FlushDenormals flush;
    return e.table.loss_categorical(e.pool, batch, samples, classes, logits, labels, alpha, loss_per_point, dlogits);
}

double alpha_loss_gaussian(Engine* engine, int batch, int samples, int dims, const float* f, const float* y,
                           float log_tau, float alpha, float* loss_per_point, float* df, float* dlog_tau) {
    Engine& e = live(engine, "alpha_loss_gaussian");
    const runtime::FlushDenormals flush;
    return e.table.loss_gaussian(e.pool, batch, samples, dims, f, y, log_tau, alpha, loss_per_point, df, dlog_tau);
}

double dense_step(Engine* engine, long long seed, int step, int noise, int layers, const int* sizes, const float* dropout,
                  const int* activations, const float* params, int batch, int samples, const float* x, const int* labels,
                  const float* y, float log_tau, float alpha, float* grads, float* dlog_tau, const double* concrete,
                  float* dlogits) {
    Engine& e = live(engine, "dense_step");
    const runtime::FlushDenormals flush;
    return e.table.dense_step(e.pool, seed, step, noise, layers, sizes, dropout, activations, params, batch, samples, x,
                              labels, y, log_tau, alpha, grads, dlog_tau, concrete, dlogits);
}
const char* engine_rowgemm_ukernel(const Engine* engine) {
    return live(engine, "engine_rowgemm_ukernel").table.rowgemm_ukernel;
}
}  // namespace alphadrop
