#!/usr/bin/env bash
# Configures and builds the workbench into build/ (Release), after installing what it needs.
# Arguments go to CMake's configure step; -DFFINT8_BUILD_GUI=OFF or -DFFINT8_BUILD_APP=OFF also
# tells setup.sh that no QCustomPlot is needed. Several minutes from scratch on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
setup_args=()
for arg in "$@"; do
  case "$arg" in
    -DFFINT8_BUILD_GUI=OFF|-DFFINT8_BUILD_GUI:BOOL=OFF|-DFFINT8_BUILD_APP=OFF|-DFFINT8_BUILD_APP:BOOL=OFF) setup_args=(--no-gui) ;;
  esac
done
./scripts/setup.sh "${setup_args[@]}"
generator=()
command -v ninja >/dev/null && [[ ! -f build/CMakeCache.txt || -f build/build.ninja ]] && generator=(-G Ninja)
cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build --parallel "$(nproc)"
