#!/usr/bin/env bash
# Runs inside the throwaway Debian root that scripts/check_deb_install.sh made and installed the
# package into: trains the quick preset with the installed `ffint8`, checks the desktop entry, icon and
# presets are in place, and starts `ffint8-workbench` under Xvfb until its window is mapped (polled,
# since under qemu-user Xvfb and the window take tens of seconds rather than one).
#   deb_root_checks.sh [WINDOW_WAIT_SECONDS]      (default 120)
set -euo pipefail
wait_s="${1:-120}"
start=$(date +%s)
elapsed() { echo $(($(date +%s) - start)); }

echo "ffint8: $(command -v ffint8) ($(dpkg --print-architecture) root, $(uname -m) as seen by the program)"
ffint8 train --preset quick --epochs 1 --train-limit 2000 --test-limit 500 --no-db
echo "ffint8 train: done after $(elapsed) s"

for file in /usr/share/applications/ffint8-workbench.desktop /usr/share/icons/hicolor/scalable/apps/ffint8-workbench.svg \
            /usr/share/icons/hicolor/256x256/apps/ffint8-workbench.png /usr/share/ffint8/experiments/quick.json; do
  [[ -f "$file" ]] || { echo "FAIL: the package installed no $file"; exit 1; }
  echo "installed: $file"
done

# The window is looked for by its title; IsViewable means it is mapped on the Xvfb screen.
gui_start=$(date +%s)
xvfb-run -a bash -c '
  ffint8-workbench & pid=$!
  for ((i = 0; i < '"$wait_s"'; i++)); do
    sleep 1
    if xwininfo -name "FF-INT8 Workbench" 2>/dev/null | grep -q "Map State: IsViewable"; then
      echo "ffint8-workbench: window \"FF-INT8 Workbench\" mapped (xwininfo: IsViewable) after $((i + 1)) s"
      kill "$pid"
      exit 0
    fi
    kill -0 "$pid" 2>/dev/null || { echo "FAIL: ffint8-workbench exited before its window was mapped"; exit 1; }
  done
  echo "FAIL: no window \"FF-INT8 Workbench\" mapped within '"$wait_s"' s"
  kill "$pid"
  exit 1'
echo "ffint8-workbench: checked in $(($(date +%s) - gui_start)) s (Xvfb start included)"
