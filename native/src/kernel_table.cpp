// This ISA's kernel table (compiled once per ISA, like dropout_matmul.cpp and alpha_loss.cpp), and the
// two small kernels that need no file of their own: the standalone dropout mask and the FMA probe.
#include <string>

#include "common.h"
#include "isa_kernels.h"
#include "kernel_table.h"
#include "philox.h"
#include "probe/fma_peak.h"
#include "gemm_blocking.h"
#include "thread_pool.h"

ALPHADROP_ISA_BEGIN
namespace kernels {

void dropout_mask(ThreadPool& pool, long long seed, int step, int layer, float p, int noise, int row_offset, int rows, int cols,
                  float* mask) {
    static const char* const fn = "dropout_mask";
    detail::require_dropout(step, layer, p, noise, fn);
    if (row_offset < 0) detail::fail(fn, "row_offset must be >= 0, got " + std::to_string(row_offset));
    detail::require_positive(rows, fn, "rows");
    detail::require_positive(cols, fn, "cols");
    detail::require_ptr(mask, fn, "mask");
    detail::require_int_range(int64_t(row_offset) + rows - 1, fn, "row_offset + rows - 1");
    detail::require_int_range(int64_t(rows) * cols, fn, "rows * cols");

    const philox::MaskGen gen(seed, step, layer, p, noise);
    const int64_t n_cols = cols;
    pool.parallel_for(
        rows,
        [&](int64_t begin, int64_t end, int) {
            gen.fill_tile(uint32_t(int64_t(row_offset) + begin), end - begin, 0, n_cols, mask + begin * n_cols, n_cols);
        },
        4.0 * double(rows) * double(cols));
}

double fma_peak_gflops(double seconds) {
#if defined(__AVX512F__)
    return probe::fma_peak_gflops_avx512(seconds);
#elif defined(__AVX2__) && defined(__FMA__)
    return probe::fma_peak_gflops_avx2(seconds);
#else
    return probe::fma_peak_gflops_baseline(seconds);
#endif
}

}  // namespace kernels
ALPHADROP_ISA_END

#define ALPHADROP_CAT2(a, b) a##b
#define ALPHADROP_CAT(a, b) ALPHADROP_CAT2(a, b)
#define ALPHADROP_STR2(a) #a
#define ALPHADROP_STR(a) ALPHADROP_STR2(a)

namespace alphadrop::dispatch {

// Constant-initialised (no code runs to build it), so reading it is safe on any CPU.
const KernelTable& ALPHADROP_CAT(kernel_table_, ALPHADROP_ISA_NS)() {
    namespace k = ::alphadrop::ALPHADROP_ISA_NS::kernels;
    static constexpr KernelTable table{
        ALPHADROP_STR(ALPHADROP_ISA_NS),
        ::alphadrop::ALPHADROP_ISA_NS::gemm::kUkernelName,
        ALPHADROP_GEMM_KERNEL ? ::alphadrop::ALPHADROP_ISA_NS::gemm::kMR : 0,
        ALPHADROP_GEMM_KERNEL ? ::alphadrop::ALPHADROP_ISA_NS::gemm::kNR : 0,
#if defined(__AVX512F__)
        "philox4x32_10_x16_avx512",
#elif defined(__AVX2__)
        "philox4x32_10_x16_avx2",
#else
        "philox4x32_10_x16_portable",
#endif
        &k::dropout_mask,
        &k::concrete_mask,
        &k::dropout_matmul_forward,
        &k::dropout_matmul_backward,
        &k::conv2d_forward,
        &k::conv2d_backward,
        &k::maxpool2d_forward,
        &k::maxpool2d_backward,
        &k::alpha_loss_categorical,
        &k::alpha_loss_gaussian,
        &k::dense_step,
#if defined(__AVX512F__)
        "f32_rowgemm_6x32_avx512",
#elif defined(__AVX2__) && defined(__FMA__)
        "f32_rowgemm_6x16_avx2",
#else
        "f32_rowgemm_portable",
#endif
        &k::fma_peak_gflops,
    };
    return table;
}

}  // namespace alphadrop::dispatch
