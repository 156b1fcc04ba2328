// Every public kernel through the public API (alphadrop/kernels.h), on every ISA level this CPU has and
// every sparse mode, at edge sizes: widths around the vector and tile widths (1, 3, 7, 8, 9, 17, 33, 129),
// one and several datapoints and samples, shared and per-sample inputs, p = 0 and two drop rates, each
// activation. Buffers are exactly as long as the contract says, so under AddressSanitizer (cmake
// -DALPHADROP_SANITIZE=ON) any write or read past a matrix fails the run; UndefinedBehaviorSanitizer
// checks the arithmetic. Every result is also compared with the baseline level's dense path.
#include <cmath>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <utility>
#include <vector>

#include "alphadrop/kernels.h"

namespace {

int failures = 0;

void expect_close(const std::vector<float>& want, const std::vector<float>& got, const char* what, int isa,
                  int mode, int in, int out) {
    for (size_t i = 0; i < want.size(); ++i) {
        const float tol = 1e-4f * (1.0f + std::fabs(want[i]));
        if (!(std::fabs(want[i] - got[i]) <= tol)) {
            if (failures++ < 20) {
                std::fprintf(stderr, "%s: isa %d mode %d in %d out %d: [%zu] = %g, baseline dense %g\n", what, isa,
                             mode, in, out, i, got[i], want[i]);
            }
            return;
        }
    }
}

std::vector<float> random(size_t n, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> v(n);
    for (auto& x : v) x = normal(rng);
    return v;
}

struct Outputs {
    std::vector<float> mask, z, dz, dw, db, da;
};

Outputs run(alphadrop::Engine* e, int batch, int samples, bool shared, int in, int out, float p, int noise, int act,
            const std::vector<float>& a, const std::vector<float>& w, const std::vector<float>& bias,
            const std::vector<float>& dz0) {
    const int rows = batch * samples;
    Outputs o;
    o.mask.assign(static_cast<size_t>(rows) * in, 0.0f);
    alphadrop::dropout_mask(e, 77, 3, 1, p, noise, 5, rows, in, o.mask.data());
    o.z.assign(static_cast<size_t>(rows) * out, 0.0f);
    alphadrop::dropout_matmul_forward(e, 77, 3, 1, p, noise, batch, samples, shared, in, out, a.data(), w.data(),
                                      bias.data(), act, o.z.data());
    o.dz = dz0;
    o.dw.assign(static_cast<size_t>(in) * out, 0.0f);
    o.db.assign(out, 0.0f);
    o.da.assign(a.size(), 0.0f);
    alphadrop::dropout_matmul_backward(e, 77, 3, 1, p, noise, batch, samples, shared, in, out, a.data(), w.data(),
                                       o.z.data(), act, o.dz.data(), o.dw.data(), o.db.data(), o.da.data());
    return o;
}

}  // namespace

int main() {
    const int best = alphadrop::cpu_best_isa();
    if (best < 0) {
        std::fprintf(stderr, "engine_edge_test: this CPU lacks even the baseline ISA\n");
        return 77;
    }
    std::vector<alphadrop::Engine*> engines;
    for (int isa = 0; isa <= best; ++isa) engines.push_back(alphadrop::engine_create(2, isa));

    std::mt19937 rng(2017);
    long calls = 0;
    for (int batch : {1, 3}) {
        for (int samples : {1, 5}) {
            for (bool shared : {true, false}) {
                for (int in : {1, 3, 7, 8, 9, 17, 33, 129}) {
                    for (int out : {1, 2, 7, 16, 17, 33}) {
                        const int rows = batch * samples;
                        auto a = random(static_cast<size_t>(shared ? batch : rows) * in, rng);
                        auto w = random(static_cast<size_t>(in) * out, rng);
                        auto bias = random(out, rng);
                        auto dz0 = random(static_cast<size_t>(rows) * out, rng);
                        // (p, noise): none, Bernoulli with 1-bit and 16-bit draws, Gaussian.
                        for (const auto& [p, noise] : {std::pair{0.0f, 0}, std::pair{0.5f, 0}, std::pair{0.3f, 0},
                                                       std::pair{0.3f, 1}}) {
                            for (int act : {alphadrop::ACT_IDENTITY, alphadrop::ACT_RELU, alphadrop::ACT_TANH}) {
                                alphadrop::engine_set_sparse_mode(engines[0], 1);
                                const Outputs want = run(engines[0], batch, samples, shared, in, out, p, noise, act, a, w,
                                                         bias, dz0);
                                for (int isa = 0; isa <= best; ++isa) {
                                    for (int mode : {0, 1, 2}) {
                                        alphadrop::engine_set_sparse_mode(engines[isa], mode);
                                        const Outputs got = run(engines[isa], batch, samples, shared, in, out, p, noise, act,
                                                                a, w, bias, dz0);
                                        calls += 3;
                                        expect_close(want.mask, got.mask, "mask", isa, mode, in, out);
                                        expect_close(want.z, got.z, "z", isa, mode, in, out);
                                        expect_close(want.dz, got.dz, "dz", isa, mode, in, out);
                                        expect_close(want.dw, got.dw, "dw", isa, mode, in, out);
                                        expect_close(want.db, got.db, "db", isa, mode, in, out);
                                        expect_close(want.da, got.da, "da", isa, mode, in, out);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    // The losses, at class and sample counts around the vector widths.
    for (int isa = 0; isa <= best; ++isa) {
        for (int batch : {1, 4}) {
            for (int samples : {1, 3, 17}) {
                for (int classes : {1, 2, 9, 17}) {
                    const int rows = batch * samples;
                    auto logits = random(static_cast<size_t>(rows) * classes, rng);
                    std::vector<int> labels(batch);
                    for (int n = 0; n < batch; ++n) labels[n] = n % classes;
                    std::vector<float> loss(batch), grad(logits.size());
                    for (float alpha : {0.0f, 0.5f, 1.0f}) {
                        const double l = alphadrop::alpha_loss_categorical(engines[isa], batch, samples, classes,
                                                                           logits.data(), labels.data(), alpha,
                                                                           loss.data(), grad.data());
                        std::vector<float> y = random(static_cast<size_t>(batch) * classes, rng), df(logits.size());
                        float dtau = 0.0f;
                        const double g = alphadrop::alpha_loss_gaussian(engines[isa], batch, samples, classes,
                                                                        logits.data(), y.data(), 0.3f, alpha,
                                                                        loss.data(), df.data(), &dtau);
                        calls += 2;
                        if (!std::isfinite(l) || !std::isfinite(g) || !std::isfinite(dtau)) {
                            if (failures++ < 20) std::fprintf(stderr, "loss not finite: isa %d\n", isa);
                        }
                    }
                }
            }
        }
    }
    // The convolution: 1x1 to 5x5 kernels, one to 33 channels and filters, valid, same and asymmetric
    // padding, one image and enough images for several runs and dw blocks.
    struct Conv { int h, w, c, kh, kw, f, pt, pl, oh, ow; };
    for (const Conv& cv : {Conv{1, 1, 1, 1, 1, 1, 0, 0, 1, 1}, Conv{5, 4, 3, 3, 3, 7, 1, 1, 5, 4},
                           Conv{7, 6, 2, 5, 5, 17, 2, 2, 7, 6}, Conv{9, 9, 1, 5, 5, 2, 0, 0, 5, 5},
                           Conv{6, 6, 33, 4, 4, 3, 1, 2, 5, 6}, Conv{28, 28, 1, 3, 3, 32, 0, 0, 26, 26}}) {
        for (int images : {1, 5, 40}) {
            const size_t nx = size_t(images) * cv.h * cv.w * cv.c, nw = size_t(cv.kh) * cv.kw * cv.c * cv.f;
            const size_t nz = size_t(images) * cv.oh * cv.ow * cv.f;
            auto x = random(nx, rng), w = random(nw, rng), bias = random(cv.f, rng), g = random(nz, rng);
            for (int act : {alphadrop::ACT_IDENTITY, alphadrop::ACT_RELU, alphadrop::ACT_TANH}) {
                std::vector<float> want_z, want_dw, want_dx;
                for (int isa = 0; isa <= best; ++isa) {
                    std::vector<float> z(nz), dz = g, dw(nw), db(cv.f), dx(nx);
                    alphadrop::conv2d_forward(engines[isa], images, cv.h, cv.w, cv.c, cv.kh, cv.kw, cv.f, cv.pt, cv.pl,
                                              cv.oh, cv.ow, x.data(), w.data(), bias.data(), act, z.data());
                    alphadrop::conv2d_backward(engines[isa], images, cv.h, cv.w, cv.c, cv.kh, cv.kw, cv.f, cv.pt,
                                               cv.pl, cv.oh, cv.ow, x.data(), w.data(), z.data(), act, dz.data(),
                                               dw.data(), db.data(), dx.data());
                    calls += 2;
                    if (isa == 0) {
                        want_z = z;
                        want_dw = dw;
                        want_dx = dx;
                    } else {
                        expect_close(want_z, z, "conv z", isa, act, cv.c, cv.f);
                        expect_close(want_dw, dw, "conv dw", isa, act, cv.c, cv.f);
                        expect_close(want_dx, dx, "conv dx", isa, act, cv.c, cv.f);
                    }
                }
            }
        }
    }
    // Max pooling: windows of 1 to 3, sizes that leave a remainder, one and 33 channels.
    for (int size : {1, 2, 3}) {
        for (int h : {3, 7}) {
            for (int c : {1, 33}) {
                const int images = 3, w = h + 1, oh = h / size, ow = w / size;
                const size_t nx = size_t(images) * h * w * c, ny = size_t(images) * oh * ow * c;
                auto x = random(nx, rng), dy = random(ny, rng);
                std::vector<float> want_y, want_dx;
                for (int isa = 0; isa <= best; ++isa) {
                    std::vector<float> y(ny), dx(nx);
                    alphadrop::maxpool2d_forward(engines[isa], images, h, w, c, size, x.data(), y.data());
                    alphadrop::maxpool2d_backward(engines[isa], images, h, w, c, size, x.data(), dy.data(), dx.data());
                    calls += 2;
                    if (isa == 0) {
                        want_y = y;
                        want_dx = dx;
                    } else {
                        expect_close(want_y, y, "pool y", isa, size, h, c);
                        expect_close(want_dx, dx, "pool dx", isa, size, h, c);
                    }
                }
            }
        }
    }
    // The fused dense step: widths around the 8-column padding and the 16-column tiles, one-output layers,
    // one and two hidden layers, both likelihoods, exact-size parameter, gradient and input buffers.
    struct Net { std::vector<int> sizes; std::vector<float> p; std::vector<int> acts; };
    const std::vector<Net> nets = {
        {{13, 50, 1}, {0.05f, 0.05f}, {alphadrop::ACT_RELU, alphadrop::ACT_IDENTITY}},
        {{1, 1}, {0.0f}, {alphadrop::ACT_IDENTITY}},
        {{7, 9, 17, 3}, {0.5f, 0.0f, 0.25f}, {alphadrop::ACT_TANH, alphadrop::ACT_RELU, alphadrop::ACT_IDENTITY}},
        {{33, 8, 1}, {0.3f, 0.1f}, {alphadrop::ACT_RELU, alphadrop::ACT_IDENTITY}},
    };
    for (const Net& net : nets) {
        const int layers = int(net.sizes.size()) - 1;
        size_t count = 0;
        for (int l = 0; l < layers; ++l) count += size_t(net.sizes[l]) * net.sizes[l + 1] + net.sizes[l + 1];
        for (int batch : {1, 5}) {
            for (int samples : {1, 3}) {
                for (int noise : {0, 1, 3}) {  // Bernoulli, Gaussian, concrete
                    // concrete: (exp(-logit / 0.1), 1 / (1 - p), p) per layer, logits -2, -1, -2, ...
                    std::vector<double> concrete;
                    for (int l = 0; l < layers; ++l) {
                        const double logit = l % 2 == 0 ? -2.0 : -1.0, p = 1.0 / (1.0 + std::exp(-logit));
                        concrete.insert(concrete.end(), {std::exp(-logit / 0.1), 1.0 / (1.0 - p), p});
                    }
                    std::vector<float> dlogits(static_cast<size_t>(layers));
                    for (bool categorical : {false, true}) {
                        const int out = net.sizes[size_t(layers)];
                        if (categorical && out < 2) continue;
                        auto params = random(count, rng), x = random(size_t(batch) * net.sizes[0], rng);
                        auto y = random(size_t(batch) * out, rng);
                        std::vector<int> labels(static_cast<size_t>(batch));
                        for (int n = 0; n < batch; ++n) labels[size_t(n)] = n % out;
                        std::vector<float> want;
                        for (int isa = 0; isa <= best; ++isa) {
                            std::vector<float> grads(count);
                            float dtau = 0.0f;
                            const double loss = alphadrop::dense_step(
                                engines[isa], 99, 4, noise, layers, net.sizes.data(), net.p.data(), net.acts.data(),
                                params.data(), batch, samples, x.data(), categorical ? labels.data() : nullptr,
                                categorical ? nullptr : y.data(), 0.2f, 0.5f, grads.data(), categorical ? nullptr : &dtau,
                                noise == 3 ? concrete.data() : nullptr, noise == 3 ? dlogits.data() : nullptr);
                            ++calls;
                            if (!std::isfinite(loss) && failures++ < 20) std::fprintf(stderr, "dense_step loss: isa %d\n", isa);
                            if (noise == 3) grads.insert(grads.end(), dlogits.begin(), dlogits.end());
                            if (isa == 0) {
                                want = grads;
                            } else {
                                expect_close(want, grads, "dense_step grads", isa, noise, net.sizes[0], out);
                            }
                        }
                    }
                }
            }
        }
    }
    // Concrete dropout's masks: widths around the 64-column Philox batches, exact-size buffers, infinite
    // logit_factor (every value 1) and a rate near 1; every ISA equals the baseline to the bit.
    for (int cols : {1, 4, 5, 63, 64, 65, 129}) {
        for (int rows : {1, 9}) {
            for (const auto& [factor, scale] : {std::pair{1e10, 1.1}, std::pair{HUGE_VAL, 1.0}, std::pair{0.5, 1e12}}) {
                std::vector<float> want;
                for (int isa = 0; isa <= best; ++isa) {
                    std::vector<float> m(size_t(rows) * cols);
                    alphadrop::concrete_mask(engines[isa], -3, 2, 1, factor, scale, 11, rows, cols, m.data());
                    ++calls;
                    if (isa == 0) {
                        want = m;
                    } else if (std::memcmp(want.data(), m.data(), m.size() * sizeof(float)) != 0 && failures++ < 20) {
                        std::fprintf(stderr, "concrete_mask differs: isa %d cols %d\n", isa, cols);
                    }
                }
            }
        }
    }
    // Subnormals are flushed inside the kernels, on the calling thread and on the workers, and the
    // caller's floating-point state is restored: a product of 1 and 2^-140 comes out 0 (and 2^-100 stays),
    // and after the call the caller still computes subnormals.
    for (int isa = 0; isa <= best; ++isa) {
        for (int batch : {1, 64}) {  // 64 x 512 x 64: enough work for the 2-thread engine to use its worker
            const int in = 512, out = 64;
            std::vector<float> a(static_cast<size_t>(batch) * in, 1.0f), w(static_cast<size_t>(in) * out, 0.0f),
                z(static_cast<size_t>(batch) * out, -1.0f);
            for (int j = 0; j < out; ++j) w[static_cast<size_t>(j)] = j % 2 == 0 ? std::ldexp(1.0f, -140) : std::ldexp(1.0f, -100);
            volatile float tiny = std::ldexp(1.0f, -120), half = 0.5f;
            const float before = tiny * half;
            alphadrop::dropout_matmul_forward(engines[isa], 1, 0, 0, 0.0f, 0, batch, 1, false, in, out, a.data(), w.data(),
                                              nullptr, alphadrop::ACT_IDENTITY, z.data());
            calls += 1;
            const float after = tiny * half;
            bool ok = before != 0.0f && after == before;
            for (int r = 0; r < batch; ++r) {
                for (int j = 0; j < out; ++j) {
                    const float v = z[static_cast<size_t>(r) * out + j];
                    ok = ok && (j % 2 == 0 ? v == 0.0f : v == std::ldexp(1.0f, -100));
                }
            }
            if (!ok && failures++ < 20) {
                std::fprintf(stderr, "subnormals: isa %d batch %d: z[0] = %g, z[1] = %g, caller before %g after %g\n", isa,
                             batch, z[0], z[1], before, after);
            }
        }
    }

    for (auto* e : engines) alphadrop::engine_destroy(e);

    std::printf("engine_edge_test: %ld kernel calls on %d ISA level(s), %d mismatches\n", calls, best + 1, failures);
    return failures == 0 ? 0 : 1;
}
