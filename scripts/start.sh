#!/usr/bin/env bash
# Sets up, builds and starts the workbench on its embedded defaults: the GUI where there is a
# display, else a headless run of the built-in "quick" experiment (FF-INT8 with look-ahead on
# Fashion-MNIST). Arguments go to the program started (ffint8-workbench, or `ffint8 train`).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh >/dev/null
if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" && -x build/ui/ffint8-workbench ]]; then
  exec build/ui/ffint8-workbench "$@"
fi
echo "start: no display, so the quick experiment runs headless (build/app/ffint8 train --preset quick)" >&2
exec build/app/ffint8 train --preset quick "$@"
