#!/usr/bin/env bash
# Builds the kernel library and engine_edge_test with AddressSanitizer and UndefinedBehaviorSanitizer in
# their own tree (never the library the jar ships) and runs the test there. Needs the OpenBLAS files that
# the core module's Maven build unpacks (run `mvn -B verify` or `mvn -B install` first).
#
#   native/tests/run_sanitized.sh [build dir, default java/core/target/cmake-sanitize]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${1:-$root/java/core/target/cmake-sanitize}"
openblas="$root/java/core/target/openblas/org/bytedeco/openblas/linux-x86_64"
if [ ! -f "$openblas/libopenblas.so.0" ]; then
  echo "run_sanitized: no $openblas/libopenblas.so.0; run 'mvn -B verify' first" >&2
  exit 2
fi
cmake -S "$root/cmake" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DALPHADROP_SANITIZE=ON \
    -DOPENBLAS_INCLUDE_DIR="$openblas/include" -DOPENBLAS_LIBRARY="$openblas/libopenblas.so.0" \
    -DALPHADROP_OUTPUT_DIR="$build/lib" > "$build.configure.log" 2>&1 || { cat "$build.configure.log" >&2; exit 1; }
cmake --build "$build" --parallel 2 --target engine_edge_test
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir "$build" -R engine_edge_test --output-on-failure
