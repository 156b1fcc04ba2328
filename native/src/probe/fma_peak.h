// Single-thread floating-point peak probes: many independent multiply-add chains held in registers, run
// for about `seconds`, returning the achieved GFLOP/s (2 flops per lane per multiply-add). Each probe is
// only declared when the translation unit is compiled for its ISA, so a TU built for a lower ISA sees
// only what it can run. Call from one thread; the result is that one core's rate.
//
// ISA isolation: a TU compiled for AVX2 / AVX-512 must not leave an out-of-line copy of shared code under
// a name the baseline TU also defines (the linker could keep the AVX copy for every caller). So inside
// the library (ALPHADROP_ISA_NS defined) everything here lives in the ISA's inline namespace
// (alphadrop::<isa>::probe, still reachable as alphadrop::probe), everything is always_inline, and there
// are no lambdas or templates of ours that could be emitted on their own.
#pragma once

#include <immintrin.h>

#include <chrono>
#include <cstdint>

#if defined(ALPHADROP_ISA_NS)
#include "isa_namespace.h"
#define ALPHADROP_PROBE_BEGIN ALPHADROP_ISA_BEGIN namespace probe {
#define ALPHADROP_PROBE_END } ALPHADROP_ISA_END
#else
#define ALPHADROP_PROBE_BEGIN namespace alphadrop::probe {
#define ALPHADROP_PROBE_END }
#endif

ALPHADROP_PROBE_BEGIN

namespace detail {

inline volatile float fma_peak_sink = 0.0f;

__attribute__((always_inline)) inline int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

__attribute__((always_inline)) inline int64_t budget_ns(double seconds) {
    return seconds > 0.0 ? static_cast<int64_t>(seconds * 1e9) : 0;
}

__attribute__((always_inline)) inline double gflops(double flops, int64_t ns) {
    return ns > 0 ? flops / static_cast<double>(ns) : 0.0;  // flops per ns = GFLOP/s
}

}  // namespace detail

#if defined(__SSE2__)
// SSE (x86-64-v2 has no FMA): 14 independent mulps + addps chains (14 chains + 2 constants fill the 16
// xmm registers without spills). Each mul + add pair counts 2 flops per lane. The clock is read every
// 2^14 x 64 x 14 (~15 M) pairs.
__attribute__((always_inline)) inline double fma_peak_gflops_baseline(double seconds) {
    constexpr int kChains = 14;
    constexpr int kSteps = 64;
    constexpr int64_t kRounds = int64_t{1} << 14;
    __m128 acc[kChains];
    for (int i = 0; i < kChains; ++i) acc[i] = _mm_set1_ps(0.001f * static_cast<float>(i));
    volatile float mv = 0.9999999f, av = 1e-7f;  // opaque to the compiler: nothing folds
    const __m128 mul = _mm_set1_ps(mv), add = _mm_set1_ps(av);
    const int64_t start = detail::now_ns(), budget = detail::budget_ns(seconds);
    int64_t rounds = 0, elapsed = 0;
    do {
        for (int64_t r = 0; r < kRounds * kSteps; ++r) {
#pragma GCC unroll 14
            for (int i = 0; i < kChains; ++i) acc[i] = _mm_add_ps(_mm_mul_ps(acc[i], mul), add);
        }
        rounds += kRounds;
        elapsed = detail::now_ns() - start;
    } while (elapsed < budget);
    __m128 t = acc[0];
    for (int i = 1; i < kChains; ++i) t = _mm_add_ps(t, acc[i]);
    detail::fma_peak_sink = _mm_cvtss_f32(t);
    return detail::gflops(2.0 * 4 * kChains * kSteps * static_cast<double>(rounds), elapsed);
}
#endif

#if defined(__AVX2__) && defined(__FMA__)
// AVX2: 12 independent 8-lane FMA chains (2 FMA pipes x 4 cycles of latency need 8; 12 + 2 constants
// fit the 16 ymm). The clock is read every ~6 M FMAs.
__attribute__((always_inline)) inline double fma_peak_gflops_avx2(double seconds) {
    constexpr int kChains = 12;
    constexpr int kSteps = 64;
    constexpr int64_t kRounds = int64_t{1} << 13;
    __m256 acc[kChains];
    for (int i = 0; i < kChains; ++i) acc[i] = _mm256_set1_ps(0.001f * static_cast<float>(i));
    volatile float mv = 0.9999999f, av = 1e-7f;
    const __m256 mul = _mm256_set1_ps(mv), add = _mm256_set1_ps(av);
    const int64_t start = detail::now_ns(), budget = detail::budget_ns(seconds);
    int64_t rounds = 0, elapsed = 0;
    do {
        for (int64_t r = 0; r < kRounds * kSteps; ++r) {
#pragma GCC unroll 12
            for (int i = 0; i < kChains; ++i) acc[i] = _mm256_fmadd_ps(acc[i], mul, add);
        }
        rounds += kRounds;
        elapsed = detail::now_ns() - start;
    } while (elapsed < budget);
    __m256 t = acc[0];
    for (int i = 1; i < kChains; ++i) t = _mm256_add_ps(t, acc[i]);
    detail::fma_peak_sink = _mm_cvtss_f32(_mm256_castps256_ps128(t));
    return detail::gflops(2.0 * 8 * kChains * kSteps * static_cast<double>(rounds), elapsed);
}
#endif

#if defined(__AVX512F__)
// AVX-512: 24 independent 16-lane FMA chains (of the 32 zmm). The clock is read every ~6 M FMAs.
__attribute__((always_inline)) inline double fma_peak_gflops_avx512(double seconds) {
    constexpr int kChains = 24;
    constexpr int kSteps = 32;
    constexpr int64_t kRounds = int64_t{1} << 13;
    __m512 acc[kChains];
    for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_ps(0.001f * static_cast<float>(i));
    volatile float mv = 0.9999999f, av = 1e-7f;
    const __m512 mul = _mm512_set1_ps(mv), add = _mm512_set1_ps(av);
    const int64_t start = detail::now_ns(), budget = detail::budget_ns(seconds);
    int64_t rounds = 0, elapsed = 0;
    do {
        for (int64_t r = 0; r < kRounds * kSteps; ++r) {
#pragma GCC unroll 24
            for (int i = 0; i < kChains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], mul, add);
        }
        rounds += kRounds;
        elapsed = detail::now_ns() - start;
    } while (elapsed < budget);
    __m512 t = acc[0];
    for (int i = 1; i < kChains; ++i) t = _mm512_add_ps(t, acc[i]);
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, t);  // (not _mm512_reduce_add_ps: spurious -Wuninitialized in GCC 12's header)
    float sum = 0.0f;
    for (float x : lanes) sum += x;
    detail::fma_peak_sink = sum;
    return detail::gflops(2.0 * 16 * kChains * kSteps * static_cast<double>(rounds), elapsed);
}
#endif

ALPHADROP_PROBE_END

#undef ALPHADROP_PROBE_BEGIN
#undef ALPHADROP_PROBE_END
