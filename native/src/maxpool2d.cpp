// k x k max pooling with stride k on NHWC images: forward, and backward that finds each window's winner
// again from x (nothing stored between the two). The first of equal maxima wins; a NaN wins its window
// (the first NaN), so NaN propagates. Images are independent tasks.
#include <algorithm>
#include <cstring>
#include <string>

#include "common.h"
#include "isa_kernels.h"
#include "thread_pool.h"

ALPHADROP_ISA_BEGIN
namespace kernels {

namespace {

struct PoolShape {
    int64_t images, H, W, C, k, OH, OW;
    int64_t in_size() const { return H * W * C; }
    int64_t out_size() const { return OH * OW * C; }
};

PoolShape check_pool(const char* fn, int images, int height, int width, int channels, int size) {
    detail::require_positive(images, fn, "images");
    detail::require_positive(height, fn, "height");
    detail::require_positive(width, fn, "width");
    detail::require_positive(channels, fn, "channels");
    detail::require_positive(size, fn, "size");
    if (size > height || size > width) detail::fail(fn, "the window is larger than the image");
    PoolShape s{images, height, width, channels, size, height / size, width / size};
    detail::require_int_range(s.images * s.in_size(), fn, "images * height * width * channels");
    return s;
}

// Calls win(o, i) for every output element o of image n with i the index of its window's winner in x.
template <class Win>
inline void for_each_winner(const PoolShape& s, const float* x, int64_t n, float* best, int64_t* arg, Win win) {
    const int64_t C = s.C;
    for (int64_t oy = 0; oy < s.OH; oy++) {
        for (int64_t ox = 0; ox < s.OW; ox++) {
            const int64_t o = ((n * s.OH + oy) * s.OW + ox) * C;
            const int64_t first = ((n * s.H + oy * s.k) * s.W + ox * s.k) * C;
            for (int64_t c = 0; c < C; c++) {
                best[c] = x[first + c];
                arg[c] = first + c;
            }
            for (int64_t dy = 0; dy < s.k; dy++) {
                for (int64_t dx = dy == 0 ? 1 : 0; dx < s.k; dx++) {
                    const int64_t i = ((n * s.H + oy * s.k + dy) * s.W + ox * s.k + dx) * C;
                    for (int64_t c = 0; c < C; c++) {
                        const float v = x[i + c], m = best[c];
                        const bool take = (v > m) | ((v != v) & (m == m));
                        best[c] = take ? v : m;
                        arg[c] = take ? i + c : arg[c];
                    }
                }
            }
            for (int64_t c = 0; c < C; c++) win(o + c, arg[c], best[c]);
        }
    }
}

}  // namespace

void maxpool2d_forward(ThreadPool& pool, int images, int height, int width, int channels, int size, const float* x,
                       float* y) {
    static const char* const fn = "maxpool2d_forward";
    const PoolShape s = check_pool(fn, images, height, width, channels, size);
    detail::require_ptr(x, fn, "x");
    detail::require_ptr(y, fn, "y");
    pool.parallel_for(
        s.images,
        [&](int64_t begin, int64_t end, int) {
            float* best = detail::scratch<float>(detail::kScratchPanel, size_t(s.C));
            int64_t* arg = detail::scratch<int64_t>(detail::kScratchAccum, size_t(s.C));
            for (int64_t n = begin; n < end; n++) {
                for_each_winner(s, x, n, best, arg, [&](int64_t o, int64_t, float v) { y[o] = v; });
            }
        },
        double(s.images) * double(s.in_size()));
}

void maxpool2d_backward(ThreadPool& pool, int images, int height, int width, int channels, int size, const float* x,
                        const float* dy, float* dx) {
    static const char* const fn = "maxpool2d_backward";
    const PoolShape s = check_pool(fn, images, height, width, channels, size);
    detail::require_ptr(x, fn, "x");
    detail::require_ptr(dy, fn, "dy");
    detail::require_ptr(dx, fn, "dx");
    pool.parallel_for(
        s.images,
        [&](int64_t begin, int64_t end, int) {
            float* best = detail::scratch<float>(detail::kScratchPanel, size_t(s.C));
            int64_t* arg = detail::scratch<int64_t>(detail::kScratchAccum, size_t(s.C));
            std::memset(dx + begin * s.in_size(), 0, size_t((end - begin) * s.in_size()) * sizeof(float));
            for (int64_t n = begin; n < end; n++) {
                for_each_winner(s, x, n, best, arg, [&](int64_t o, int64_t i, float) { dx[i] = dy[o]; });
            }
        },
        double(s.images) * double(s.in_size()));
}

}  // namespace kernels
ALPHADROP_ISA_END
