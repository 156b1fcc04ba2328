// How a micro-kernel's tile of sums reaches C, shared by every ISA's micro-kernel.
#pragma once

// In the ISA's inline namespace with the micro-kernels that take it (isa_namespace.h).
#include "isa_namespace.h"

ALPHADROP_ISA_BEGIN
namespace ukernels {

// The first k block sets C = bias + acc (or acc when bias is null); later blocks do C += acc. With relu
// (set by the caller only on the last k block) the stored value is max(0, c) with vmaxps(zero, c)
// semantics: a NaN c is kept (the second operand is returned when either is NaN), and a zero of either
// sign stays as it is.
struct Epilogue {
    const float* bias = nullptr;  // bias of the tile's first column, or null; read only for the first block
    bool first = true;
    bool relu = false;
};

}  // namespace ukernels
ALPHADROP_ISA_END
