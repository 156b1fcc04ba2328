// Concrete dropout's relaxed Bernoulli masks, the per-row generator shared by the standalone kernel
// (concrete_mask.cpp) and the fused dense step (io.github.alphadrop.kernels.ConcreteMask is the
// specification): m = keep * scale, keep = 1 / (1 + 1/q), q = c * ratio^10, ratio = (2^32 - w) / w,
// w = word + 0.5, where word is word (col % 4) of the Philox4x32-10 output at counter
// (col / 4, row, layer, step). The caller passes c = exp(-logit / 0.1) and scale = 1 / (1 - p), so the
// only per-element operations are correctly rounded sums, products and quotients in the specification's
// order (compiled with -ffp-contract=off like every other file): the floats equal Java's.
#pragma once

#include <algorithm>
#include <cstdint>

#include "isa_namespace.h"
#include "philox.h"

ALPHADROP_ISA_BEGIN
namespace concrete {

inline constexpr int kColsPerCall = 4 * philox::kLanes;  // 16 counters x 4 words

// The multipliers of n <= 64 consecutive words; a plain loop GCC vectorises (vcvtdq2pd, vdivpd).
inline void multipliers(const uint32_t* words, int n, double c, double scale, float* out) {
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

// Mask rows [row0, row0 + rows) x columns [0, cols) of one layer into out, rows back to back (rows x cols).
// The Philox counters, ceil(cols / 4) per row, are taken 16 at a time across row ends, so a narrow layer
// (13 inputs: 4 counters a row) fills every lane, and the multipliers run over up to 64 contiguous words.
inline void fill_rows(philox::Key key, uint32_t step, uint32_t layer, double c, double scale, uint32_t row0,
                      int64_t rows, int cols, float* out) {
    alignas(32) uint32_t ctr[philox::kLanes];
    alignas(32) uint32_t row_word[philox::kLanes];
    alignas(32) uint32_t words[4][philox::kLanes];
    alignas(32) uint32_t ordered[kColsPerCall];
    int used[philox::kLanes];  // words of each lane that are mask elements (4, or fewer at a row's end)
    const int per_row = (cols + 3) / 4;
    int64_t r = 0;
    int k = 0;  // next counter of row r
    while (r < rows) {
        int lanes = 0;
        for (; lanes < philox::kLanes && r < rows; ++lanes) {
            ctr[lanes] = uint32_t(k);
            row_word[lanes] = row0 + uint32_t(r);
            used[lanes] = std::min(4, cols - 4 * k);
            if (++k == per_row) {
                k = 0;
                ++r;
            }
        }
        for (int i = lanes; i < philox::kLanes; ++i) {  // idle lanes: any counter, output unused
            ctr[i] = 0;
            row_word[i] = row0;
        }
        philox::lane_words(key, ctr, row_word, layer, step, words);
        int n = 0;
        for (int i = 0; i < lanes; ++i) {
            for (int j = 0; j < used[i]; ++j) ordered[n++] = words[j][i];
        }
        multipliers(ordered, n, c, scale, out);
        out += n;
    }
}

}  // namespace concrete
ALPHADROP_ISA_END
