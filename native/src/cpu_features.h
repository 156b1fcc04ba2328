// What the CPU and the OS let the kernels use, read once from CPUID and XGETBV. Compiled for the
// baseline ISA: it runs before anything else and must run on any x86-64 CPU.
#pragma once

#include <string>

namespace alphadrop::runtime {

// ISA levels, ordered: a CPU that runs one runs every lower one. Codes shared with
// io.github.alphadrop.kernels.Isa.
enum Isa : int { kIsaNone = -1, kIsaBaseline = 0, kIsaAvx2 = 1, kIsaAvx512 = 2 };

const char* isa_name(int isa);

struct CpuFeatures {
    int best_isa = kIsaNone;  // the highest level whose every instruction the CPU has and the OS enables
    std::string report;       // why: the features found, and for each level above best_isa what is missing
};

// Detected on first call (thread-safe), then cached.
const CpuFeatures& cpu_features();

}  // namespace alphadrop::runtime
