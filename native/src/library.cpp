// Library-level entry points: version, OpenBLAS identity, thread control and the standalone mask.
#include "alphadrop/kernels.h"

#include <string>

#include "common.h"
#include "openblas.h"
#include "philox.h"
#include "thread_pool.h"

namespace alphadrop {

const char* version() { return "0.1.0"; }

const char* openblas_config() {
    detail::pool();  // make sure OpenBLAS is pinned to one thread before anyone asks
    const char* config = openblas_get_config();
    return config != nullptr ? config : "";
}

int threads() { return detail::pool().threads(); }

void set_threads(int n) { detail::pool().set_threads(n); }

void dropout_mask(long long seed, int step, int layer, float p, int row_offset, int rows, int cols, float* mask) {
    static const char* const fn = "dropout_mask";
    detail::require_dropout(step, layer, p, fn);
    if (row_offset < 0) detail::fail(fn, "row_offset must be >= 0, got " + std::to_string(row_offset));
    detail::require_positive(rows, fn, "rows");
    detail::require_positive(cols, fn, "cols");
    detail::require_ptr(mask, fn, "mask");
    detail::require_int_range(int64_t(row_offset) + rows - 1, fn, "row_offset + rows - 1");
    detail::require_int_range(int64_t(rows) * cols, fn, "rows * cols");

    const philox::MaskGen gen(seed, step, layer, p);
    const int64_t n_cols = cols;
    detail::pool().parallel_for(
        rows,
        [&](int64_t begin, int64_t end, int) {
            gen.fill_tile(uint32_t(int64_t(row_offset) + begin), end - begin, 0, n_cols, mask + begin * n_cols, n_cols);
        },
        4.0 * double(rows) * double(cols));
}

}  // namespace alphadrop
