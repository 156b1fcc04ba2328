// Concrete dropout's relaxed Bernoulli masks (io.github.alphadrop.kernels.ConcreteMask is the
// specification): m = keep * scale, keep = 1 / (1 + 1/q), q = c * ratio^10, ratio = (2^32 - w) / w,
// w = word + 0.5, where word is word (col % 4) of the Philox4x32-10 output at counter
// (col / 4, row, layer, step). The caller passes c = exp(-logit / 0.1) and scale = 1 / (1 - p), so the
// only per-element operations are correctly rounded sums, products and quotients in the specification's
// order (this file is compiled with -ffp-contract=off like every other): the floats equal Java's.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "common.h"
#include "isa_kernels.h"
#include "philox.h"
#include "thread_pool.h"

ALPHADROP_ISA_BEGIN
namespace kernels {
namespace {

constexpr int kColsPerCall = 4 * philox::kLanes;  // 16 counters x 4 words

// The multipliers of n <= 64 consecutive words; a plain loop GCC vectorises (vcvtdq2pd, vdivpd).
inline void concrete_multipliers(const uint32_t* words, int n, double c, double scale, float* out) {
    for (int j = 0; j < n; ++j) {
        // (double) of an unsigned word through the signed conversion, which vectorises: exact.
        const double w = (static_cast<double>(static_cast<int32_t>(words[j] ^ 0x80000000u)) + 2147483648.0) + 0.5;
        const double ratio = (4294967296.0 - w) / w;
        const double r2 = ratio * ratio;
        const double r5 = r2 * r2 * ratio;
        const double q = c * (r5 * r5);
        const double keep = 1.0 / (1.0 + 1.0 / q);
        out[j] = static_cast<float>(keep * scale);
    }
}

}  // namespace

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
            alignas(32) uint32_t ctr[philox::kLanes];
            alignas(32) uint32_t row_word[philox::kLanes];
            alignas(32) uint32_t words[4][philox::kLanes];
            alignas(32) uint32_t ordered[kColsPerCall];
            for (int64_t r = begin; r < end; ++r) {
                const uint32_t row = uint32_t(int64_t(row_offset) + r);
                float* out = mask + r * n_cols;
                for (int col = 0; col < cols; col += kColsPerCall) {
                    for (int i = 0; i < philox::kLanes; ++i) {
                        ctr[i] = uint32_t(col / 4 + i);
                        row_word[i] = row;
                    }
                    philox::lane_words(key, ctr, row_word, uint32_t(layer), uint32_t(step), words);
                    const int n = std::min(kColsPerCall, cols - col);
                    for (int j = 0; j < n; ++j) ordered[j] = words[j % 4][j / 4];
                    concrete_multipliers(ordered, n, logit_factor, scale, out + col);
                }
            }
        },
        30.0 * double(rows) * double(cols));
}

}  // namespace kernels
ALPHADROP_ISA_END
