#!/usr/bin/env bash
# Configures and builds the workbench into build/ (Release), after installing what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
generator=()
command -v ninja >/dev/null && [[ ! -f build/CMakeCache.txt || -f build/build.ninja ]] && generator=(-G Ninja)
cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build --parallel "$(nproc)"
