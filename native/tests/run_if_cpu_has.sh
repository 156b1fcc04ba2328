#!/usr/bin/env bash
# Runs a test program built for one ISA only on a CPU that has it: a program compiled with -march=x86-64-v4
# may use AVX-512 anywhere (its main, its setup loops), so the check cannot live inside it. Exits 77
# (ctest's SKIP_RETURN_CODE) with the reason when a flag is missing.
#   run_if_cpu_has.sh "avx2 fma" PROGRAM [ARGS...]
set -euo pipefail
flags="$1"
shift
have="$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)"
for f in $flags; do
  if ! grep -qw -- "$f" <<< "$have"; then
    echo "SKIP $(basename "$1"): this CPU has no $f"
    exit 77
  fi
done
exec "$@"
