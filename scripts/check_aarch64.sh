#!/usr/bin/env bash
# Cross-builds the INT8 GEMM kernel check for aarch64 and runs it under qemu-user twice: as a
# Cortex-A76 (ARMv8.2 with the dot-product instructions, the level of a Jetson Orin's A78AE), where
# the sdot kernel must run, and as a Cortex-A72 (no dot product), where only the portable one can.
# Exit 77 (CTest's skip) when the cross compiler or qemu is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
cxx=aarch64-linux-gnu-g++
qemu=qemu-aarch64
for tool in "$cxx" "$qemu"; do
  command -v "$tool" >/dev/null || { echo "skip: $tool is not installed (scripts/setup.sh --for-tests installs it)"; exit 77; }
done
out="${1:-build/aarch64}"
mkdir -p "$out"
"$cxx" -std=c++20 -O2 -Wall -Wextra -Werror -I. -static -pthread -o "$out/ffint8-int8-gemm-check" \
  engine/tools/int8_gemm_check.cpp engine/backend/int8/int8_gemm.cpp engine/backend/int8/int8_kernels_portable.cpp \
  engine/backend/int8/int8_kernels_avx2.cpp engine/backend/int8/int8_kernels_neon.cpp
status=0
for cpu in cortex-a76 cortex-a72; do
  log="$out/int8-gemm-check-$cpu.log"
  "$qemu" -cpu "$cpu" "$out/ffint8-int8-gemm-check" >"$log" || status=1
  echo "$cpu: $(tail -n 1 "$log")"
  grep FAIL "$log" || true
done
# The sdot kernel must really have run where the CPU has it, and been skipped where it has not.
grep -q '^ok    neon-dotprod' "$out/int8-gemm-check-cortex-a76.log" || { echo "cortex-a76: the neon-dotprod kernels did not run"; status=1; }
grep -q '^skip  neon-dotprod' "$out/int8-gemm-check-cortex-a72.log" || { echo "cortex-a72: neon-dotprod was not skipped"; status=1; }
exit $status
