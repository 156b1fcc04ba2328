// Standalone tests of the GEMM micro-kernels in native/src/ukernels against a double-precision reference,
// and a smoke test of the FMA peak probes. Build (from the repository root) with, e.g.,
//   g++ -std=c++17 -O3 -mavx512f -mavx512bw -mavx512vl -mavx512dq -mavx2 -mfma -ffp-contract=off
//       -Inative/src native/tests/ukernel_test.cpp -o /tmp/ukernel_test && /tmp/ukernel_test
// Prints one line per failing case and ends with "N passed, M failed"; exits non-zero on any failure.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "expm1_nonpositive.h"
#include "probe/fma_peak.h"
#include "ukernels/gemm_epilogue.h"
#include "ukernels/f32_rowgemm_portable.h"
#if defined(__AVX2__) && defined(__FMA__)
#include "ukernels/f32_rowgemm_6x16_avx2.h"
#endif
#if defined(__AVX512F__)
#include "ukernels/f32_rowgemm_6x32_avx512.h"
#endif

#if defined(__AVX512F__)
#include "ukernels/f32_gemm_14x32_avx512.h"
#endif
#if defined(__AVX2__) && defined(__FMA__)
#if __has_include("ukernels/f32_gemm_6x16_avx2.h")
#include "ukernels/f32_gemm_6x16_avx2.h"
#define ALPHADROP_TEST_HAVE_AVX2_UKERNEL 1
#endif
#endif

namespace {

using alphadrop::ukernels::Epilogue;
using KernelFn = void (*)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int m, int n,
                          const Epilogue& e);

struct Kernel {
    const char* name;
    int mr;           // rows of the packed A sliver (a[k * mr + i])
    int nr;           // row stride of the packed B micro-panel (b[k * nr + j])
    int max_n;        // widest tile the kernel computes (nr, or less for a half kernel)
    KernelFn fn;
    bool (*supported)();  // run-time CPU check
    const char* requirement;
};

#if defined(__AVX512F__)
bool cpu_has_avx512() {
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
}
#endif
#if defined(__AVX2__) && defined(__FMA__)
bool cpu_has_avx2() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
#endif

std::vector<Kernel> kernels() {
    std::vector<Kernel> list;
#if defined(__AVX512F__)
    {
        namespace k = alphadrop::ukernels::avx512;
        list.push_back({"f32_gemm_14x32_avx512", k::kMR, k::kNR, 32, &k::f32_gemm_14x32_avx512, &cpu_has_avx512,
                        "avx512f+bw+vl+dq"});
        list.push_back({"f32_gemm_14x16_avx512", k::kMR, k::kNR, 16, &k::f32_gemm_14x16_avx512, &cpu_has_avx512,
                        "avx512f+bw+vl+dq"});
    }
#endif
#if defined(ALPHADROP_TEST_HAVE_AVX2_UKERNEL)
    // Expected: alphadrop::ukernels::avx2::f32_gemm_6x16_avx2, a[k * 6 + i], b[k * 16 + j].
    list.push_back({"f32_gemm_6x16_avx2", 6, 16, 16, &alphadrop::ukernels::avx2::f32_gemm_6x16_avx2, &cpu_has_avx2,
                    "avx2+fma"});
#endif
    return list;
}

int g_passed = 0;
int g_failed = 0;

void report(bool ok, const std::string& what) {
    if (ok) {
        ++g_passed;
    } else {
        ++g_failed;
        std::printf("FAIL %s\n", what.c_str());
    }
}

// 64-byte aligned float buffer.
struct Buffer {
    float* p = nullptr;
    explicit Buffer(size_t n) {
        p = static_cast<float*>(std::aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64));
    }
    ~Buffer() { std::free(p); }
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
};

bool same_bits(float x, float y) {
    uint32_t a, b;
    std::memcpy(&a, &x, 4);
    std::memcpy(&b, &y, 4);
    return a == b;
}

struct Case {
    int m, n;
    int64_t kc;
    bool bias, first, relu, nan;
};

// Runs one case; returns an empty string on success, else what went wrong.
std::string run_case(const Kernel& kern, const Case& t, std::mt19937& rng) {
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    const int mr = kern.mr, nr = kern.nr;
    const int64_t kc = t.kc;
    // Packed operands; rows of A past m and columns of B past n hold garbage that must not leak into C's
    // tile columns < n (B columns >= n do not reach it) -- B's padding is random, not zero, on purpose.
    Buffer a(static_cast<size_t>(kc * mr)), b(static_cast<size_t>(kc * nr));
    for (int64_t i = 0; i < kc * mr; ++i) a.p[i] = dist(rng);
    for (int64_t i = 0; i < kc * nr; ++i) b.p[i] = dist(rng);
    if (t.nan) {
        // One NaN in A's row 0 at k = 0: row 0 of C becomes NaN everywhere and must stay NaN through relu.
        a.p[0] = std::numeric_limits<float>::quiet_NaN();
    }
    // Bias: exactly n floats at the end of a page-free buffer region, followed by sentinels that would
    // show up if read (they are huge, so reading them would break the result).
    std::vector<float> bias_buf(static_cast<size_t>(t.n) + 16, 1e30f);
    for (int j = 0; j < t.n; ++j) bias_buf[j] = dist(rng);
    const float* bias = t.bias ? bias_buf.data() : nullptr;

    // C with a margin around the tile: ldc wider than the tile and extra rows, filled with sentinels.
    const int64_t ldc = t.n + 13;
    const int rows = t.m + 3;
    const int64_t col0 = 5, row0 = 1;
    std::vector<float> cbuf(static_cast<size_t>(rows * ldc + 64));
    const float sentinel = -12345.678f;
    for (auto& x : cbuf) x = sentinel;
    float* c = cbuf.data() + row0 * ldc + col0;
    std::vector<float> c0(static_cast<size_t>(t.m * t.n));
    for (int i = 0; i < t.m; ++i)
        for (int j = 0; j < t.n; ++j) {
            const float v = t.first ? sentinel : dist(rng);  // first: old C must be ignored
            c[i * ldc + j] = v;
            c0[i * t.n + j] = v;
        }

    Epilogue e;
    e.bias = bias;
    e.first = t.first;
    e.relu = t.relu;
    kern.fn(kc, a.p, b.p, c, ldc, t.m, t.n, e);

    char msg[256];
    for (int i = 0; i < t.m; ++i) {
        for (int j = 0; j < t.n; ++j) {
            double ref = 0.0, mag = 0.0;
            for (int64_t k = 0; k < kc; ++k) {
                const double x = static_cast<double>(a.p[k * mr + i]) * b.p[k * nr + j];
                ref += x;
                mag += std::fabs(x);
            }
            if (t.first) {
                if (bias != nullptr) {
                    ref += bias[j];
                    mag += std::fabs(bias[j]);
                }
            } else {
                ref += c0[i * t.n + j];
                mag += std::fabs(c0[i * t.n + j]);
            }
            const float got = c[i * ldc + j];
            if (std::isnan(ref)) {
                if (!std::isnan(got)) {
                    std::snprintf(msg, sizeof msg, "C[%d,%d] = %g, expected NaN", i, j, got);
                    return msg;
                }
                continue;
            }
            if (t.relu && ref < 0.0) ref = 0.0;
            const double tol = 1e-5 * mag + 1e-30;
            if (!(std::fabs(got - ref) <= tol)) {
                std::snprintf(msg, sizeof msg, "C[%d,%d] = %.9g, expected %.9g (tol %.3g)", i, j, got, ref, tol);
                return msg;
            }
            if (t.relu && got < 0.0f) {
                std::snprintf(msg, sizeof msg, "C[%d,%d] = %g negative after relu", i, j, got);
                return msg;
            }
        }
    }
    for (int64_t idx = 0; idx < static_cast<int64_t>(cbuf.size()); ++idx) {
        const int64_t r = idx / ldc - row0, col = idx % ldc - col0;
        const bool inside = r >= 0 && r < t.m && col >= 0 && col < t.n && idx < rows * ldc;
        if (!inside && !same_bits(cbuf[idx], sentinel)) {
            std::snprintf(msg, sizeof msg, "element outside the tile changed (row %lld, col %lld) to %g",
                          static_cast<long long>(r), static_cast<long long>(col), cbuf[idx]);
            return msg;
        }
    }
    return "";
}

void test_kernel(const Kernel& kern) {
    if (!kern.supported()) {
        std::printf("SKIP %s: this CPU lacks %s\n", kern.name, kern.requirement);
        return;
    }
    std::mt19937 rng(12345);
    const int ns[] = {1, 3, 8, 15, 16, 17, 31, 32};
    const int64_t kcs[] = {1, 7, 64, 257};
    int run = 0;
    for (int m = 1; m <= kern.mr; ++m) {
        for (int n : ns) {
            if (n > kern.max_n) continue;
            for (int64_t kc : kcs) {
                for (int flags = 0; flags < 8; ++flags) {
                    Case t{m, n, kc, (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0, false};
                    // bias only matters for first; still run bias + !first to check it is ignored.
                    const std::string err = run_case(kern, t, rng);
                    char what[160];
                    std::snprintf(what, sizeof what, "%s m=%d n=%d kc=%lld bias=%d first=%d relu=%d: ", kern.name, m,
                                  n, static_cast<long long>(kc), t.bias, t.first, t.relu);
                    report(err.empty(), what + err);
                    ++run;
                }
            }
        }
    }
    // NaN through relu, full and partial tiles, first and accumulate.
    const Case nan_cases[] = {
        {kern.mr, kern.max_n, 64, true, true, true, true},
        {kern.mr, kern.max_n, 64, false, false, true, true},
        {3, kern.max_n > 16 ? 17 : 5, 7, true, true, true, true},
    };
    for (const Case& t : nan_cases) {
        const std::string err = run_case(kern, t, rng);
        char what[160];
        std::snprintf(what, sizeof what, "%s NaN case m=%d n=%d first=%d: ", kern.name, t.m, t.n, t.first);
        report(err.empty(), what + err);
    }
}

// The small-network row GEMMs (dense_step): C[i, :] = init + sum_k A(i, k) B[k, :], A read through
// strides (plain and transposed), against a double reference; every output must not depend on the tile
// it falls in (each row equals the same row computed alone), and relu must keep NaN and -0.
using RowGemmFn = void (*)(int64_t m, int64_t n, int64_t depth, const float* a, int64_t a_rs, int64_t a_cs,
                           const float* b, int64_t ldb, const float* init, float* c, int64_t ldc, bool relu,
                           bool accumulate);

void test_rowgemm(const char* name, RowGemmFn fn) {
    std::mt19937 rng(777);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    const int64_t ms[] = {1, 5, 6, 7, 12, 13, 25};
    const int64_t ns[] = {8, 16, 24, 32, 40, 56};
    const int64_t depths[] = {1, 3, 13, 50, 320};
    for (int64_t m : ms) {
        for (int64_t n : ns) {
            for (int64_t depth : depths) {
                for (int flags = 0; flags < 8; ++flags) {
                    const bool transposed = (flags & 1) != 0, with_init = (flags & 2) != 0, relu = (flags & 4) != 0;
                    std::vector<float> a(static_cast<size_t>(m * depth)), b(static_cast<size_t>(depth * n)), init(static_cast<size_t>(n));
                    for (float& v : a) v = u(rng);
                    for (float& v : b) v = u(rng);
                    for (float& v : init) v = u(rng);
                    const int64_t a_rs = transposed ? 1 : depth, a_cs = transposed ? m : 1;
                    const int64_t ldc = n + 3;
                    std::vector<float> c(static_cast<size_t>(m * ldc), 12345.0f), row(static_cast<size_t>(ldc), 54321.0f);
                    fn(m, n, depth, a.data(), a_rs, a_cs, b.data(), n, with_init ? init.data() : nullptr, c.data(), ldc,
                       relu, false);
                    std::string err;
                    for (int64_t i = 0; i < m && err.empty(); ++i) {
                        fn(1, n, depth, a.data() + i * a_rs, a_rs, a_cs, b.data(), n, with_init ? init.data() : nullptr,
                           row.data(), ldc, relu, false);
                        for (int64_t j = 0; j < n && err.empty(); ++j) {
                            double ref = with_init ? double(init[size_t(j)]) : 0.0;
                            double mag = std::fabs(ref);
                            for (int64_t k = 0; k < depth; ++k) {
                                const double t = double(a[size_t(i * a_rs + k * a_cs)]) * double(b[size_t(k * n + j)]);
                                ref += t;
                                mag += std::fabs(t);
                            }
                            if (relu && ref < 0.0) ref = 0.0;
                            const float got = c[size_t(i * ldc + j)];
                            if (!(std::fabs(double(got) - ref) <= 1e-5 * mag + 1e-30)) {
                                err = "C[" + std::to_string(i) + "," + std::to_string(j) + "] = " + std::to_string(got) +
                                      ", reference " + std::to_string(ref);
                            } else if (!same_bits(got, row[size_t(j)])) {
                                err = "row " + std::to_string(i) + " differs when computed alone";
                            }
                        }
                        if (err.empty() && c[size_t(i * ldc + n)] != 12345.0f) err = "wrote past n in row " + std::to_string(i);
                    }
                    if (err.empty() && !relu && depth > 1) {
                        // accumulate: the sum over k split at depth / 3 into two calls gives one call's bits
                        const int64_t d1 = depth / 3;
                        std::vector<float> split(static_cast<size_t>(m * ldc), 777.0f);
                        fn(m, n, d1, a.data(), a_rs, a_cs, b.data(), n, with_init ? init.data() : nullptr, split.data(),
                           ldc, false, false);
                        fn(m, n, depth - d1, a.data() + d1 * a_cs, a_rs, a_cs, b.data() + d1 * n, n, nullptr, split.data(),
                           ldc, false, true);
                        for (int64_t i = 0; i < m && err.empty(); ++i) {
                            for (int64_t j = 0; j < n && err.empty(); ++j) {
                                if (!same_bits(split[size_t(i * ldc + j)], c[size_t(i * ldc + j)])) {
                                    err = "C[" + std::to_string(i) + "," + std::to_string(j) + "] accumulated in two calls differs";
                                }
                            }
                        }
                    }
                    char what[160];
                    std::snprintf(what, sizeof what, "%s m=%lld n=%lld depth=%lld transposed=%d init=%d relu=%d: ", name,
                                  static_cast<long long>(m), static_cast<long long>(n), static_cast<long long>(depth),
                                  transposed, with_init, relu);
                    report(err.empty(), what + err);
                }
            }
        }
    }
    // relu keeps NaN, and keeps -0 (x < 0 is false for both)
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::vector<float> a = {1.0f}, b(16, 0.0f), init(16, 0.0f), c(16);
    b[0] = nan;
    init[1] = -0.0f;
    b[1] = -0.0f;  // -0 + 1 * -0 = -0
    fn(1, 16, 1, a.data(), 1, 1, b.data(), 16, init.data(), c.data(), 16, true, false);
    report(std::isnan(c[0]) && same_bits(c[1], -0.0f) && c[2] == 0.0f, std::string(name) + " relu of NaN and -0");
}

// The alpha loss's expm1 for x <= 0 against libm's, over the range the sample weights use: within 4 ulp
// (relative), exactly 0 at 0, exactly -1 far below, NaN kept. Built for each ISA (the polynomial is
// compiled per level).
void test_expm1_nonpositive() {
    using alphadrop::numeric::expm1_nonpositive;
    std::mt19937_64 rng(99);
    std::uniform_real_distribution<double> wide(-50.0, 0.0);
    std::uniform_real_distribution<double> exponent(-60.0, 2.0);
    double worst = 0.0, worst_x = 0.0;
    for (int i = 0; i < 200000; ++i) {
        // half spread evenly over [-50, 0], half log-spread down to -1e-18 (tiny deltas of nearly equal samples)
        const double x = i % 2 == 0 ? wide(rng) : -std::pow(10.0, exponent(rng) / 3.0);
        const double want = std::expm1(x), got = expm1_nonpositive(x);
        const double ulp = std::nextafter(std::fabs(want), 2.0) - std::fabs(want);
        const double err = std::fabs(got - want) / ulp;
        if (err > worst) {
            worst = err;
            worst_x = x;
        }
    }
    report(worst <= 4.0, "expm1_nonpositive within 4 ulp of std::expm1 (worst " + std::to_string(worst) + " ulp at x = " +
                             std::to_string(worst_x) + ")");
    report(expm1_nonpositive(0.0) == 0.0, "expm1_nonpositive(0) == 0");
    report(expm1_nonpositive(-46.0) == -1.0 && expm1_nonpositive(-1e300) == -1.0 &&
               expm1_nonpositive(-std::numeric_limits<double>::infinity()) == -1.0,
           "expm1_nonpositive is -1 far below 0 and at -inf");
    report(std::isnan(expm1_nonpositive(std::numeric_limits<double>::quiet_NaN())), "expm1_nonpositive(NaN) is NaN");
}

// Two row GEMMs that promise the same bits (one FMA chain per output in k order, whatever the width).
[[maybe_unused]] void test_rowgemm_same_bits(const char* name, RowGemmFn fn, const char* other_name, RowGemmFn other) {
    std::mt19937 rng(4242);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (int64_t m : {1, 2, 7, 14, 25}) {
        for (int64_t n : {8, 16, 24, 32, 40, 48, 56, 104}) {
            for (int64_t depth : {1, 13, 320}) {
                for (int flags = 0; flags < 8; ++flags) {
                    const bool with_init = (flags & 1) != 0, relu = (flags & 2) != 0, accumulate = (flags & 4) != 0;
                    std::vector<float> a(static_cast<size_t>(m * depth)), b(static_cast<size_t>(depth * n));
                    std::vector<float> init(static_cast<size_t>(n)), start(static_cast<size_t>(m * n));
                    for (float& v : a) v = u(rng);
                    for (float& v : b) v = u(rng);
                    for (float& v : init) v = u(rng);
                    for (float& v : start) v = u(rng);
                    std::vector<float> c = start, d = start;
                    const float* in = with_init && !accumulate ? init.data() : nullptr;
                    fn(m, n, depth, a.data(), 1, m, b.data(), n, in, c.data(), n, relu, accumulate);
                    other(m, n, depth, a.data(), 1, m, b.data(), n, in, d.data(), n, relu, accumulate);
                    bool same = true;
                    for (size_t i = 0; i < c.size(); ++i) same = same && same_bits(c[i], d[i]);
                    char what[220];
                    std::snprintf(what, sizeof what,
                                  "%s equals %s to the bit, m=%lld n=%lld depth=%lld init=%d relu=%d accumulate=%d", name,
                                  other_name, static_cast<long long>(m), static_cast<long long>(n),
                                  static_cast<long long>(depth), with_init, relu, accumulate);
                    report(same, what);
                }
            }
        }
    }
}

void test_probes() {
    using namespace alphadrop::probe;
    {
        const double g = fma_peak_gflops_baseline(0.05);
        report(g > 0.0 && std::isfinite(g), "fma_peak_gflops_baseline returned " + std::to_string(g));
    }
#if defined(__AVX2__) && defined(__FMA__)
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        const double g = fma_peak_gflops_avx2(0.05);
        report(g > 0.0 && std::isfinite(g), "fma_peak_gflops_avx2 returned " + std::to_string(g));
    } else {
        std::printf("SKIP fma_peak_gflops_avx2: this CPU lacks avx2+fma\n");
    }
#endif
#if defined(__AVX512F__)
    if (__builtin_cpu_supports("avx512f")) {
        const double g = fma_peak_gflops_avx512(0.05);
        report(g > 0.0 && std::isfinite(g), "fma_peak_gflops_avx512 returned " + std::to_string(g));
    } else {
        std::printf("SKIP fma_peak_gflops_avx512: this CPU lacks avx512f\n");
    }
#endif
}

}  // namespace

int main() {
    const std::vector<Kernel> list = kernels();
    if (list.empty()) std::printf("SKIP micro-kernels: none compiled in (build with AVX-512 / AVX2+FMA flags)\n");
    for (const Kernel& k : list) test_kernel(k);
    test_rowgemm("f32_rowgemm_portable", &alphadrop::ukernels::portable::f32_rowgemm_portable);
#if defined(__AVX2__) && defined(__FMA__)
    if (cpu_has_avx2()) {
        test_rowgemm("f32_rowgemm_6x16_avx2", &alphadrop::ukernels::avx2::f32_rowgemm_6x16_avx2);
    } else {
        std::printf("SKIP f32_rowgemm_6x16_avx2: this CPU lacks avx2+fma\n");
    }
#endif
#if defined(__AVX512F__)
    if (__builtin_cpu_supports("avx512f")) {
        test_rowgemm("f32_rowgemm_6x32_avx512", &alphadrop::ukernels::avx512::f32_rowgemm_6x32_avx512);
        test_rowgemm_same_bits("f32_rowgemm_6x32_avx512", &alphadrop::ukernels::avx512::f32_rowgemm_6x32_avx512,
                               "f32_rowgemm_6x16_avx2", &alphadrop::ukernels::avx2::f32_rowgemm_6x16_avx2);
    } else {
        std::printf("SKIP f32_rowgemm_6x32_avx512: this CPU lacks avx512f\n");
    }
#endif
    test_expm1_nonpositive();
    test_probes();
    std::printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}
