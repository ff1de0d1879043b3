#!/usr/bin/env bash
# The GPU check of the cuda backend on a GPU machine without Qt: builds the engine alone (or runs
# the programs scripts/gpu_carry.sh built, when they start there), runs every op of every backend
# against the reference backend (about 20 s), cnn-small trained by every graph method on cuda and
# cpu (GRAPH_TIMEOUT, default 240 s), the paper MLP's whole run on cuda and cpu with the
# same seed (ACCURACY_TIMEOUT, default 300 s), then the GPU benchmark (GEMM rates, epochs against
# the cpu backend, launches and copies per step; about 3 minutes with --train-limit 10000, on an
# H200 with 16 cores). Output goes to the terminal and, when $OUT is set, to $OUT/gpu_check.log.
#   scripts/gpu_check.sh [extra ffint8-gpu-bench flags, e.g. --train-limit 10000 or --quick]
# On a machine that receives only a copy of the repository, run scripts/gpu_carry.sh here first
# and carry .gpu-carry along: it holds oneDNN and zlib (the engine's libraries),
# Fashion-MNIST (30 MB) and the prebuilt programs. Elsewhere the engine looks for the dataset in
# $FFINT8_DATA, then ~/.local/share/ffint8/datasets, then /usr/share/datasets.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-gpu}
LOG=/dev/null
if [[ -n "${OUT:-}" ]]; then
  mkdir -p "$OUT"
  LOG="$OUT/gpu_check.log"
fi
exec > >(tee "$LOG") 2>&1

step() { printf '\n=== %s (%ds)\n' "$1" "$SECONDS"; }

step "machine"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total --format=csv
else
  echo "nvidia-smi: not on PATH"
fi
CUDA_ROOT=${CUDAToolkit_ROOT:-/usr/local/cuda}
"$CUDA_ROOT/bin/nvcc" --version | tail -2 || echo "nvcc: not found under $CUDA_ROOT"
cmake --version | head -1
ninja --version

# Only this GPU's architecture: a fat binary for 8.7 and 9.0 doubles the kernels' compile time.
ARCH=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d '. ')
ARCH=${ARCH:-87;90}
CARRY=$PWD/.gpu-carry
if [[ -f "$CARRY/deps.tar.xz" ]]; then
  step "libraries carried along"
  DEPS=$(mktemp -d)
  tar -C "$DEPS" -xJf "$CARRY/deps.tar.xz" && ls "$DEPS/lib"
  export CMAKE_PREFIX_PATH="$DEPS${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}"
  export LD_LIBRARY_PATH="$DEPS/lib:$CUDA_ROOT/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi

step "data"
if [[ -z "${FFINT8_DATA:-}" && -d "$CARRY/datasets" ]]; then
  export FFINT8_DATA="$CARRY/datasets"
fi
FOUND=""
for dir in "${FFINT8_DATA:-}" "${XDG_DATA_HOME:-${HOME:-/nonexistent}/.local/share}/ffint8/datasets" /usr/share/datasets; do
  [[ -n "$dir" && -d "$dir/fashion-mnist" ]] && { FOUND="$dir/fashion-mnist"; break; }
done
if [[ -n "$FOUND" ]]; then
  echo "fashion-mnist: $FOUND"
elif [[ " $* " == *" --dataset "* ]]; then
  echo "fashion-mnist: not found, but --dataset is given"
else
  echo "fashion-mnist: NOT FOUND (see this script's header): the epoch benchmark will fail after the GEMM rates"
fi

BIN=""
if [[ -x "$CARRY/bin/ffint8-gpu-bench" ]]; then
  step "prebuilt programs"
  ldd "$CARRY/bin/ffint8-gpu-bench" | grep -E "not found|dnnl|cublas|cudart" || true
  missing=$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | LC_ALL=C sort -u | LC_ALL=C comm -13 - "$CARRY/bin/isa-flags" | tr '\n' ' ')
  if [[ -n "$missing" ]]; then
    echo "the prebuilt programs need CPU extensions this CPU lacks ($missing): building"
  elif "$CARRY/bin/ffint8-gpu-bench" --help >/dev/null 2>&1; then
    BIN=$CARRY/bin
    echo "running the programs built by scripts/gpu_carry.sh"
  else
    echo "the prebuilt programs do not start here: building"
  fi
fi
if [[ -z "$BIN" ]]; then
  step "configure (engine only, CUDA architectures $ARCH)"
  cmake -S . -B "$BUILD_DIR" -G Ninja -DFFINT8_BUILD_APP=OFF -DFFINT8_CUDA_ARCHITECTURES="$ARCH" \
    -DCMAKE_BUILD_TYPE=Release || { echo "gpu_check: configure failed"; exit 1; }
  if ! grep -q "ffint8-gpu-bench" "$BUILD_DIR/build.ninja"; then
    echo "gpu_check: the cuda backend is not part of this build (no CUDA toolkit found by CMake)"; exit 1
  fi
  step "build"
  cmake --build "$BUILD_DIR" -j "$(nproc)" || { echo "gpu_check: build failed"; exit 1; }
  BIN=$BUILD_DIR/engine
fi

step "op checks: every op of every backend against the reference backend"
timeout "${CHECK_TIMEOUT:-180}" "$BIN/ffint8-engine-check"
CHECKS=$?
echo "ffint8-engine-check exit status: $CHECKS"

step "graphs: cnn-small by every graph method on cuda and cpu, same batches and seed"
timeout "${GRAPH_TIMEOUT:-240}" "$BIN/ffint8-gpu-bench" --graphs
GRAPHS=$?
echo "graph comparison exit status: $GRAPHS (0 finite throughout, 3 a loss not finite, 1 error, 124 timed out)"

# While the time is there: the paper MLP's whole run on cuda and cpu, compared epoch by epoch.
step "accuracy: the paper MLP on cuda and cpu, same seed"
timeout "${ACCURACY_TIMEOUT:-300}" "$BIN/ffint8-gpu-bench" --accuracy
ACCURACY=$?
echo "accuracy comparison exit status: $ACCURACY (0 within 0.5 points, 3 not, 1 error, 124 timed out)"

step "benchmark"
timeout "${BENCH_TIMEOUT:-420}" "$BIN/ffint8-gpu-bench" "$@"
BENCH=$?
echo "ffint8-gpu-bench exit status: $BENCH (0 all targets met, 3 some missed, 1 error, 124 timed out)"

step "done"
echo "op checks: $([[ $CHECKS == 0 ]] && echo passed || echo FAILED), graphs: exit $GRAPHS, accuracy: exit $ACCURACY, benchmark: exit $BENCH"
[[ $CHECKS == 0 && ( $BENCH == 0 || $BENCH == 3 ) ]]
