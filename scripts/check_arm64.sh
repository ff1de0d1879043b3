#!/usr/bin/env bash
# Cross-builds the workbench for aarch64 (Debian's cross toolchain; arm64 zlib, oneDNN and Qt by
# multiarch) and runs it under qemu-user:
# - every backend op on every INT8 path against the reference backend as a Cortex-A76 (ARMv8.2 with
#   the dot-product instructions, the level of a Jetson Orin's A78AE), and the INT8 kernels against a
#   plain loop as a Cortex-A76 (sdot must run) and as a Cortex-A72 (no dot product: only the portable
#   kernels may);
# - given the x86 `ffint8` (second argument), the aarch64 `ffint8` command line (app/, without the
#   GUI) trains 2 epochs on the first Fashion-MNIST images (784-64-64): ff-int8 on 6,000 and bp-fp32
#   on 2,000 on the reference backend, ff-int8 on the cpu backend (its neon-dotprod path), recorded
#   in a run store; each saved model must equal the x86 build's to the bit (the engine is built with
#   -ffp-contract=off).
# The binaries run through qemu-aarch64 directly on the arm64 loader and libraries that multiarch
# installed (no -L: a cross loader and the arm64 libc from different releases can hang).
# About 4 minutes on two shared cores from a clean build folder (2.5 of them cross-building), 2 when
# the build is up to date (40 seconds of emulated training).
#   scripts/check_arm64.sh [BUILD_DIR [X86_FFINT8]]     (default build-arm64, no training)
# Exit 77 (CTest's skip) when a tool or library is missing; scripts/setup.sh --for-tests installs them.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-build-arm64}"
host_ffint8="${2:-}"
if [[ -n "$host_ffint8" && ! -x "$host_ffint8" ]]; then
  echo "check_arm64: the x86 ffint8 '$host_ffint8' is not an executable file" >&2
  exit 1
fi
missing=()
for tool in aarch64-linux-gnu-g++ qemu-aarch64 cmake ninja; do command -v "$tool" >/dev/null || missing+=("$tool"); done
libs=(/usr/lib/aarch64-linux-gnu/libdnnl.so.2 /usr/lib/aarch64-linux-gnu/libz.so /lib/ld-linux-aarch64.so.1)
if [[ -n "$host_ffint8" ]]; then
  libs+=(/usr/lib/aarch64-linux-gnu/cmake/Qt6Core/Qt6CoreConfig.cmake
         /usr/lib/aarch64-linux-gnu/qt6/plugins/sqldrivers/libqsqlite.so)
fi
for lib in "${libs[@]}"; do
  [[ -e "$lib" ]] || missing+=("$lib")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "skip: missing ${missing[*]} (scripts/setup.sh --for-tests installs them)"
  exit 77
fi

# The command line needs the application layer (arm64 Qt Core and Sql); the GUI and the tests are
# left out. The engine's checks are built either way.
app=OFF
targets=(ffint8-engine-check ffint8-int8-gemm-check)
if [[ -n "$host_ffint8" ]]; then
  app=ON
  targets+=(ffint8)
fi
cmake -S . -B "$out" -G Ninja --no-warn-unused-cli -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DCMAKE_BUILD_TYPE=Release \
  -DFFINT8_BUILD_APP=$app -DFFINT8_BUILD_GUI=OFF -DFFINT8_BUILD_TESTS=OFF >/dev/null
cmake --build "$out" --target "${targets[@]}" >/dev/null

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

if [[ -z "$host_ffint8" ]]; then
  echo "training: not compared (no x86 ffint8 given as the second argument)"
  exit $status
fi

# A short training on each architecture; the saved models hold every layer's parameters, so equal
# files mean the two builds trained to the same bits.
train_dir="$out/train"
rm -rf -- "$train_dir"
mkdir -p -- "$train_dir"
common=(train --dataset fashion-mnist --test-limit 500 --layers "784,64,64" --epochs 2 --batch 32 --seed 1
        --threads 1 --telemetry none)
train() { # NAME ALGO BACKEND TRAIN_LIMIT
  local name=$1 algo=$2 backend=$3
  local args=("${common[@]}" --train-limit "$4")
  if ! "$host_ffint8" "${args[@]}" --algo "$algo" --backend "$backend" --no-db \
       --save "$train_dir/$name-x86.model" >"$train_dir/$name-x86.log" 2>&1; then
    echo "training $name: the x86 run failed:"; tail -n 5 "$train_dir/$name-x86.log"; status=1; return
  fi
  if ! qemu-aarch64 -cpu cortex-a76 "$out/app/ffint8" "${args[@]}" --algo "$algo" --backend "$backend" \
       --db "$train_dir/runs.sqlite" --save "$train_dir/$name-aarch64.model" >"$train_dir/$name-aarch64.log" 2>&1; then
    echo "training $name: the aarch64 run failed:"; tail -n 5 "$train_dir/$name-aarch64.log"; status=1; return
  fi
  local result
  result=$(grep '^completed:' "$train_dir/$name-aarch64.log" || echo "no result line")
  if cmp -s "$train_dir/$name-x86.model" "$train_dir/$name-aarch64.model"; then
    echo "training $name: aarch64 model = x86 model (sha256 $(sha256sum "$train_dir/$name-x86.model" | cut -c1-16)); aarch64 ${result}"
  else
    echo "training $name: FAIL the aarch64 model differs from the x86 model ($train_dir/$name-*.model)"
    status=1
  fi
}
train ff-int8-reference ff-int8 reference 6000
train bp-fp32-reference bp-fp32 reference 2000
train ff-int8-cpu ff-int8 cpu 6000
grep -q 'int8 neon-dotprod' "$train_dir/ff-int8-cpu-aarch64.log" \
  || { echo "training ff-int8-cpu: the aarch64 cpu backend did not train on its neon-dotprod path"; status=1; }
exit $status
