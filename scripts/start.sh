#!/usr/bin/env bash
# Sets up, builds and starts the workbench on its embedded defaults. Until the GUI exists this is
# a headless run of the built-in "quick" experiment (FF-INT8 with look-ahead on Fashion-MNIST).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh >/dev/null
exec build/app/ffint8 train --preset quick "$@"
