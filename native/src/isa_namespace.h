// Every translation unit is compiled for one instruction set (see cmake/CMakeLists.txt), and the code
// it defines lives in the inline namespace alphadrop::<isa>: an inline function of a shared header
// (philox.h, common.h, ...) compiled for AVX2 then has another mangled name than its baseline twin, so
// the linker can never merge the two and hand an AVX2 body to code that runs on a CPU without AVX2.
#pragma once

#if !defined(ALPHADROP_ISA_NS)
#error "ALPHADROP_ISA_NS must name the instruction set this file is compiled for (baseline, avx2, avx512)"
#endif

#define ALPHADROP_ISA_BEGIN \
    namespace alphadrop {   \
    inline namespace ALPHADROP_ISA_NS {
#define ALPHADROP_ISA_END \
    }                     \
    }
