#!/usr/bin/env bash
# Builds ffint8-workbench_VERSION_ARCH.deb into build-deb/ from a build made for packaging: portable
# code (no -march=native: the package runs on CPUs other than this one; the INT8 kernels choose
# their instructions at run time) and no tests. CUDA only with --cuda (a Jetson or a desktop with
# NVIDIA's CUDA packages): the package then depends on that toolkit's runtime packages.
# Usage: scripts/package_deb.sh [--cuda] [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
cuda=OFF
[[ "${1:-}" == "--cuda" ]] && { cuda=ON; shift; }
out="${1:-build-deb}"
./scripts/setup.sh
generator=()
command -v ninja >/dev/null && [[ ! -f "$out/CMakeCache.txt" || -f "$out/build.ninja" ]] && generator=(-G Ninja)
cmake -S . -B "$out" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DFFINT8_NATIVE_ARCH=OFF -DFFINT8_CUDA=$cuda \
  -DFFINT8_BUILD_TESTS=OFF >/dev/null
cmake --build "$out" --parallel "$(nproc)" >/dev/null
(cd "$out" && cpack --config CPackConfig.cmake -B "$PWD/package" >/dev/null 2>&1)
ls "$out"/package/*.deb
