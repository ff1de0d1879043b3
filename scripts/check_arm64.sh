#!/usr/bin/env bash
# Cross-builds the engine for aarch64 (Debian's cross toolchain, arm64 zlib and oneDNN by multiarch;
# no Qt) and runs its checks under qemu-user: every backend op on every INT8 path against the
# reference backend as a Cortex-A76 (ARMv8.2 with the dot-product instructions, the level of a
# Jetson Orin's A78AE), and the INT8 kernels against a plain loop as a Cortex-A76 (sdot must run)
# and as a Cortex-A72 (no dot product: only the portable kernels may). The binaries run through
# qemu-aarch64 directly on the arm64 loader and libraries that multiarch installed.
# Exit 77 (CTest's skip) when a tool or library is missing; scripts/setup.sh --for-tests installs them.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-build-arm64}"
missing=()
for tool in aarch64-linux-gnu-g++ qemu-aarch64 cmake ninja; do command -v "$tool" >/dev/null || missing+=("$tool"); done
for lib in /usr/lib/aarch64-linux-gnu/libdnnl.so.2 /usr/lib/aarch64-linux-gnu/libz.so /lib/ld-linux-aarch64.so.1; do
  [[ -e "$lib" ]] || missing+=("$lib")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "skip: missing ${missing[*]} (scripts/setup.sh --for-tests installs them)"
  exit 77
fi

cmake -S . -B "$out" -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DCMAKE_BUILD_TYPE=Release \
  -DFFINT8_BUILD_APP=OFF -DDNNL_LIBRARY=/usr/lib/aarch64-linux-gnu/libdnnl.so.2 >/dev/null
cmake --build "$out" --target ffint8-engine-check ffint8-int8-gemm-check >/dev/null

status=0
run() { # CPU LOG PROGRAM
  if ! qemu-aarch64 -cpu "$1" "$3" >"$2"; then status=1; fi
  echo "$1 $(basename "$3"): $(tail -n 1 "$2")"
  grep FAIL "$2" || true
}
run cortex-a76 "$out/int8-gemm-check-cortex-a76.log" "$out/engine/ffint8-int8-gemm-check"
run cortex-a72 "$out/int8-gemm-check-cortex-a72.log" "$out/engine/ffint8-int8-gemm-check"
run cortex-a76 "$out/engine-check-cortex-a76.log" "$out/engine/ffint8-engine-check"
# The sdot kernels must really have run where the CPU has them, and been skipped where it has not.
grep -q '^ok    neon-dotprod' "$out/int8-gemm-check-cortex-a76.log" || { echo "cortex-a76: the sdot kernels did not run"; status=1; }
grep -q '^skip  neon-dotprod' "$out/int8-gemm-check-cortex-a72.log" || { echo "cortex-a72: sdot was not skipped"; status=1; }
grep -q '^backend cpu/neon-dotprod' "$out/engine-check-cortex-a76.log" || { echo "cortex-a76: the cpu backend's neon-dotprod path did not run"; status=1; }
exit $status
