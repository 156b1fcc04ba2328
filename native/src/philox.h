// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11) and the dropout
// mask generator built on it. Bit-identical to io.github.alphadrop.kernels.Philox / Dropout:
//   key = (low32(seed), high32(seed)); draws are b bits wide, b = the fewest of 1, 2, 4, 8 bits for which
//   p * 2^b is whole (p = 0.5: one bit), else 16; one 128-bit output serves n = 128 / b columns:
//   counter = (col / n, row, layer, step), draw of col = bits [j*b, (j+1)*b) of the output, j = col % n,
//   from bit 0 of word 0; kept iff draw >= threshold = llround(p * 2^b); multiplier = kept ? (float)(1 / (1 - p)) : 0.
// Drawing only the bits a decision needs makes p = 0.5 masks 16x cheaper than 16-bit draws.
//
// Bulk generation runs 16 counters at a time, lane by lane:
//  - philox4x32_10_x16_portable: plain loops over arrays of 16 uint32 with 32x32->64 products, which
//    GCC/Clang vectorise (vpmuludq on ymm);
//  - with AVX2, the same lanes written with intrinsics as two independent 8-lane chains (the rounds
//    are latency-bound, so two chains nearly double throughput); compiled for AVX-512, one 512-bit
//    chain with masked shuffles and three-way XORs (a third of the instructions); 16-bit draws of whole 128-column runs
//    are transposed and thresholded in registers, other widths are cut from each lane's words with
//    variable shifts. The Java tests check every width against the one-element spec (Philox.draw).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "isa_namespace.h"

ALPHADROP_ISA_BEGIN
namespace philox {

inline constexpr uint32_t kM0 = 0xD2511F53u;
inline constexpr uint32_t kM1 = 0xCD9E8D57u;
inline constexpr uint32_t kW0 = 0x9E3779B9u;
inline constexpr uint32_t kW1 = 0xBB67AE85u;
inline constexpr int kRounds = 10;
inline constexpr int kLanes = 16;                               // counters per bulk call
inline constexpr int kColsPerCounter = 8;                       // eight 16-bit draws per 128-bit output
inline constexpr int kColsPerBlock = kLanes * kColsPerCounter;  // 128 mask columns per bulk call (16-bit)
inline constexpr int kMaxDrawsPerCounter = 128;                 // 1-bit draws

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

// Multipliers for the 128 columns [8 * ctr0, 8 * ctr0 + 128) of one mask row (16-bit draws), portable.
inline void mask_block_portable(Key key, uint32_t ctr0, uint32_t row, uint32_t layer, uint32_t step,
                                uint32_t threshold, float scale, float* __restrict mult) {
    alignas(64) uint32_t x0[kLanes], x1[kLanes], x2[kLanes], x3[kLanes];
    for (int i = 0; i < kLanes; ++i) {
        x0[i] = ctr0 + static_cast<uint32_t>(i);
        x1[i] = row;
        x2[i] = layer;
        x3[i] = step;
    }
    philox4x32_10_x16_portable(x0, x1, x2, x3, key);
    for (int i = 0; i < kLanes; ++i) {
        const uint32_t w[4] = {x0[i], x1[i], x2[i], x3[i]};
        for (int j = 0; j < kColsPerCounter; ++j) {
            const uint32_t draw = (w[j >> 1] >> (16 * (j & 1))) & 0xFFFFu;
            mult[i * kColsPerCounter + j] = draw >= threshold ? scale : 0.0f;
        }
    }
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

#if defined(__AVX512F__)
// The zero-masking forms with every lane kept: the unmasked intrinsics pass an undefined vector through,
// which GCC 12 reports as uninitialised wherever they are inlined (GCC bug 105593). Same instructions.
inline __m512i mul_epu32_x16(__m512i a, __m512i b) { return _mm512_maskz_mul_epu32(0xFF, a, b); }
inline __m512i swap_pairs_x16(__m512i a) { return _mm512_maskz_shuffle_epi32(0xFFFF, a, _MM_PERM_CDAB); }
inline __m512i join_x16(__m256i lo, __m256i hi) {
    return _mm512_maskz_inserti64x4(0xFF, _mm512_castsi256_si512(lo), hi, 1);
}
inline __m256i lower_x8(__m512i a) { return _mm512_maskz_extracti64x4_epi64(0xF, a, 0); }
inline __m256i upper_x8(__m512i a) { return _mm512_maskz_extracti64x4_epi64(0xF, a, 1); }

// (hi, lo) of the 32x32->64 products of all sixteen lanes of x with m: the odd lanes reach the multiplier
// by a shuffle, and each half is gathered by one masked shuffle (instead of shifts and blends).
inline __m512i mulhilo_x16(__m512i x, __m512i m, __m512i* lo) {
    const __m512i even = mul_epu32_x16(x, m);                 // 64-bit products of lanes 0, 2, ..
    const __m512i odd = mul_epu32_x16(swap_pairs_x16(x), m);  // of lanes 1, 3, ..
    *lo = _mm512_mask_shuffle_epi32(even, 0xAAAA, odd, _MM_PERM_CDAB);
    return _mm512_mask_shuffle_epi32(odd, 0x5555, even, _MM_PERM_CDAB);
}

// Ten rounds on sixteen lanes in one 512-bit chain each word: a third of the AVX2 chains' instructions
// (a three-way XOR is one vpternlogd). The same integer arithmetic, so the same bits.
inline void rounds_x16_avx512(Key key, __m512i& a, __m512i& b, __m512i& c, __m512i& d) {
    const __m512i m0 = _mm512_set1_epi32(static_cast<int>(kM0));
    const __m512i m1 = _mm512_set1_epi32(static_cast<int>(kM1));
    uint32_t k0 = key.k0, k1 = key.k1;
    for (int round = 0; round < kRounds; ++round) {
        if (round > 0) {
            k0 += kW0;
            k1 += kW1;
        }
        __m512i lo0, lo1;
        const __m512i hi0 = mulhilo_x16(a, m0, &lo0), hi1 = mulhilo_x16(c, m1, &lo1);
        a = _mm512_ternarylogic_epi32(hi1, b, _mm512_set1_epi32(static_cast<int>(k0)), 0x96);  // hi1 ^ b ^ k0
        c = _mm512_ternarylogic_epi32(hi0, d, _mm512_set1_epi32(static_cast<int>(k1)), 0x96);  // hi0 ^ d ^ k1
        b = lo1;
        d = lo0;
    }
}
#endif

// Ten rounds on two independent 8-lane chains, in place: (a, b, c, d) are the four counter words on
// entry and the four output words on return. Compiled for AVX-512, the sixteen lanes run as one 512-bit
// chain instead.
inline void rounds_x16(Key key, __m256i& a0, __m256i& a1, __m256i& b0, __m256i& b1, __m256i& c0, __m256i& c1,
                       __m256i& d0, __m256i& d1) {
#if defined(__AVX512F__)
    __m512i a = join_x16(a0, a1);
    __m512i b = join_x16(b0, b1);
    __m512i c = join_x16(c0, c1);
    __m512i d = join_x16(d0, d1);
    rounds_x16_avx512(key, a, b, c, d);
    a0 = lower_x8(a);
    a1 = upper_x8(a);
    b0 = lower_x8(b);
    b1 = upper_x8(b);
    c0 = lower_x8(c);
    c1 = upper_x8(c);
    d0 = lower_x8(d);
    d1 = upper_x8(d);
#else
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
#endif
}

// 16 counters (ctr0 + i, row), 16-bit draws: 128 multipliers in column order.
inline void mask_x16(Key key, __m256i a0, __m256i a1, __m256i b0, __m256i b1, uint32_t layer, uint32_t step,
                     uint32_t threshold, float scale, float* mult) {
    __m256i c0 = _mm256_set1_epi32(static_cast<int>(layer)), c1 = c0;
    __m256i d0 = _mm256_set1_epi32(static_cast<int>(step)), d1 = d0;
    rounds_x16(key, a0, a1, b0, b1, c0, c1, d0, d1);
    const __m256i thr_minus_1 = _mm256_set1_epi32(static_cast<int>(threshold) - 1);
    const __m256 s = _mm256_set1_ps(scale);
    emit_multipliers(a0, b0, c0, d0, thr_minus_1, s, mult);
    emit_multipliers(a1, b1, c1, d1, thr_minus_1, s, mult + 64);
}

// Output words of 16 arbitrary (counter, row) lanes: words[w][i] is word w of lane i.
inline void lane_words(Key key, const uint32_t* ctr, const uint32_t* row, uint32_t layer, uint32_t step,
                       uint32_t words[4][kLanes]) {
    const __m256i* c = reinterpret_cast<const __m256i*>(ctr);
    const __m256i* r = reinterpret_cast<const __m256i*>(row);
    __m256i a0 = _mm256_loadu_si256(c), a1 = _mm256_loadu_si256(c + 1);
    __m256i b0 = _mm256_loadu_si256(r), b1 = _mm256_loadu_si256(r + 1);
    __m256i c0 = _mm256_set1_epi32(static_cast<int>(layer)), c1 = c0;
    __m256i d0 = _mm256_set1_epi32(static_cast<int>(step)), d1 = d0;
    rounds_x16(key, a0, a1, b0, b1, c0, c1, d0, d1);
    const __m256i out[8] = {a0, a1, b0, b1, c0, c1, d0, d1};
    for (int w = 0; w < 4; ++w) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(words[w]), out[2 * w]);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(words[w] + 8), out[2 * w + 1]);
    }
}

// Multipliers of draws [first, first + n) (n a multiple of 8) of one lane's 128 bits, `bits` bits per
// draw: each group of 8 draws picks its words with a permute and its fields with variable shifts.
inline void emit_draws(const uint32_t w[4], int bits, int first, int n, uint32_t threshold, float scale,
                       float* out) {
    if (bits == 16 && first == 0 && n == 8) {
        // One lane holds exactly 8 draws, the 16-bit halves of its words in little-endian order.
        const __m256i draws = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w)));
        const __m256i keep = _mm256_cmpgt_epi32(draws, _mm256_set1_epi32(static_cast<int>(threshold) - 1));
        _mm256_storeu_ps(out, _mm256_and_ps(_mm256_castsi256_ps(keep), _mm256_set1_ps(scale)));
        return;
    }
    if (bits == 1 && threshold == 1 && first % 8 == 0) {
        // p = 0.5: draw j is bit j of the output and is kept iff set, so a group of 8 draws is one byte
        // (x86 is little-endian: byte b of the words holds bits 8 b .. 8 b + 7).
        const __m256i lane_bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
        const __m256 s = _mm256_set1_ps(scale);
        const unsigned char* bytes = reinterpret_cast<const unsigned char*>(w) + first / 8;
        int t = 0;
#if defined(__AVX512F__)
        // 16 draws at once: two bytes are an opmask that selects the scale or zero.
        const __m512 s16 = _mm512_set1_ps(scale);
        for (; t + 16 <= n; t += 16) {
            uint16_t bits16;
            std::memcpy(&bits16, bytes + t / 8, sizeof(bits16));
            _mm512_storeu_ps(out + t, _mm512_maskz_mov_ps(static_cast<__mmask16>(bits16), s16));
        }
#endif
        for (; t < n; t += 8) {
            const __m256i byte = _mm256_set1_epi32(bytes[t / 8]);
            const __m256i keep = _mm256_cmpeq_epi32(_mm256_and_si256(byte, lane_bit), lane_bit);
            _mm256_storeu_ps(out + t, _mm256_and_ps(_mm256_castsi256_ps(keep), s));
        }
        return;
    }
    const __m256i words = _mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w)));
    const __m256i field = _mm256_set1_epi32(static_cast<int>((1u << bits) - 1u));
    const __m256i thr_minus_1 = _mm256_set1_epi32(static_cast<int>(threshold) - 1);
    const __m256 s = _mm256_set1_ps(scale);
    const __m256i step = _mm256_set1_epi32(8 * bits);
    const __m256i thirty_one = _mm256_set1_epi32(31);
    __m256i first_bit = _mm256_mullo_epi32(
        _mm256_add_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(first)), _mm256_set1_epi32(bits));
    for (int t = 0; t < n; t += 8) {
        const __m256i word = _mm256_permutevar8x32_epi32(words, _mm256_srli_epi32(first_bit, 5));
        const __m256i draw = _mm256_and_si256(_mm256_srlv_epi32(word, _mm256_and_si256(first_bit, thirty_one)), field);
        const __m256 keep = _mm256_castsi256_ps(_mm256_cmpgt_epi32(draw, thr_minus_1));
        _mm256_storeu_ps(out + t, _mm256_and_ps(keep, s));
        first_bit = _mm256_add_epi32(first_bit, step);
    }
}

inline void mask_block(Key key, uint32_t ctr0, uint32_t row, uint32_t layer, uint32_t step, uint32_t threshold,
                       float scale, float* mult) {
    const __m256i a0 = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(ctr0)),
                                        _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    const __m256i a1 = _mm256_add_epi32(a0, _mm256_set1_epi32(8));
    const __m256i b = _mm256_set1_epi32(static_cast<int>(row));
    mask_x16(key, a0, a1, b, b, layer, step, threshold, scale, mult);
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

// Output words of 16 arbitrary (counter, row) lanes, fastest path: words[w][i] is word w of lane i.
inline void lane_words(Key key, const uint32_t* ctr, const uint32_t* row, uint32_t layer, uint32_t step,
                       uint32_t words[4][kLanes]) {
#if defined(__AVX2__)
    avx2::lane_words(key, ctr, row, layer, step, words);
#else
    for (int i = 0; i < kLanes; ++i) {
        words[0][i] = ctr[i];
        words[1][i] = row[i];
        words[2][i] = layer;
        words[3][i] = step;
    }
    philox4x32_10_x16_portable(words[0], words[1], words[2], words[3], key);
#endif
}

// Multipliers of draws [first, first + n) (n a multiple of 8) of one lane's words, `bits` bits per draw.
inline void emit_draws(const uint32_t w[4], int bits, int first, int n, uint32_t threshold, float scale,
                       float* out) {
#if defined(__AVX2__)
    avx2::emit_draws(w, bits, first, n, threshold, scale, out);
#else
    const uint32_t field = (1u << bits) - 1u;
    for (int j = 0; j < n; ++j) {
        const int bit = (first + j) * bits;
        out[j] = ((w[bit >> 5] >> (bit & 31)) & field) >= threshold ? scale : 0.0f;
    }
#endif
}

// The noise a mask multiplies by (the codes NativeBinding passes).
inline constexpr int kNoiseBernoulli = 0;
inline constexpr int kNoiseGaussian = 1;

// Bits per draw for drop probability p: the fewest of 1, 2, 4, 8 for which p * 2^b is whole, else 16.
inline int draw_bits(float p) {
    for (int b = 1; b <= 8; b *= 2) {
        const double scaled = static_cast<double>(p) * static_cast<double>(1 << b);  // exact
        if (scaled == std::nearbyint(scaled)) return b;
    }
    return 16;
}

// Everything that names one dropout mask, with the derived draw width, threshold and scale.
struct MaskGen {
    Key key{0, 0};
    uint32_t layer = 0;
    uint32_t step = 0;
    int bits = 16;           // bits per draw
    int per_counter = 8;     // draws (columns) per 128-bit Philox output: 128 / bits
    uint32_t threshold = 0;  // in [0, 2^bits)
    float scale = 1.0f;
    bool active = false;     // false iff p == 0: no random numbers, multiplier 1
    bool gaussian = false;   // multiplicative Gaussian noise instead of Bernoulli keep/drop
    double gaussian_coef = 0.0;  // sigma / sd of the sum of eight 16-bit draws

    MaskGen(long long seed, int step_, int layer_, float p, int noise = kNoiseBernoulli)
        : key(key_from_seed(seed)),
          layer(static_cast<uint32_t>(layer_)),
          step(static_cast<uint32_t>(step_)),
          bits(draw_bits(p)),
          per_counter(noise == kNoiseGaussian ? 1 : 128 / bits),
          threshold(static_cast<uint32_t>(std::llround(static_cast<double>(p) * static_cast<double>(1 << bits)))),
          scale(noise == kNoiseGaussian ? 1.0f : static_cast<float>(1.0 / (1.0 - static_cast<double>(p)))),
          active(p != 0.0f),
          gaussian(noise == kNoiseGaussian),
          gaussian_coef(gaussian_coefficient(p)) {}

    // Gaussian dropout's multiplier 1 + sigma z, sigma^2 = p / (1 - p), where z is the standardised sum of
    // the eight 16-bit fields of one Philox output: mean 1 and variance p / (1 - p) exactly, a Gaussian to
    // within the Irwin-Hall approximation (|z| <= 4.9). Only exact integer sums and correctly rounded double
    // operations, so the Java reference computes the same float bit for bit without any libm function.
    static double gaussian_coefficient(float p) {
        const double pd = static_cast<double>(p);
        const double sigma = std::sqrt(pd / (1.0 - pd));
        const double sd = std::sqrt(8.0 * (65536.0 * 65536.0 - 1.0) / 12.0);
        return sigma / sd;
    }

    static float gaussian_multiplier(double coef, uint32_t w0, uint32_t w1, uint32_t w2, uint32_t w3) {
        const int64_t sum = int64_t(w0 & 0xFFFFu) + int64_t(w0 >> 16) + int64_t(w1 & 0xFFFFu) + int64_t(w1 >> 16) +
                            int64_t(w2 & 0xFFFFu) + int64_t(w2 >> 16) + int64_t(w3 & 0xFFFFu) + int64_t(w3 >> 16);
        return static_cast<float>(1.0 + coef * static_cast<double>(sum - 262140));  // 262140 = 8 * 32767.5
    }

    // Multipliers of row `row` for columns [col_begin, col_end) into out[0 .. col_end - col_begin).
    void fill_row(uint32_t row, int64_t col_begin, int64_t col_end, float* __restrict out) const {
        fill_tile(row, 1, col_begin, col_end, out, col_end - col_begin);
    }

    // Multipliers of rows [row0, row0 + rows) x columns [col_begin, col_end) into out, row i at
    // out + i * ld. Each Philox call evaluates 16 counters; with 16-bit draws, runs of 16 whole counters
    // inside one row go straight to out through the register transpose, and everything else (other
    // widths, row edges, narrow tiles) is gathered as (counter, row) lanes across rows, so a narrow layer
    // (D = 8, or a 32-column dw panel) does not pay for a whole block per row.
    void fill_tile(uint32_t row0, int64_t rows, int64_t col_begin, int64_t col_end, float* __restrict out,
                   int64_t ld) const {
        if (!active) {
            for (int64_t i = 0; i < rows; ++i) {
                for (int64_t c = col_begin; c < col_end; ++c) out[i * ld + c - col_begin] = 1.0f;
            }
            return;
        }
        if (gaussian) {
            fill_gaussian(row0, rows, col_begin, col_end, out, ld);
            return;
        }
#if defined(__AVX2__)
        if (bits == 16 && col_begin % kColsPerCounter == 0 && ld == col_end - col_begin &&
            col_end - col_begin < kColsPerBlock) {
            fill_narrow16(row0, rows, col_begin, col_end, out);
            return;
        }
#endif
        LaneBatch batch(*this);
        const int64_t per = per_counter;
        const int64_t first_ctr = col_begin / per;
        const int64_t end_ctr = (col_end + per - 1) / per;
        for (int64_t i = 0; i < rows; ++i) {
            const uint32_t row = row0 + static_cast<uint32_t>(i);
            float* dst_row = out + i * ld;  // dst_row[c - col_begin] is column c
            int64_t ctr = first_ctr;
            while (ctr < end_ctr) {
                const int64_t c0 = ctr * per;
                if (bits == 16 && c0 >= col_begin && c0 + kColsPerBlock <= col_end) {
                    mask_block(key, static_cast<uint32_t>(ctr), row, layer, step, threshold, scale,
                               dst_row + (c0 - col_begin));
                    ctr += kLanes;
                    continue;
                }
                const int64_t lo = c0 < col_begin ? col_begin : c0;
                const int64_t hi = c0 + per < col_end ? c0 + per : col_end;
                batch.add(static_cast<uint32_t>(ctr), row, dst_row + (lo - col_begin), static_cast<int>(lo - c0),
                          static_cast<int>(hi - lo));
                ++ctr;
            }
        }
        batch.flush();
    }

    // Rows [row0, row0 + rows), every column of their ceil(cols / 8) * 8 (whole counters), row i at
    // out + i * pad8(cols). A pad column c >= cols holds what column c would (the spec's multiplier of
    // that index), so every value is 0 or the scale. For 16-bit draws the (row, counter) pairs in row-major
    // order then fill out contiguously, 8 floats each, so they go 16 at a time with no per-counter
    // bookkeeping. Other widths and noises fill the real columns and zero the pads.
    void fill_rows_padded(uint32_t row0, int64_t rows, int64_t cols, float* __restrict out) const {
        const int64_t counters = (cols + kColsPerCounter - 1) / kColsPerCounter;
        const int64_t ld = counters * kColsPerCounter;
        if (!active || gaussian || bits != 16) {
            fill_tile(row0, rows, 0, cols, out, ld);
            for (int64_t i = 0; i < rows; ++i) {
                for (int64_t c = cols; c < ld; ++c) out[i * ld + c] = 0.0f;
            }
            return;
        }
        const int64_t total = rows * counters;
#if defined(__AVX2__)
        // Lane j of the batch starting at pair q handles pair q + j: counter (q + j) % counters of row
        // row0 + (q + j) / counters. Each batch moves every lane 16 pairs on.
        alignas(32) uint32_t cv[kLanes], rv[kLanes];
        for (int j = 0; j < kLanes; ++j) {
            cv[j] = static_cast<uint32_t>(j % counters);
            rv[j] = row0 + static_cast<uint32_t>(j / counters);
        }
        __m256i c0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(cv));
        __m256i c1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(cv + 8));
        __m256i r0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(rv));
        __m256i r1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(rv + 8));
        const __m256i step_c = _mm256_set1_epi32(static_cast<int>(kLanes % counters));
        const __m256i step_r = _mm256_set1_epi32(static_cast<int>(kLanes / counters));
        const __m256i last_c = _mm256_set1_epi32(static_cast<int>(counters - 1));
        const __m256i wrap = _mm256_set1_epi32(static_cast<int>(counters));
        for (int64_t q = 0; q < total; q += kLanes) {
            float* dst = out + q * kColsPerCounter;
            if (q + kLanes <= total) {
                avx2::mask_x16(key, c0, c1, r0, r1, layer, step, threshold, scale, dst);
            } else {
                alignas(32) float all[kColsPerBlock];
                avx2::mask_x16(key, c0, c1, r0, r1, layer, step, threshold, scale, all);
                std::memcpy(dst, all, size_t(total - q) * kColsPerCounter * sizeof(float));
            }
            c0 = _mm256_add_epi32(c0, step_c);
            c1 = _mm256_add_epi32(c1, step_c);
            const __m256i over0 = _mm256_cmpgt_epi32(c0, last_c), over1 = _mm256_cmpgt_epi32(c1, last_c);  // -1 where wrapped
            c0 = _mm256_sub_epi32(c0, _mm256_and_si256(over0, wrap));
            c1 = _mm256_sub_epi32(c1, _mm256_and_si256(over1, wrap));
            r0 = _mm256_sub_epi32(_mm256_add_epi32(r0, step_r), over0);
            r1 = _mm256_sub_epi32(_mm256_add_epi32(r1, step_r), over1);
        }
#else
        for (int64_t q = 0; q < total; ++q) {
            const uint32_t counter[4] = {static_cast<uint32_t>(q % counters), row0 + static_cast<uint32_t>(q / counters),
                                         layer, step};
            uint32_t w[4];
            philox4x32(counter, key, w);
            for (int j = 0; j < kColsPerCounter; ++j) {
                const uint32_t draw = (w[j >> 1] >> (16 * (j & 1))) & 0xFFFFu;
                out[q * kColsPerCounter + j] = draw >= threshold ? scale : 0.0f;
            }
        }
#endif
    }

private:
    // Gaussian multipliers: one Philox output per element, counter = (column, row, layer, step), 16 columns
    // of a row per call.
    void fill_gaussian(uint32_t row0, int64_t rows, int64_t col_begin, int64_t col_end, float* __restrict out,
                       int64_t ld) const {
        alignas(32) uint32_t ctr[kLanes];
        alignas(32) uint32_t row[kLanes];
        alignas(32) uint32_t words[4][kLanes];
        for (int64_t i = 0; i < rows; ++i) {
            for (int l = 0; l < kLanes; ++l) row[l] = row0 + static_cast<uint32_t>(i);
            for (int64_t c = col_begin; c < col_end; c += kLanes) {
                const int n = static_cast<int>(col_end - c < kLanes ? col_end - c : kLanes);
                for (int l = 0; l < kLanes; ++l) ctr[l] = static_cast<uint32_t>(c + (l < n ? l : 0));
                lane_words(key, ctr, row, layer, step, words);
                float* dst = out + i * ld + (c - col_begin);
                for (int l = 0; l < n; ++l) {
                    dst[l] = gaussian_multiplier(gaussian_coef, words[0][l], words[1][l], words[2][l], words[3][l]);
                }
            }
        }
    }

#if defined(__AVX2__)
    // 16-bit draws of a contiguous tile narrower than one 16-counter block (a narrow layer): the tile's
    // (row, counter) pairs in row-major order, 16 per Philox call, each counter's 8 multipliers stored
    // whole. A row's last counter may hold fewer wanted columns; its extra multipliers land on the next
    // rows' first ones, which later stores overwrite. Stores are cut only where they would pass the end
    // of the tile: with fewer than 8 columns a row's overrun spans several rows, so that can be any of
    // the last 8 counters, not just the very last.
    void fill_narrow16(uint32_t row0, int64_t rows, int64_t col_begin, int64_t col_end, float* __restrict out) const {
        const int64_t cols = col_end - col_begin;
        const uint32_t c_first = static_cast<uint32_t>(col_begin / kColsPerCounter);
        const uint32_t c_end = static_cast<uint32_t>((col_end + kColsPerCounter - 1) / kColsPerCounter);
        const int64_t total = rows * int64_t(c_end - c_first);
        alignas(32) uint32_t cv[kLanes], rv[kLanes];
        alignas(32) float all[kLanes * kColsPerCounter];
        float* dv[kLanes];
        int nl = 0;
        uint32_t c = c_first, r = row0;
        float* row_out = out;
        float* const tile_end = out + rows * cols;
        for (int64_t q = 0; q < total; ++q) {
            cv[nl] = c;
            rv[nl] = r;
            dv[nl] = row_out + int64_t(c - c_first) * kColsPerCounter;
            ++nl;
            if (++c == c_end) {
                c = c_first;
                ++r;
                row_out += cols;
            }
            const bool last = q == total - 1;
            if (nl < kLanes && !last) continue;
            for (int j = nl; j < kLanes; ++j) {  // idle lanes: any valid counter, output ignored
                cv[j] = cv[0];
                rv[j] = rv[0];
            }
            const __m256i* cp = reinterpret_cast<const __m256i*>(cv);
            const __m256i* rp = reinterpret_cast<const __m256i*>(rv);
            avx2::mask_x16(key, _mm256_load_si256(cp), _mm256_load_si256(cp + 1), _mm256_load_si256(rp),
                           _mm256_load_si256(rp + 1), layer, step, threshold, scale, all);
            for (int j = 0; j < nl; ++j) {
                const int64_t room = tile_end - dv[j];
                if (room >= kColsPerCounter) {
                    _mm256_storeu_ps(dv[j], _mm256_load_ps(all + kColsPerCounter * j));
                } else {
                    for (int64_t t = 0; t < room; ++t) dv[j][t] = all[kColsPerCounter * j + t];
                }
            }
            nl = 0;
        }
    }
#endif

    // Up to 16 pending (counter, row) lanes and where their columns go.
    struct LaneBatch {
        const MaskGen& gen;
        int n = 0;
        alignas(32) uint32_t ctr[kLanes] = {};
        alignas(32) uint32_t row[kLanes] = {};
        float* dst[kLanes] = {};
        int offset[kLanes] = {};  // first wanted draw within the counter's per_counter
        int count[kLanes] = {};   // wanted draws

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
#if defined(__AVX2__)
            if (gen.bits == 16) {
                // 16-bit draws: all 16 lanes' 8 multipliers at once, lane i's at all + 8 i (the same
                // vector path as whole-row blocks), then each lane's wanted ones to its destination.
                alignas(32) float all[kLanes * kColsPerCounter];
                const __m256i* c = reinterpret_cast<const __m256i*>(ctr);
                const __m256i* r = reinterpret_cast<const __m256i*>(row);
                avx2::mask_x16(gen.key, _mm256_load_si256(c), _mm256_load_si256(c + 1), _mm256_load_si256(r),
                               _mm256_load_si256(r + 1), gen.layer, gen.step, gen.threshold, gen.scale, all);
                for (int i = 0; i < n; ++i) {
                    const float* src = all + kColsPerCounter * i + offset[i];
                    if (count[i] == kColsPerCounter) {
                        _mm256_storeu_ps(dst[i], _mm256_load_ps(src));
                    } else {
                        for (int t = 0; t < count[i]; ++t) dst[i][t] = src[t];
                    }
                }
                n = 0;
                return;
            }
#endif
            alignas(32) uint32_t words[4][kLanes];
            lane_words(gen.key, ctr, row, gen.layer, gen.step, words);
            alignas(32) float tmp[kMaxDrawsPerCounter];
            for (int i = 0; i < n; ++i) {
                const uint32_t w[4] = {words[0][i], words[1][i], words[2][i], words[3][i]};
                const int off = offset[i], cnt = count[i];
                if (off % 8 == 0) {
                    // Whole groups of 8 straight to the destination, a ragged last group through tmp.
                    const int whole = cnt / 8 * 8;
                    if (whole > 0) emit_draws(w, gen.bits, off, whole, gen.threshold, gen.scale, dst[i]);
                    if (whole < cnt) {
                        emit_draws(w, gen.bits, off + whole, 8, gen.threshold, gen.scale, tmp);
                        for (int t = 0; t < cnt - whole; ++t) dst[i][whole + t] = tmp[t];  // < 8: no libc call
                    }
                } else {
                    // Only the groups of 8 that hold the wanted draws.
                    const int g0 = off / 8 * 8;
                    const int end = (off + cnt + 7) / 8 * 8;
                    emit_draws(w, gen.bits, g0, end - g0, gen.threshold, gen.scale, tmp);
                    std::memcpy(dst[i], tmp + (off - g0), static_cast<size_t>(cnt) * sizeof(float));
                }
            }
            n = 0;
        }
    };
};

}  // namespace philox
ALPHADROP_ISA_END
