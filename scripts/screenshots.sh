#!/usr/bin/env bash
# Takes the README's screenshots (docs/screenshots/*.png) of a real session under Xvfb on a 1366x768
# screen: a suite of the quick demo (FF-INT8 with and without look-ahead, BP-FP32) opened in the
# workbench's launcher and run through its queue.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh >/dev/null
exec xvfb-run -a -s "-screen 0 1366x768x24" build/ui/ffint8-screenshots docs/screenshots
