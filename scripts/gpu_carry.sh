#!/usr/bin/env bash
# Prepares .gpu-carry/ (ignored by git) for scripts/gpu_check.sh on a GPU machine that has CUDA,
# CMake and ninja but neither oneDNN nor this project's other libraries, and no network:
#   - deps.tar.xz: oneDNN's library and headers and zlib's, from this machine's packages,
#     so that the engine can be built there and the cpu backend runs beside the cuda one;
#   - bin/: the engine's check and benchmark programs built here for the given CUDA architecture
#     (default 90), which gpu_check.sh runs when they start there, saving the build;
#   - datasets/fashion-mnist: the real dataset the epoch benchmark trains on.
# About 4 minutes on 2 cores; the folder is about 45 MB.
#   scripts/gpu_carry.sh [CUDA_ARCH]
set -euo pipefail
cd "$(dirname "$0")/.."
ARCH=${1:-90}
CARRY=.gpu-carry
BUILD_DIR=build-gpu-carry
[[ "$ARCH" =~ ^[0-9]+$ ]] || { echo "gpu_carry: CUDA architecture '$ARCH' is not a number such as 90 or 87" >&2; exit 2; }
mkdir -p .git/info
grep -qx '/.gpu-carry/' .git/info/exclude 2>/dev/null || echo '/.gpu-carry/' >>.git/info/exclude

isaFlags() { grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx|sse|ssse|fma|bmi|f16c|amx|vaes|vpclmul|gfni|sha|adx|movbe|popcnt|abm)' | grep -vx sse4a; }

rm -rf "$CARRY"
mkdir -p "$CARRY/bin" "$CARRY/datasets"

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging/include" "$staging/lib"
multiarch=$(gcc -print-multiarch)
cp -a /usr/include/oneapi /usr/include/dnnl*.h /usr/include/dnnl*.hpp /usr/include/zlib.h /usr/include/zconf.h \
  "$staging/include/"
cp -a /usr/lib/"$multiarch"/libdnnl.so* "$staging/lib/"
cp -a /usr/lib/"$multiarch"/libz.so* "$staging/lib/" 2>/dev/null || true
tar -C "$staging" -cJf "$CARRY/deps.tar.xz" include lib

cmake -S . -B "$BUILD_DIR" -G Ninja -DFFINT8_BUILD_APP=OFF -DFFINT8_CUDA_ARCHITECTURES="$ARCH" \
  -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" --parallel "$(nproc)" --target ffint8-engine-check ffint8-gpu-bench ffint8-int8-gemm-check
for program in ffint8-engine-check ffint8-gpu-bench ffint8-int8-gemm-check; do
  strip -o "$CARRY/bin/$program" "$BUILD_DIR/engine/$program"
done

# The programs are built for this CPU (-march=native): gpu_check.sh runs them only on a CPU that
# has every instruction-set extension this one has (AMD's SSE4a apart: compilers do not emit it).
isaFlags | LC_ALL=C sort -u >"$CARRY/bin/isa-flags"

for dir in "${FFINT8_DATA:-}" "${XDG_DATA_HOME:-$HOME/.local/share}/ffint8/datasets" /usr/share/datasets; do
  if [[ -n "$dir" && -d "$dir/fashion-mnist" ]]; then
    cp -rL "$dir/fashion-mnist" "$CARRY/datasets/"
    break
  fi
done
[[ -d "$CARRY/datasets/fashion-mnist" ]] || echo "gpu_carry: no fashion-mnist found: the epoch benchmark will fail there" >&2
du -sh "$CARRY"/*
