// The one place the kernels include OpenBLAS. It must be the bytedeco jar's cblas.h (the build puts
// OPENBLAS_INCLUDE_DIR first); a reference-BLAS cblas.h would compile but lacks the OpenBLAS extensions
// and would pair with the wrong library, so refuse it outright.
#pragma once

#include <cblas.h>

#if !defined(OPENBLAS_CONFIG_H) || !defined(OPENBLAS_VERSION)
#error "cblas.h is not OpenBLAS's: pass the bytedeco jar's include dir as OPENBLAS_INCLUDE_DIR (searched first)"
#endif
