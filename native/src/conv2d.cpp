// 2-D convolution, stride 1, NHWC, bias and activation fused: forward and backward.
//
// Each task takes a fixed run of images, writes their patch matrix (im2col) into thread-local scratch
// that stays in cache, and multiplies it by the weights with one single-threaded sgemm; no patch matrix
// of the whole batch is ever built. Task boundaries depend only on the shape, and dw and db are summed
// over fixed blocks of images and then over the blocks in order, so results are bit-identical for any
// thread count.
#include <algorithm>
#include <cstring>
#include <string>

#include "activation.h"
#include "common.h"
#include "isa_kernels.h"
#include "openblas.h"
#include "thread_pool.h"

ALPHADROP_ISA_BEGIN
namespace kernels {

namespace {

using detail::scratch;

struct ConvShape {
    int64_t images, H, W, C, kh, kw, F, pad_top, pad_left, OH, OW;
    int64_t taps() const { return kh * kw * C; }
    int64_t patches() const { return OH * OW; }  // per image
    int64_t in_size() const { return H * W * C; }
    int64_t out_size() const { return OH * OW * F; }
};

ConvShape check_shape(const char* fn, int images, int height, int width, int channels, int kernel_h, int kernel_w,
                      int filters, int pad_top, int pad_left, int out_h, int out_w) {
    detail::require_positive(images, fn, "images");
    detail::require_positive(height, fn, "height");
    detail::require_positive(width, fn, "width");
    detail::require_positive(channels, fn, "channels");
    detail::require_positive(kernel_h, fn, "kernel_h");
    detail::require_positive(kernel_w, fn, "kernel_w");
    detail::require_positive(filters, fn, "filters");
    detail::require_positive(out_h, fn, "out_h");
    detail::require_positive(out_w, fn, "out_w");
    if (pad_top < 0 || pad_top >= kernel_h || pad_left < 0 || pad_left >= kernel_w) {
        detail::fail(fn, "padding must be in [0, kernel): got top " + std::to_string(pad_top) + ", left " +
                             std::to_string(pad_left));
    }
    // Every output position's window must overlap the input (the bottom/right padding is what is left).
    if (out_h - 1 - pad_top >= height || out_w - 1 - pad_left >= width || out_h + kernel_h - 1 - pad_top < height ||
        out_w + kernel_w - 1 - pad_left < width) {
        detail::fail(fn, "output " + std::to_string(out_h) + "x" + std::to_string(out_w) + " does not match input " +
                             std::to_string(height) + "x" + std::to_string(width) + " with that kernel and padding");
    }
    ConvShape s{images, height, width, channels, kernel_h, kernel_w, filters, pad_top, pad_left, out_h, out_w};
    detail::require_int_range(s.images * s.in_size(), fn, "images * height * width * channels");
    detail::require_int_range(s.images * s.out_size(), fn, "images * out_h * out_w * filters");
    detail::require_int_range(s.taps() * s.F, fn, "kernel_h * kernel_w * channels * filters");
    return s;
}

// Images per task: about 1024 patch rows, so the patch matrix of a task (1024 x taps floats) stays in L2.
int64_t chunk_images(const ConvShape& s) {
    return detail::clamp64(detail::ceil_div(1024, s.patches()), 1, s.images);
}

// The dw partial sums: at most this many blocks of consecutive chunks, each summed by one task.
constexpr int64_t kDwBlocks = 16;

// cols (patches of images [n0, n0 + count) x taps) from x.
void im2col(const ConvShape& s, const float* x, int64_t n0, int64_t count, float* cols) {
    const int64_t taps = s.taps(), C = s.C;
    for (int64_t n = 0; n < count; n++) {
        const float* img = x + (n0 + n) * s.in_size();
        for (int64_t oy = 0; oy < s.OH; oy++) {
            for (int64_t ox = 0; ox < s.OW; ox++) {
                float* dst = cols + ((n * s.OH + oy) * s.OW + ox) * taps;
                for (int64_t dy = 0; dy < s.kh; dy++) {
                    const int64_t iy = oy + dy - s.pad_top;
                    float* row = dst + dy * s.kw * C;
                    if (iy < 0 || iy >= s.H) {
                        std::memset(row, 0, size_t(s.kw * C) * sizeof(float));
                        continue;
                    }
                    const int64_t x0 = ox - s.pad_left;
                    // The kernel row's in-bounds columns are contiguous in NHWC: one copy.
                    const int64_t lo = std::max<int64_t>(0, -x0), hi = std::min<int64_t>(s.kw, s.W - x0);
                    if (lo > 0) std::memset(row, 0, size_t(lo * C) * sizeof(float));
                    if (hi > lo) {
                        std::memcpy(row + lo * C, img + (iy * s.W + x0 + lo) * C, size_t((hi - lo) * C) * sizeof(float));
                    }
                    if (hi < s.kw) {
                        const int64_t from = std::max(hi, lo);
                        std::memset(row + from * C, 0, size_t((s.kw - from) * C) * sizeof(float));
                    }
                }
            }
        }
    }
}

// dx of images [n0, n0 + count) = the scatter-add of their patch gradients (the adjoint of im2col).
void col2im(const ConvShape& s, const float* dcols, int64_t n0, int64_t count, float* dx) {
    const int64_t taps = s.taps(), C = s.C;
    std::memset(dx + n0 * s.in_size(), 0, size_t(count * s.in_size()) * sizeof(float));
    for (int64_t n = 0; n < count; n++) {
        float* img = dx + (n0 + n) * s.in_size();
        for (int64_t oy = 0; oy < s.OH; oy++) {
            for (int64_t ox = 0; ox < s.OW; ox++) {
                const float* src = dcols + ((n * s.OH + oy) * s.OW + ox) * taps;
                for (int64_t dy = 0; dy < s.kh; dy++) {
                    const int64_t iy = oy + dy - s.pad_top;
                    if (iy < 0 || iy >= s.H) continue;
                    const int64_t x0 = ox - s.pad_left;
                    const int64_t lo = std::max<int64_t>(0, -x0), hi = std::min<int64_t>(s.kw, s.W - x0);
                    if (hi <= lo) continue;
                    float* __restrict to = img + (iy * s.W + x0 + lo) * C;
                    const float* __restrict from = src + (dy * s.kw + lo) * C;
                    const int64_t len = (hi - lo) * C;
                    for (int64_t i = 0; i < len; i++) to[i] += from[i];
                }
            }
        }
    }
}

void apply_activation(float* __restrict z, int64_t n, int activation) {
    if (activation == ACT_RELU) {
        for (int64_t i = 0; i < n; i++) z[i] = z[i] < 0.0f ? 0.0f : z[i];  // NaN propagates
    } else if (activation == ACT_TANH) {
        for (int64_t i = 0; i < n; i++) z[i] = tanh_float(z[i]);
    }
}

// Below this many taps per output (kh * kw * C) a patch row is too short for a matrix product to pay for
// writing it out: the first layer of an image network (3x3x1 = 9 taps) is computed directly instead,
// each output's filters accumulated in one contiguous, vectorised run.
constexpr int64_t kDirectMaxTaps = 32;

bool direct(const ConvShape& s) { return s.taps() <= kDirectMaxTaps; }

// Calls tap(iy, ix, t0) for every in-bounds window position of output (oy, ox), t0 = its first weight row.
template <class Tap>
inline void for_each_tap(const ConvShape& s, int64_t oy, int64_t ox, Tap tap) {
    for (int64_t dy = 0; dy < s.kh; dy++) {
        const int64_t iy = oy + dy - s.pad_top;
        if (iy < 0 || iy >= s.H) continue;
        for (int64_t dx = 0; dx < s.kw; dx++) {
            const int64_t ix = ox + dx - s.pad_left;
            if (ix < 0 || ix >= s.W) continue;
            tap(iy, ix, (dy * s.kw + dx) * s.C);
        }
    }
}

void direct_forward(const ConvShape& s, const float* x, const float* w, const float* bias, int64_t n0, int64_t count,
                    float* z) {
    const int64_t F = s.F, C = s.C;
    for (int64_t n = n0; n < n0 + count; n++) {
        const float* img = x + n * s.in_size();
        for (int64_t oy = 0; oy < s.OH; oy++) {
            for (int64_t ox = 0; ox < s.OW; ox++) {
                float* __restrict acc = z + ((n * s.OH + oy) * s.OW + ox) * F;
                for (int64_t f = 0; f < F; f++) acc[f] = bias != nullptr ? bias[f] : 0.0f;
                for_each_tap(s, oy, ox, [&](int64_t iy, int64_t ix, int64_t t0) {
                    const float* px = img + (iy * s.W + ix) * C;
                    for (int64_t c = 0; c < C; c++) {
                        const float v = px[c];
                        const float* __restrict wr = w + (t0 + c) * F;
                        for (int64_t f = 0; f < F; f++) acc[f] += v * wr[f];
                    }
                });
            }
        }
    }
}

// dw (taps x F, accumulated), db (accumulated) and, if dx is given, dx of images [n0, n0 + count).
void direct_backward(const ConvShape& s, const float* x, const float* w, const float* dz, int64_t n0, int64_t count,
                     float* dw, float* db, float* dx) {
    const int64_t F = s.F, C = s.C;
    if (dx != nullptr) std::memset(dx + n0 * s.in_size(), 0, size_t(count * s.in_size()) * sizeof(float));
    for (int64_t n = n0; n < n0 + count; n++) {
        const float* img = x + n * s.in_size();
        float* dimg = dx != nullptr ? dx + n * s.in_size() : nullptr;
        for (int64_t oy = 0; oy < s.OH; oy++) {
            for (int64_t ox = 0; ox < s.OW; ox++) {
                const float* __restrict g = dz + ((n * s.OH + oy) * s.OW + ox) * F;
                for (int64_t f = 0; f < F; f++) db[f] += g[f];
                for_each_tap(s, oy, ox, [&](int64_t iy, int64_t ix, int64_t t0) {
                    const float* px = img + (iy * s.W + ix) * C;
                    for (int64_t c = 0; c < C; c++) {
                        const float v = px[c];
                        float* __restrict dwr = dw + (t0 + c) * F;
                        for (int64_t f = 0; f < F; f++) dwr[f] += v * g[f];
                        if (dimg != nullptr) {
                            const float* __restrict wr = w + (t0 + c) * F;
                            float sum = 0.0f;
                            for (int64_t f = 0; f < F; f++) sum += wr[f] * g[f];
                            dimg[(iy * s.W + ix) * C + c] += sum;
                        }
                    }
                });
            }
        }
    }
}

}  // namespace

void conv2d_forward(ThreadPool& pool, int images, int height, int width, int channels, int kernel_h, int kernel_w,
                    int filters, int pad_top, int pad_left, int out_h, int out_w, const float* x, const float* w,
                    const float* bias, int activation, float* z) {
    static const char* const fn = "conv2d_forward";
    const ConvShape s = check_shape(fn, images, height, width, channels, kernel_h, kernel_w, filters, pad_top, pad_left,
                                    out_h, out_w);
    detail::require_ptr(x, fn, "x");
    detail::require_ptr(w, fn, "w");
    detail::require_ptr(z, fn, "z");
    detail::require_activation(activation, fn);
    const int64_t chunk = chunk_images(s), tasks = detail::ceil_div(s.images, chunk), taps = s.taps();
    pool.parallel_for(
        tasks,
        [&](int64_t begin, int64_t end, int) {
            for (int64_t t = begin; t < end; t++) {
                const int64_t n0 = t * chunk, count = std::min(chunk, s.images - n0), rows = count * s.patches();
                float* zc = z + n0 * s.out_size();
                if (direct(s)) {
                    direct_forward(s, x, w, bias, n0, count, z);
                    apply_activation(zc, rows * s.F, activation);
                    continue;
                }
                float* cols = scratch<float>(detail::kScratchConvCols, size_t(rows * taps));
                im2col(s, x, n0, count, cols);
                for (int64_t r = 0; r < rows; r++) {
                    if (bias != nullptr) {
                        std::memcpy(zc + r * s.F, bias, size_t(s.F) * sizeof(float));
                    } else {
                        std::memset(zc + r * s.F, 0, size_t(s.F) * sizeof(float));
                    }
                }
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(rows), int(s.F), int(taps), 1.0f, cols,
                            int(taps), w, int(s.F), 1.0f, zc, int(s.F));
                apply_activation(zc, rows * s.F, activation);
            }
        },
        2.0 * double(s.images) * double(s.patches()) * double(taps) * double(s.F));
}

void conv2d_backward(ThreadPool& pool, int images, int height, int width, int channels, int kernel_h, int kernel_w,
                     int filters, int pad_top, int pad_left, int out_h, int out_w, const float* x, const float* w,
                     const float* z, int activation, float* dz, float* dw, float* db, float* dx) {
    static const char* const fn = "conv2d_backward";
    const ConvShape s = check_shape(fn, images, height, width, channels, kernel_h, kernel_w, filters, pad_top, pad_left,
                                    out_h, out_w);
    detail::require_ptr(x, fn, "x");
    detail::require_ptr(w, fn, "w");
    detail::require_ptr(dz, fn, "dz");
    detail::require_ptr(dw, fn, "dw");
    detail::require_activation(activation, fn);
    if (activation != ACT_IDENTITY) detail::require_ptr(z, fn, "z");
    const int64_t chunk = chunk_images(s), chunks = detail::ceil_div(s.images, chunk), taps = s.taps();
    const int64_t blocks = std::min(chunks, kDwBlocks), weights = taps * s.F;
    // Per block: its dw partial (taps x F) and db partial (F), in one buffer owned by the calling thread.
    float* partials = scratch<float>(detail::kScratchPartials, size_t(blocks * (weights + s.F)));
    pool.parallel_for(
        blocks,
        [&](int64_t begin, int64_t end, int) {
            for (int64_t b = begin; b < end; b++) {
                float* pdw = partials + b * (weights + s.F);
                float* pdb = pdw + weights;
                std::memset(pdb, 0, size_t(s.F) * sizeof(float));
                if (direct(s)) std::memset(pdw, 0, size_t(weights) * sizeof(float));
                const int64_t c0 = b * chunks / blocks, c1 = (b + 1) * chunks / blocks;
                for (int64_t c = c0; c < c1; c++) {
                    const int64_t n0 = c * chunk, count = std::min(chunk, s.images - n0), rows = count * s.patches();
                    float* dzc = dz + n0 * s.out_size();
                    if (activation != ACT_IDENTITY) activation_backward(dzc, z + n0 * s.out_size(), rows * s.F, activation);
                    if (direct(s)) {
                        direct_backward(s, x, w, dz, n0, count, pdw, pdb, dx);
                        continue;
                    }
                    for (int64_t r = 0; r < rows; r++) {
                        for (int64_t f = 0; f < s.F; f++) pdb[f] += dzc[r * s.F + f];
                    }
                    float* cols = scratch<float>(detail::kScratchConvCols, size_t(rows * taps));
                    im2col(s, x, n0, count, cols);
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, int(taps), int(s.F), int(rows), 1.0f, cols,
                                int(taps), dzc, int(s.F), c == c0 ? 0.0f : 1.0f, pdw, int(s.F));
                    if (dx != nullptr) {
                        float* dcols = scratch<float>(detail::kScratchConvDcols, size_t(rows * taps));
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(rows), int(taps), int(s.F), 1.0f, dzc,
                                    int(s.F), w, int(s.F), 0.0f, dcols, int(taps));
                        col2im(s, dcols, n0, count, dx);
                    }
                }
            }
        },
        (dx != nullptr ? 6.0 : 4.0) * double(s.images) * double(s.patches()) * double(taps) * double(s.F));
    // The blocks in order, per element: the same sums whatever thread computed each block.
    const int64_t total = weights + s.F;
    pool.parallel_for(
        detail::ceil_div(total, 4096),
        [&](int64_t begin, int64_t end, int) {
            for (int64_t i = begin * 4096; i < std::min(total, end * 4096); i++) {
                float sum = partials[i];
                for (int64_t b = 1; b < blocks; b++) sum += partials[b * total + i];
                if (i < weights) {
                    dw[i] = sum;
                } else if (db != nullptr) {
                    db[i - weights] = sum;
                }
            }
        },
        double(blocks) * double(total));
}

}  // namespace kernels
ALPHADROP_ISA_END
