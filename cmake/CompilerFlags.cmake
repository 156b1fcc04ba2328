# Compiler flags for libalphadrop_kernels: C++17, optimised for x86-64-v3 (AVX2 + FMA).
include(CheckCXXCompilerFlag)

set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)

if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()

check_cxx_compiler_flag("-march=x86-64-v3" ALPHADROP_HAS_MARCH_V3)
if(ALPHADROP_HAS_MARCH_V3)
  set(ALPHADROP_ARCH_FLAGS -march=x86-64-v3)
else()
  # Older compilers: the same ISA level spelled out.
  set(ALPHADROP_ARCH_FLAGS -mavx2 -mfma -mbmi -mbmi2 -mf16c -mlzcnt -mmovbe)
endif()

set(ALPHADROP_CXX_FLAGS
    -O3
    ${ALPHADROP_ARCH_FLAGS}
    -fPIC
    # No silent a*b+c fusion in our own loops: keeps the element-wise parts close to the Java reference.
    -ffp-contract=off
    # Value-safe (IEEE results unchanged; only FP exception flags may differ): lets GCC if-convert and
    # vectorise loops with compares/selects, e.g. the ReLU masks and the branch-free tanh.
    -fno-trapping-math
    -Wall -Wextra)
