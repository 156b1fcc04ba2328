// Internal helpers shared by the kernels: argument checks (the last line of defence behind the Java
// validation) and grow-only, thread-local scratch buffers.
#pragma once

#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <stdexcept>
#include <string>

#include "isa_namespace.h"

ALPHADROP_ISA_BEGIN
namespace detail {

[[noreturn]] inline void fail(const char* function, const std::string& message) {
    throw std::invalid_argument(std::string("alphadrop::") + function + ": " + message);
}

inline void require_ptr(const void* ptr, const char* function, const char* name) {
    if (ptr == nullptr) fail(function, std::string(name) + " must not be null");
}

inline void require_positive(long long value, const char* function, const char* name) {
    if (value <= 0) fail(function, std::string(name) + " must be > 0, got " + std::to_string(value));
}

// Every matrix handed to us comes from a Java array, so no row count or element count can exceed
// INT_MAX; anything larger means corrupted arguments (and would overflow blasint).
inline void require_int_range(int64_t value, const char* function, const char* what) {
    if (value > INT_MAX) fail(function, std::string(what) + " exceeds INT_MAX (" + std::to_string(value) + ")");
}

inline void require_probability(float p, const char* function) {
    if (!(p >= 0.0f && p < 1.0f)) fail(function, "p must be in [0, 1), got " + std::to_string(p));
}

// The Java Dropout record's invariants; the mask counters rely on them.
inline void require_dropout(int step, int layer, float p, int noise, const char* function) {
    require_probability(p, function);
    if (noise < 0 || noise > 1) fail(function, "noise must be 0 (bernoulli) or 1 (gaussian), got " + std::to_string(noise));
    if (step < 0) fail(function, "step must be >= 0, got " + std::to_string(step));
    if (layer < 0 || layer >= 65536) fail(function, "layer must be in [0, 65536), got " + std::to_string(layer));
}

inline void require_activation(int activation, const char* function) {
    if (activation < 0 || activation > 2) {
        fail(function, "activation must be 0 (identity), 1 (relu) or 2 (tanh), got " + std::to_string(activation));
    }
}

// A grow-only, 64-byte aligned buffer. Never shrinks, so steady-state calls do not allocate.
class ScratchBuffer {
public:
    ScratchBuffer() = default;
    ScratchBuffer(const ScratchBuffer&) = delete;
    ScratchBuffer& operator=(const ScratchBuffer&) = delete;
    ~ScratchBuffer() { std::free(data_); }

    void* get(size_t bytes) {
        if (bytes > capacity_) {
            size_t capacity = (bytes + 63) & ~size_t(63);
            if (capacity < 4096) capacity = 4096;
            void* fresh = std::aligned_alloc(64, capacity);
            if (fresh == nullptr) throw std::bad_alloc();
            std::free(data_);
            data_ = fresh;
            capacity_ = capacity;
        }
        return data_;
    }

private:
    void* data_ = nullptr;
    size_t capacity_ = 0;
};

// Scratch slots: one buffer per slot per thread. The pool's worker threads are persistent, so their
// buffers live as long as the pool; a calling (Java) thread keeps its own until it exits.
enum ScratchSlot : int {
    kScratchPanel = 0,
    kScratchMaskRow = 1,
    kScratchAccum = 2,
    kScratchPerPoint = 3,
    kScratchPartials = 4,
    kScratchPackedB = 5,
    kScratchConvCols = 6,
    kScratchConvDcols = 7,
    kScratchSlots = 8
};

inline void* scratch_bytes(ScratchSlot slot, size_t bytes) {
    thread_local ScratchBuffer buffers[kScratchSlots];
    return buffers[slot].get(bytes);
}

template <class T>
T* scratch(ScratchSlot slot, size_t count) {
    return static_cast<T*>(scratch_bytes(slot, count * sizeof(T)));
}

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

inline int64_t round_up(int64_t a, int64_t multiple) { return ceil_div(a, multiple) * multiple; }

inline int64_t clamp64(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

}  // namespace detail
ALPHADROP_ISA_END
