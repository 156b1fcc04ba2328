# Compiler flags for libalphadrop_kernels: C++17, one set of architecture flags per ISA level.
#   ALPHADROP_CXX_FLAGS          flags of every translation unit
#   ALPHADROP_ARCH_<ISA>         architecture flags of the baseline, avx2 and avx512 units
# The baseline (x86-64-v2: SSE4.2, POPCNT, no AVX) runs on any x86-64 CPU of the last fifteen years;
# the engine enters avx2 or avx512 code only after CPUID and XGETBV said the CPU and OS support it.
include(CheckCXXCompilerFlag)

set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)

if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()

check_cxx_compiler_flag("-march=x86-64-v4" ALPHADROP_HAS_MARCH_LEVELS)
if(ALPHADROP_HAS_MARCH_LEVELS)
  set(ALPHADROP_ARCH_BASELINE -march=x86-64-v2 -mtune=generic)
  set(ALPHADROP_ARCH_AVX2 -march=x86-64-v3 -mtune=generic)
  set(ALPHADROP_ARCH_AVX512 -march=x86-64-v4 -mtune=generic)
else()
  # Older compilers: the same levels spelled out.
  set(ALPHADROP_ARCH_BASELINE -mcx16 -msahf -mpopcnt -msse3 -msse4.1 -msse4.2 -mssse3)
  set(ALPHADROP_ARCH_AVX2 ${ALPHADROP_ARCH_BASELINE} -mavx -mavx2 -mfma -mbmi -mbmi2 -mf16c -mlzcnt -mmovbe)
  set(ALPHADROP_ARCH_AVX512 ${ALPHADROP_ARCH_AVX2} -mavx512f -mavx512bw -mavx512vl -mavx512dq -mavx512cd)
endif()

set(ALPHADROP_CXX_FLAGS
    -O3
    -fPIC
    -fvisibility-inlines-hidden
    # No silent a*b+c fusion in our own loops: keeps the element-wise parts close to the Java reference.
    -ffp-contract=off
    # Value-safe (IEEE results unchanged; only FP exception flags may differ): lets GCC if-convert and
    # vectorise loops with compares/selects, e.g. the ReLU masks and the branch-free tanh.
    -fno-trapping-math
    -Wall -Wextra)
