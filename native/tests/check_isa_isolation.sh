#!/usr/bin/env bash
# Proves that only ISA-specific code can execute AVX, AVX2, AVX-512 or BMI instructions: disassembles the
# kernel library and fails if any function outside the alphadrop::avx2 / alphadrop::avx512 namespaces
# (and the ukernels::avx2 / ukernels::avx512 micro-kernels) contains a VEX or EVEX instruction (v...) or
# a BMI/LZCNT/MOVBE one. Those functions run on any x86-64 CPU (the entry points, CPU detection, the
# thread pool, the baseline kernels, library templates the linker merged), so one such instruction in them
# is a SIGILL on a CPU without it.
#   check_isa_isolation.sh path/to/libalphadrop_kernels.so
set -euo pipefail
lib="${1:?usage: check_isa_isolation.sh LIBRARY}"
command -v objdump >/dev/null || { echo "check_isa_isolation: objdump not found (binutils)" >&2; exit 2; }
[ -f "$lib" ] || { echo "check_isa_isolation: no such file: $lib" >&2; exit 2; }

offenders="$(objdump -d --no-show-raw-insn -C "$lib" | awk '
  /^[0-9a-f]+ <.*>:$/ { fn = substr($0, index($0, "<")); next }
  /\t(v[a-z0-9]+|shlx|shrx|sarx|rorx|andn|bextr|blsi|blsr|blsmsk|bzhi|pdep|pext|mulx|tzcnt|lzcnt|movbe)[ \t]/ {
    if (fn !~ /alphadrop::(ukernels::)?avx(2|512)::/) bad[fn]++
  }
  END { for (f in bad) printf "%6d %s\n", bad[f], f }')"
functions="$(objdump -d --no-show-raw-insn -C "$lib" | grep -c '^[0-9a-f]* <.*>:$')"
isa_functions="$(objdump -d --no-show-raw-insn -C "$lib" | grep -c '^[0-9a-f]* <.*alphadrop::\(ukernels::\)\?avx\(2\|512\)::')"
if [ -n "$offenders" ]; then
  echo "check_isa_isolation: functions outside the ISA namespaces use AVX/BMI instructions (count, function):"
  echo "$offenders"
  echo "0 passed, 1 failed"
  exit 1
fi
if [ "$isa_functions" -eq 0 ]; then
  echo "check_isa_isolation: no alphadrop::avx2 / avx512 functions found in $lib: is it the right library?"
  echo "0 passed, 1 failed"
  exit 1
fi
# The avx2 level must not reach AVX-512 either (an AVX2-only CPU, such as AMD Zen 3, faults on it): no
# function of alphadrop::avx2 (everything its translation units define, micro-kernels included) may use a
# zmm register, xmm/ymm 16-31, an opmask, or an AVX-512-only instruction.
evex_offenders="$(objdump -d --no-show-raw-insn -C "$lib" | awk '
  /^[0-9a-f]+ <.*>:$/ { fn = substr($0, index($0, "<")); next }
  /zmm|[xy]mm(1[6-9]|2[0-9]|3[01])|\{k[0-7]\}|\tk(mov|and|or|xor|not|shift|test|add)[a-z]*[ \t]|\tv(pternlog|permt2|permi2|pcmpu?[bwdq][ \t]|pro[lr]|pmovq|pmovd|cvtpd2qq|cvtqq|pmullq|rndscale|getexp|getmant|scalef|rcp14|rsqrt14|pabsq|pmaxsq|pminsq|psraq|align[dq]|pexpand|pcompress|fixupimm|range|reduce|fpclass|pconflict|plzcnt|broadcast[fi](32|64)x|insert[fi](32|64)x|extract[fi](32|64)x|shuf[fi](32|64)x|movdqu(8|16|32|64)|movdqa(32|64))/ {
    if (fn ~ /alphadrop::avx2::/) bad[fn]++
  }
  END { for (f in bad) printf "%6d %s\n", bad[f], f }')"
if [ -n "$evex_offenders" ]; then
  echo "check_isa_isolation: functions of the avx2 level use AVX-512 (count, function):"
  echo "$evex_offenders"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "check_isa_isolation: $functions functions, $isa_functions ISA-specific; no AVX/BMI instruction outside them, no AVX-512 in the avx2 level"
