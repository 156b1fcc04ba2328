// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11) and the dropout
// mask generator built on it. Bit-identical to io.github.alphadrop.kernels.Philox / Dropout:
//   key = (low32(seed), high32(seed)), counter = (col / 8, row, layer, step);
//   draw for column col = 16-bit half (low for even col, high for odd) of output word (col % 8) / 2;
//   kept iff draw >= threshold = llround(p * 65536.0); multiplier = kept ? (float)(1 / (1 - p)) : 0.
//
// Bulk generation runs 16 counters (128 mask columns) at a time, lane by lane:
//  - philox4x32_10_x16_portable: plain loops over arrays of 16 uint32 with 32x32->64 products, which
//    GCC/Clang vectorise (vpmuludq on ymm);
//  - with AVX2, the same lanes written with intrinsics as two independent 8-lane chains (the rounds
//    are latency-bound, so two chains nearly double throughput), and the 16-bit draws are transposed
//    and thresholded in registers. Both paths are checked against each other and the KAT vectors.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace alphadrop::philox {

inline constexpr uint32_t kM0 = 0xD2511F53u;
inline constexpr uint32_t kM1 = 0xCD9E8D57u;
inline constexpr uint32_t kW0 = 0x9E3779B9u;
inline constexpr uint32_t kW1 = 0xBB67AE85u;
inline constexpr int kRounds = 10;
inline constexpr int kLanes = 16;                               // counters per bulk call
inline constexpr int kColsPerCounter = 8;                       // eight 16-bit draws per 128-bit output
inline constexpr int kColsPerBlock = kLanes * kColsPerCounter;  // 128 mask columns per bulk call

struct Key {
    uint32_t k0;
    uint32_t k1;
};

inline Key key_from_seed(long long seed) {
    const uint64_t s = static_cast<uint64_t>(seed);
    return Key{static_cast<uint32_t>(s), static_cast<uint32_t>(s >> 32)};
}

// Scalar reference: one 128-bit block, any round count (7 and 10 have published answers).
inline void philox4x32(const uint32_t counter[4], Key key, uint32_t out[4], int rounds = kRounds) {
    uint32_t c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3];
    uint32_t k0 = key.k0, k1 = key.k1;
    for (int round = 0; round < rounds; ++round) {
        if (round > 0) {
            k0 += kW0;
            k1 += kW1;
        }
        const uint64_t p0 = static_cast<uint64_t>(kM0) * c0;
        const uint64_t p1 = static_cast<uint64_t>(kM1) * c2;
        const uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
        const uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
}

// 16 counters, structure-of-arrays, in place: on return x0..x3 hold the output words. Kept out of
// line: inlined into a caller with constant counter words, GCC unrolls it into scalar code instead.
__attribute__((noinline)) inline void philox4x32_10_x16_portable(uint32_t* __restrict x0, uint32_t* __restrict x1,
                                                                 uint32_t* __restrict x2, uint32_t* __restrict x3,
                                                                 Key key) {
    uint32_t k0 = key.k0, k1 = key.k1;
    for (int round = 0; round < kRounds; ++round) {
        if (round > 0) {
            k0 += kW0;
            k1 += kW1;
        }
        uint64_t p0[kLanes], p1[kLanes];
        for (int i = 0; i < kLanes; ++i) {
            p0[i] = static_cast<uint64_t>(kM0) * x0[i];
            p1[i] = static_cast<uint64_t>(kM1) * x2[i];
        }
        for (int i = 0; i < kLanes; ++i) {
            const uint32_t n0 = static_cast<uint32_t>(p1[i] >> 32) ^ x1[i] ^ k0;
            const uint32_t n2 = static_cast<uint32_t>(p0[i] >> 32) ^ x3[i] ^ k1;
            x1[i] = static_cast<uint32_t>(p1[i]);
            x3[i] = static_cast<uint32_t>(p0[i]);
            x0[i] = n0;
            x2[i] = n2;
        }
    }
}

// Multipliers of 16 arbitrary (counter, row) lanes, portable version: lane i covers columns
// 8 ctr[i] .. 8 ctr[i] + 7 of row row[i] and lands in mult[8i .. 8i + 7] (lane-major).
inline void mask_lanes_portable(Key key, const uint32_t* ctr, const uint32_t* row, uint32_t layer, uint32_t step,
                                uint32_t threshold, float scale, float* __restrict mult) {
    alignas(64) uint32_t x0[kLanes], x1[kLanes], x2[kLanes], x3[kLanes];
    for (int i = 0; i < kLanes; ++i) {
        x0[i] = ctr[i];
        x1[i] = row[i];
        x2[i] = layer;
        x3[i] = step;
    }
    philox4x32_10_x16_portable(x0, x1, x2, x3, key);
    // Draw j of a lane is half (j & 1) of word j / 2, which is exactly the order of the lane-major
    // words read as little-endian uint16.
    alignas(64) uint32_t words[kLanes * 4];
    for (int i = 0; i < kLanes; ++i) {
        words[4 * i + 0] = x0[i];
        words[4 * i + 1] = x1[i];
        words[4 * i + 2] = x2[i];
        words[4 * i + 3] = x3[i];
    }
    static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "draw extraction assumes little endian");
    alignas(64) uint16_t draws[kColsPerBlock];
    std::memcpy(draws, words, sizeof(draws));
    for (int j = 0; j < kColsPerBlock; ++j) mult[j] = static_cast<uint32_t>(draws[j]) >= threshold ? scale : 0.0f;
}

// Multipliers for the 128 columns [8 * ctr0, 8 * ctr0 + 128) of one mask row, portable version.
inline void mask_block_portable(Key key, uint32_t ctr0, uint32_t row, uint32_t layer, uint32_t step,
                                uint32_t threshold, float scale, float* __restrict mult) {
    uint32_t ctr[kLanes], rows[kLanes];
    for (int i = 0; i < kLanes; ++i) {
        ctr[i] = ctr0 + static_cast<uint32_t>(i);
        rows[i] = row;
    }
    mask_lanes_portable(key, ctr, rows, layer, step, threshold, scale, mult);
}

#if defined(__AVX2__)
namespace avx2 {

// (hi, lo) of the 32x32->64 products of all eight lanes of x with m.
inline __m256i mulhilo(__m256i x, __m256i m, __m256i* lo) {
    const __m256i even = _mm256_mul_epu32(x, m);                         // lanes 0, 2, 4, 6
    const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), m);  // lanes 1, 3, 5, 7
    *lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
    return _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}

// Eight counters' outputs (words a, b, c, d) -> 64 multipliers in column order.
inline void emit_multipliers(__m256i a, __m256i b, __m256i c, __m256i d, __m256i thr_minus_1, __m256 scale,
                             float* mult) {
    // 4 x 8 transpose of 32-bit words: each 128-bit half of q_i then holds one counter's 8 draws.
    const __m256i t0 = _mm256_unpacklo_epi32(a, b);  // a0 b0 a1 b1 | a4 b4 a5 b5
    const __m256i t1 = _mm256_unpackhi_epi32(a, b);  // a2 b2 a3 b3 | a6 b6 a7 b7
    const __m256i t2 = _mm256_unpacklo_epi32(c, d);
    const __m256i t3 = _mm256_unpackhi_epi32(c, d);
    const __m256i u0 = _mm256_unpacklo_epi64(t0, t2);  // counters 0 | 4
    const __m256i u1 = _mm256_unpackhi_epi64(t0, t2);  // counters 1 | 5
    const __m256i u2 = _mm256_unpacklo_epi64(t1, t3);  // counters 2 | 6
    const __m256i u3 = _mm256_unpackhi_epi64(t1, t3);  // counters 3 | 7
    const __m256i q[4] = {_mm256_permute2x128_si256(u0, u1, 0x20), _mm256_permute2x128_si256(u2, u3, 0x20),
                          _mm256_permute2x128_si256(u0, u1, 0x31), _mm256_permute2x128_si256(u2, u3, 0x31)};
    for (int i = 0; i < 4; ++i) {  // q[i] = counters 2i, 2i + 1 = columns 16i .. 16i + 15
        const __m256i lo = _mm256_cvtepu16_epi32(_mm256_castsi256_si128(q[i]));
        const __m256i hi = _mm256_cvtepu16_epi32(_mm256_extracti128_si256(q[i], 1));
        // draw >= thr  <=>  draw > thr - 1 (draws and thresholds fit in int32, thr - 1 >= -1)
        const __m256 keep_lo = _mm256_castsi256_ps(_mm256_cmpgt_epi32(lo, thr_minus_1));
        const __m256 keep_hi = _mm256_castsi256_ps(_mm256_cmpgt_epi32(hi, thr_minus_1));
        _mm256_storeu_ps(mult + 16 * i, _mm256_and_ps(keep_lo, scale));
        _mm256_storeu_ps(mult + 16 * i + 8, _mm256_and_ps(keep_hi, scale));
    }
}

// Two independent 8-lane chains: counters (a0, b0) and (a1, b1) with the layer and step words.
inline void mask_x16(Key key, __m256i a0, __m256i a1, __m256i b0, __m256i b1, uint32_t layer, uint32_t step,
                     uint32_t threshold, float scale, float* mult) {
    __m256i c0 = _mm256_set1_epi32(static_cast<int>(layer)), c1 = c0;
    __m256i d0 = _mm256_set1_epi32(static_cast<int>(step)), d1 = d0;
    const __m256i m0 = _mm256_set1_epi32(static_cast<int>(kM0));
    const __m256i m1 = _mm256_set1_epi32(static_cast<int>(kM1));
    uint32_t k0 = key.k0, k1 = key.k1;
    for (int round = 0; round < kRounds; ++round) {
        if (round > 0) {
            k0 += kW0;
            k1 += kW1;
        }
        const __m256i key0 = _mm256_set1_epi32(static_cast<int>(k0));
        const __m256i key1 = _mm256_set1_epi32(static_cast<int>(k1));
        __m256i lo0a, lo1a, lo0b, lo1b;
        const __m256i hi0a = mulhilo(a0, m0, &lo0a), hi1a = mulhilo(c0, m1, &lo1a);
        const __m256i hi0b = mulhilo(a1, m0, &lo0b), hi1b = mulhilo(c1, m1, &lo1b);
        a0 = _mm256_xor_si256(_mm256_xor_si256(hi1a, b0), key0);
        c0 = _mm256_xor_si256(_mm256_xor_si256(hi0a, d0), key1);
        b0 = lo1a;
        d0 = lo0a;
        a1 = _mm256_xor_si256(_mm256_xor_si256(hi1b, b1), key0);
        c1 = _mm256_xor_si256(_mm256_xor_si256(hi0b, d1), key1);
        b1 = lo1b;
        d1 = lo0b;
    }
    const __m256i thr_minus_1 = _mm256_set1_epi32(static_cast<int>(threshold) - 1);
    const __m256 s = _mm256_set1_ps(scale);
    emit_multipliers(a0, b0, c0, d0, thr_minus_1, s, mult);
    emit_multipliers(a1, b1, c1, d1, thr_minus_1, s, mult + 64);
}

inline void mask_block(Key key, uint32_t ctr0, uint32_t row, uint32_t layer, uint32_t step, uint32_t threshold,
                       float scale, float* mult) {
    const __m256i a0 = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(ctr0)),
                                        _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    const __m256i a1 = _mm256_add_epi32(a0, _mm256_set1_epi32(8));
    const __m256i b = _mm256_set1_epi32(static_cast<int>(row));
    mask_x16(key, a0, a1, b, b, layer, step, threshold, scale, mult);
}

inline void mask_lanes(Key key, const uint32_t* ctr, const uint32_t* row, uint32_t layer, uint32_t step,
                       uint32_t threshold, float scale, float* mult) {
    const __m256i* c = reinterpret_cast<const __m256i*>(ctr);
    const __m256i* r = reinterpret_cast<const __m256i*>(row);
    mask_x16(key, _mm256_loadu_si256(c), _mm256_loadu_si256(c + 1), _mm256_loadu_si256(r), _mm256_loadu_si256(r + 1),
             layer, step, threshold, scale, mult);
}

}  // namespace avx2
#endif

// Multipliers for the 128 columns [8 * ctr0, 8 * ctr0 + 128) of one mask row, fastest available path.
inline void mask_block(Key key, uint32_t ctr0, uint32_t row, uint32_t layer, uint32_t step, uint32_t threshold,
                       float scale, float* mult) {
#if defined(__AVX2__)
    avx2::mask_block(key, ctr0, row, layer, step, threshold, scale, mult);
#else
    mask_block_portable(key, ctr0, row, layer, step, threshold, scale, mult);
#endif
}

// Multipliers of 16 arbitrary (counter, row) lanes into mult[0 .. 128), lane-major; fastest path.
inline void mask_lanes(Key key, const uint32_t* ctr, const uint32_t* row, uint32_t layer, uint32_t step,
                       uint32_t threshold, float scale, float* mult) {
#if defined(__AVX2__)
    avx2::mask_lanes(key, ctr, row, layer, step, threshold, scale, mult);
#else
    mask_lanes_portable(key, ctr, row, layer, step, threshold, scale, mult);
#endif
}

// Everything that names one dropout mask, with the derived threshold and scale.
struct MaskGen {
    Key key{0, 0};
    uint32_t layer = 0;
    uint32_t step = 0;
    uint32_t threshold = 0;  // in [0, 65536]
    float scale = 1.0f;
    bool active = false;     // false iff p == 0: no random numbers, multiplier 1

    MaskGen(long long seed, int step_, int layer_, float p)
        : key(key_from_seed(seed)),
          layer(static_cast<uint32_t>(layer_)),
          step(static_cast<uint32_t>(step_)),
          threshold(static_cast<uint32_t>(std::llround(static_cast<double>(p) * 65536.0))),
          scale(static_cast<float>(1.0 / (1.0 - static_cast<double>(p)))),
          active(p != 0.0f) {}

    // Multipliers of row `row` for columns [col_begin, col_end) into out[0 .. col_end - col_begin).
    void fill_row(uint32_t row, int64_t col_begin, int64_t col_end, float* __restrict out) const {
        fill_tile(row, 1, col_begin, col_end, out, col_end - col_begin);
    }

    // Multipliers of rows [row0, row0 + rows) x columns [col_begin, col_end) into out, row i at
    // out + i * ld. Each Philox call evaluates 16 counters (8 columns each); runs of 16 whole counters
    // inside one row go straight to out, and everything else (row edges, narrow tiles) is gathered as
    // (counter, row) lanes across rows, so a narrow layer (D = 8, or a 32-column dw panel) does not pay
    // for 128 columns per row.
    void fill_tile(uint32_t row0, int64_t rows, int64_t col_begin, int64_t col_end, float* __restrict out,
                   int64_t ld) const {
        if (!active) {
            for (int64_t i = 0; i < rows; ++i) {
                for (int64_t c = col_begin; c < col_end; ++c) out[i * ld + c - col_begin] = 1.0f;
            }
            return;
        }
        LaneBatch batch(*this);
        const int64_t first_ctr = col_begin / kColsPerCounter;
        const int64_t end_ctr = (col_end + kColsPerCounter - 1) / kColsPerCounter;
        for (int64_t i = 0; i < rows; ++i) {
            const uint32_t row = row0 + static_cast<uint32_t>(i);
            float* dst_row = out + i * ld - col_begin;  // dst_row[c] is column c
            int64_t ctr = first_ctr;
            while (ctr < end_ctr) {
                const int64_t c0 = ctr * kColsPerCounter;
                if (c0 >= col_begin && c0 + kColsPerBlock <= col_end) {
                    mask_block(key, static_cast<uint32_t>(ctr), row, layer, step, threshold, scale, dst_row + c0);
                    ctr += kLanes;
                    continue;
                }
                const int64_t lo = c0 < col_begin ? col_begin : c0;
                const int64_t hi = c0 + kColsPerCounter < col_end ? c0 + kColsPerCounter : col_end;
                batch.add(static_cast<uint32_t>(ctr), row, dst_row + lo, static_cast<int>(lo - c0),
                          static_cast<int>(hi - lo));
                ++ctr;
            }
        }
        batch.flush();
    }

private:
    // Up to 16 pending (counter, row) lanes and where their columns go.
    struct LaneBatch {
        const MaskGen& gen;
        int n = 0;
        alignas(32) uint32_t ctr[kLanes] = {};
        alignas(32) uint32_t row[kLanes] = {};
        float* dst[kLanes] = {};
        int offset[kLanes] = {};  // first wanted column within the counter's 8
        int count[kLanes] = {};   // wanted columns

        explicit LaneBatch(const MaskGen& g) : gen(g) {}

        void add(uint32_t c, uint32_t r, float* d, int off, int cnt) {
            ctr[n] = c;
            row[n] = r;
            dst[n] = d;
            offset[n] = off;
            count[n] = cnt;
            if (++n == kLanes) flush();
        }

        void flush() {
            if (n == 0) return;
            for (int i = n; i < kLanes; ++i) {  // idle lanes: any valid counter, output ignored
                ctr[i] = ctr[0];
                row[i] = row[0];
            }
            alignas(64) float mult[kColsPerBlock];
            mask_lanes(gen.key, ctr, row, gen.layer, gen.step, gen.threshold, gen.scale, mult);
            for (int i = 0; i < n; ++i) {
                const float* src = mult + i * kColsPerCounter + offset[i];
                if (count[i] == kColsPerCounter) {
                    std::memcpy(dst[i], src, kColsPerCounter * sizeof(float));
                } else {
                    for (int j = 0; j < count[i]; ++j) dst[i][j] = src[j];
                }
            }
            n = 0;
        }
    };
};

}  // namespace alphadrop::philox
