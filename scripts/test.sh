#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite (Qt Test executables and the engine op checks).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --for-tests
./scripts/build.sh
# As many tests at a time as there are cores (the cpu backend takes only the cores left idle).
ctest --test-dir build --output-on-failure --timeout 900 --parallel "$(nproc)" "$@"
