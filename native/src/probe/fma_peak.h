// Single-thread floating-point peak probes: many independent multiply-add chains in registers, run for
// about `seconds`, returning the achieved GFLOP/s (2 flops per lane per multiply-add). Each probe is only
// declared when the translation unit is compiled for its ISA, so a TU built for a lower ISA sees only
// what it can run. Call them from one thread; they measure that one core.
#pragma once

#include <immintrin.h>

#include <chrono>
#include <cstdint>

namespace alphadrop::probe {

namespace detail {

inline volatile float fma_peak_sink = 0.0f;

// Runs body() (which does `flops_per_call` flops) in rounds until `seconds` have passed, checking the
// clock once per round of `calls_per_round` calls. Returns GFLOP/s.
template <class Body>
inline double run_for(double seconds, double flops_per_call, int64_t calls_per_round, Body&& body) {
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    int64_t calls = 0;
    double elapsed = 0.0;
    do {
        for (int64_t r = 0; r < calls_per_round; ++r) body();
        calls += calls_per_round;
        elapsed = std::chrono::duration<double>(clock::now() - start).count();
    } while (elapsed < seconds);
    return elapsed > 0.0 ? flops_per_call * static_cast<double>(calls) / elapsed * 1e-9 : 0.0;
}

}  // namespace detail

#if defined(__SSE2__) || defined(_M_X64)
// SSE: 16 independent mulps + addps chains (x86-64-v2 has no FMA). Each pair counts 2 flops per lane.
inline double fma_peak_gflops_baseline(double seconds) {
    constexpr int kChains = 16;
    constexpr int kSteps = 64;  // multiply-add steps per chain per call
    __m128 acc[kChains];
    for (int i = 0; i < kChains; ++i) acc[i] = _mm_set1_ps(0.001f * static_cast<float>(i));
    volatile float mv = 0.9999999f, av = 1e-7f;  // opaque to the compiler
    const __m128 mul = _mm_set1_ps(mv), add = _mm_set1_ps(av);
    const double gflops = detail::run_for(seconds, 2.0 * 4 * kChains * kSteps, 1 << 14, [&] {
        for (int s = 0; s < kSteps; ++s) {
#pragma GCC unroll 16
            for (int i = 0; i < kChains; ++i) acc[i] = _mm_add_ps(_mm_mul_ps(acc[i], mul), add);
        }
    });
    __m128 t = acc[0];
    for (int i = 1; i < kChains; ++i) t = _mm_add_ps(t, acc[i]);
    detail::fma_peak_sink = _mm_cvtss_f32(t);
    return gflops;
}
#endif

#if defined(__AVX2__) && defined(__FMA__)
// AVX2: 12 independent 8-lane FMA chains (enough to cover 2 FMA pipes x 4 cycles latency, with 16 ymm).
inline double fma_peak_gflops_avx2(double seconds) {
    constexpr int kChains = 12;
    constexpr int kSteps = 64;
    __m256 acc[kChains];
    for (int i = 0; i < kChains; ++i) acc[i] = _mm256_set1_ps(0.001f * static_cast<float>(i));
    volatile float mv = 0.9999999f, av = 1e-7f;
    const __m256 mul = _mm256_set1_ps(mv), add = _mm256_set1_ps(av);
    const double gflops = detail::run_for(seconds, 2.0 * 8 * kChains * kSteps, 1 << 13, [&] {
        for (int s = 0; s < kSteps; ++s) {
#pragma GCC unroll 12
            for (int i = 0; i < kChains; ++i) acc[i] = _mm256_fmadd_ps(acc[i], mul, add);
        }
    });
    __m256 t = acc[0];
    for (int i = 1; i < kChains; ++i) t = _mm256_add_ps(t, acc[i]);
    detail::fma_peak_sink = _mm_cvtss_f32(_mm256_castps256_ps128(t));
    return gflops;
}
#endif

#if defined(__AVX512F__)
// AVX-512: 24 independent 16-lane FMA chains (of 32 zmm).
inline double fma_peak_gflops_avx512(double seconds) {
    constexpr int kChains = 24;
    constexpr int kSteps = 32;
    __m512 acc[kChains];
    for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_ps(0.001f * static_cast<float>(i));
    volatile float mv = 0.9999999f, av = 1e-7f;
    const __m512 mul = _mm512_set1_ps(mv), add = _mm512_set1_ps(av);
    const double gflops = detail::run_for(seconds, 2.0 * 16 * kChains * kSteps, 1 << 13, [&] {
        for (int s = 0; s < kSteps; ++s) {
#pragma GCC unroll 24
            for (int i = 0; i < kChains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], mul, add);
        }
    });
    __m512 t = acc[0];
    for (int i = 1; i < kChains; ++i) t = _mm512_add_ps(t, acc[i]);
    detail::fma_peak_sink = _mm512_reduce_add_ps(t);
    return gflops;
}
#endif

}  // namespace alphadrop::probe
