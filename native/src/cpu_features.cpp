#include "cpu_features.h"

#include <cpuid.h>

#include <cstdint>
#include <string>
#include <vector>

namespace alphadrop::runtime {

namespace {

struct Regs {
    uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
};

Regs cpuid(uint32_t leaf, uint32_t subleaf) {
    Regs r;
    if (__get_cpuid_max(leaf & 0x80000000u, nullptr) < leaf) return r;
    __cpuid_count(leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
    return r;
}

// XCR0: which register state the OS saves on a context switch (without it, AVX or AVX-512 instructions
// fault even on a CPU that has them). Only valid when CPUID says OSXSAVE.
uint64_t xgetbv0() {
    uint32_t lo = 0, hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (uint64_t(hi) << 32) | lo;
}

bool bit(uint32_t word, int b) { return ((word >> b) & 1u) != 0; }

struct Level {
    int isa;
    std::vector<std::pair<const char*, bool>> needs;
};

CpuFeatures detect() {
    const Regs l1 = cpuid(1, 0);
    const Regs l7 = cpuid(7, 0);
    const Regs e1 = cpuid(0x80000001u, 0);
    const bool osxsave = bit(l1.ecx, 27);
    const uint64_t xcr0 = osxsave ? xgetbv0() : 0;
    const bool os_avx = osxsave && (xcr0 & 0x6) == 0x6;      // SSE and AVX (YMM) state
    const bool os_avx512 = os_avx && (xcr0 & 0xE0) == 0xE0;  // opmask, ZMM_Hi256, Hi16_ZMM state

    // The flags each level is compiled with (cmake/CompilerFlags.cmake): x86-64-v2, x86-64-v3 and
    // x86-64-v3 plus AVX-512 F, BW, VL, DQ and CD.
    const std::vector<Level> levels = {
        {kIsaBaseline,
         {{"sse3", bit(l1.ecx, 0)}, {"ssse3", bit(l1.ecx, 9)}, {"sse4.1", bit(l1.ecx, 19)},
          {"sse4.2", bit(l1.ecx, 20)}, {"popcnt", bit(l1.ecx, 23)}, {"cx16", bit(l1.ecx, 13)},
          {"lahf_lm", bit(e1.ecx, 0)}}},
        {kIsaAvx2,
         {{"avx", bit(l1.ecx, 28)}, {"avx2", bit(l7.ebx, 5)}, {"fma", bit(l1.ecx, 12)}, {"bmi1", bit(l7.ebx, 3)},
          {"bmi2", bit(l7.ebx, 8)}, {"f16c", bit(l1.ecx, 29)}, {"movbe", bit(l1.ecx, 22)},
          {"lzcnt", bit(e1.ecx, 5)}, {"OS saves YMM state (XCR0)", os_avx}}},
        {kIsaAvx512,
         {{"avx512f", bit(l7.ebx, 16)}, {"avx512bw", bit(l7.ebx, 30)}, {"avx512vl", bit(l7.ebx, 31)},
          {"avx512dq", bit(l7.ebx, 17)}, {"avx512cd", bit(l7.ebx, 28)},
          {"OS saves opmask and ZMM state (XCR0)", os_avx512}}},
    };

    CpuFeatures f;
    std::string missing_report;
    bool all_so_far = true;
    for (const Level& level : levels) {
        std::string missing;
        for (const auto& [name, has] : level.needs) {
            if (!has) missing += std::string(missing.empty() ? "" : ", ") + name;
        }
        if (all_so_far && missing.empty()) {
            f.best_isa = level.isa;
        } else {
            all_so_far = false;
            missing_report += std::string("; ") + isa_name(level.isa) + " unavailable: " +
                              (missing.empty() ? std::string("a lower level is missing") : "no " + missing);
        }
    }
    f.report = f.best_isa == kIsaNone ? std::string("no supported ISA") : std::string(isa_name(f.best_isa)) +
                                                                             " is the highest level CPUID and XGETBV allow";
    f.report += missing_report;
    return f;
}

}  // namespace

const char* isa_name(int isa) {
    switch (isa) {
        case kIsaBaseline: return "baseline";
        case kIsaAvx2: return "avx2";
        case kIsaAvx512: return "avx512";
        default: return "none";
    }
}

const CpuFeatures& cpu_features() {
    static const CpuFeatures features = detect();
    return features;
}

}  // namespace alphadrop::runtime
