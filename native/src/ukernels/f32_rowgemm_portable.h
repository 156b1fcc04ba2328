// f32 row GEMM for small dense networks, portable (the baseline level, no FMA):
//   C[i, 0:n) = init[0:n) (0 when init is null) + sum_{k < depth} A(i, k) B[k, 0:n),   i < m,
// A(i, k) = a[i * a_rs + k * a_cs], B row-major (ldb); with accumulate, C's own rows start the sums
// instead of init (C += A B: a sum over k split across calls equals one call's); with relu, C = max(0, C) (NaN and -0 pass). Each output sums in ascending k with a separate
// multiply and add (no contraction: the file is compiled with -ffp-contract=off), so it differs from
// the FMA kernel (f32_rowgemm_6x16_avx2.h) by rounding only. The inner loop over columns vectorises.
#pragma once

// In the ISA's inline namespace, one copy per level (isa_namespace.h says why).
#include "isa_namespace.h"

#include <cstdint>

ALPHADROP_ISA_BEGIN
namespace ukernels::portable {

inline void f32_rowgemm_portable(int64_t m, int64_t n, int64_t depth, const float* a, int64_t a_rs, int64_t a_cs,
                                 const float* b, int64_t ldb, const float* init, float* c, int64_t ldc,
                                 bool relu = false, bool accumulate = false) {
    for (int64_t i = 0; i < m; ++i) {
        float* __restrict ci = c + i * ldc;
        if (!accumulate) {
            for (int64_t j = 0; j < n; ++j) ci[j] = init != nullptr ? init[j] : 0.0f;
        }
        for (int64_t k = 0; k < depth; ++k) {
            const float x = a[i * a_rs + k * a_cs];
            const float* __restrict bk = b + k * ldb;
            for (int64_t j = 0; j < n; ++j) ci[j] = ci[j] + x * bk[j];
        }
        if (relu) {
            for (int64_t j = 0; j < n; ++j) ci[j] = ci[j] < 0.0f ? 0.0f : ci[j];  // NaN and -0 pass
        }
    }
}

}  // namespace ukernels::portable
ALPHADROP_ISA_END
