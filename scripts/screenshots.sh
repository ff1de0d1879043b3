#!/usr/bin/env bash
# Takes the README's screenshots (docs/screenshots/*.png) of a real session under Xvfb: the quick
# demo trained twice, with and without look-ahead, through the workbench's launcher and queue.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh >/dev/null
exec xvfb-run -a -s "-screen 0 1600x1000x24" build/ui/ffint8-screenshots docs/screenshots
