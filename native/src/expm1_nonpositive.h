// expm1(x) for x <= 0 without a libm call, so that the alpha loss's loop over all the batch's samples
// vectorises: the per-sample weights exp(delta) = 1 + expm1(delta), delta = alpha (ll_k - ll_best) <= 0.
//   n = round(x / ln 2), r = x - n ln 2 (ln 2 in two parts: n * kLn2Hi is exact for |n| < 2^11),
//   expm1(r) by its Taylor series to r^13 / 13! (|r| <= ln 2 / 2: truncation below 1e-17 relative),
//   expm1(x) = 2^n expm1(r) + (2^n - 1) (exact for n = 0, so tiny x keeps full relative accuracy).
// Below -45, e^x < 2^-64 and expm1 rounds to -1: x is clamped there. NaN propagates; -inf gives -1.
// Only correctly rounded double operations (the build has -ffp-contract=off), so every ISA, scalar or
// vectorised, gives the same bits. ukernel_test compares it with std::expm1 (within 4 ulp).
#pragma once

#include <cstdint>
#include <cstring>

#include "isa_namespace.h"

// Inside the ISA's namespace like every kernel: one copy per ISA, so the baseline never links a copy
// compiled for AVX.
ALPHADROP_ISA_BEGIN
namespace numeric {

inline double expm1_nonpositive(double x) {
    constexpr double kLn2Hi = 6.93147180369123816490e-01;  // the upper bits of ln 2 (low 32 bits 0)
    constexpr double kLn2Lo = 1.90821492927058770002e-10;  // ln 2 - kLn2Hi
    constexpr double kInvLn2 = 1.44269504088896338700e+00;
    constexpr double kRound = 6755399441055744.0;  // 1.5 * 2^52: adding and subtracting it rounds to an integer
    const double xc = x < -45.0 ? -45.0 : x;      // NaN compares false and stays NaN
    double n = (xc * kInvLn2 + kRound) - kRound;
    n = n == n ? n : 0.0;  // a NaN x: any n, the NaN comes through r
    const double r = (xc - n * kLn2Hi) - n * kLn2Lo;
    // Horner from r^13 / 13! down: p = r + r^2 (1/2! + r (1/3! + ...))
    double q = 1.0 / 6227020800.0;
    q = q * r + 1.0 / 479001600.0;
    q = q * r + 1.0 / 39916800.0;
    q = q * r + 1.0 / 3628800.0;
    q = q * r + 1.0 / 362880.0;
    q = q * r + 1.0 / 40320.0;
    q = q * r + 1.0 / 5040.0;
    q = q * r + 1.0 / 720.0;
    q = q * r + 1.0 / 120.0;
    q = q * r + 1.0 / 24.0;
    q = q * r + 1.0 / 6.0;
    q = q * r + 0.5;
    const double p = r + (r * r) * q;
    const int64_t bits = (static_cast<int64_t>(n) + 1023) << 52;  // n in [-65, 0]: a normal 2^n
    double two_n;
    std::memcpy(&two_n, &bits, sizeof two_n);
    return two_n * p + (two_n - 1.0);
}

}  // namespace numeric
ALPHADROP_ISA_END
