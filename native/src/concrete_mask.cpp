// Concrete dropout's relaxed masks as a kernel of their own (the generator is in concrete_mask.h).
#include <cmath>
#include <cstdint>
#include <string>

#include "common.h"
#include "concrete_mask.h"
#include "isa_kernels.h"
#include "thread_pool.h"

ALPHADROP_ISA_BEGIN
namespace kernels {

void concrete_mask(ThreadPool& pool, long long seed, int step, int layer, double logit_factor, double scale,
                   int row_offset, int rows, int cols, float* mask) {
    static const char* const fn = "concrete_mask";
    if (step < 0) detail::fail(fn, "step must be >= 0, got " + std::to_string(step));
    if (layer < 0 || layer >= 65536) detail::fail(fn, "layer must be in [0, 65536), got " + std::to_string(layer));
    // c may be +inf (a very negative logit: every mask value 1); scale is 1/(1 - p) for a rate below 1.
    if (!(logit_factor >= 0)) detail::fail(fn, "logit_factor must be >= 0 (exp(-logit / 0.1)), got " + std::to_string(logit_factor));
    if (!(scale >= 1 && std::isfinite(scale))) detail::fail(fn, "scale must be finite and >= 1 (1 / (1 - p)), got " + std::to_string(scale));
    if (row_offset < 0) detail::fail(fn, "row_offset must be >= 0, got " + std::to_string(row_offset));
    detail::require_positive(rows, fn, "rows");
    detail::require_positive(cols, fn, "cols");
    detail::require_ptr(mask, fn, "mask");
    detail::require_int_range(int64_t(row_offset) + rows - 1, fn, "row_offset + rows - 1");
    detail::require_int_range(int64_t(rows) * cols, fn, "rows * cols");

    const philox::Key key = philox::key_from_seed(seed);
    const int64_t n_cols = cols;
    pool.parallel_for(
        rows,
        [&](int64_t begin, int64_t end, int) {
            concrete::fill_rows(key, uint32_t(step), uint32_t(layer), logit_factor, scale,
                                uint32_t(int64_t(row_offset) + begin), end - begin, cols, mask + begin * n_cols);
        },
        30.0 * double(rows) * double(cols));
}

}  // namespace kernels
ALPHADROP_ISA_END
