#!/usr/bin/env bash
# Builds the .deb (scripts/package_deb.sh) and installs it with apt into a throwaway Debian 12 root
# made by mmdebstrap from Debian's archive, then, inside that root, trains the quick preset with
# `ffint8` and starts `ffint8-workbench` under Xvfb. Needs root (chroot) and the archive; takes a few
# minutes. Usage: scripts/check_deb_install.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build-deb}"
command -v mmdebstrap >/dev/null || { echo "skip: mmdebstrap is not installed (apt-get install mmdebstrap)"; exit 77; }
[[ $(id -u) -eq 0 ]] || { echo "skip: needs root to chroot into the throwaway Debian"; exit 77; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
deb="$(realpath "$(./scripts/package_deb.sh "$build" | tail -n 1)")"
echo "package: $(basename "$deb")"
dpkg-deb -f "$deb" Depends
mmdebstrap --quiet --variant=apt bookworm "$work/root" http://deb.debian.org/debian \
  --customize-hook="copy-in $deb /tmp" \
  --customize-hook='chroot "$1" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o APT::Install-Recommends=true /tmp/'"$(basename "$deb")"' xvfb xauth >/dev/null' \
  --customize-hook='chroot "$1" ffint8 train --preset quick --epochs 1 --train-limit 2000 --test-limit 500 --no-db' \
  --customize-hook='chroot "$1" sh -c "ls /usr/share/applications/ffint8-workbench.desktop /usr/share/icons/hicolor/scalable/apps/ffint8-workbench.svg /usr/share/ffint8/experiments/quick.json"' \
  --customize-hook='chroot "$1" sh -c "timeout 8 xvfb-run -a ffint8-workbench; test \$? -eq 124 && echo ffint8-workbench started and ran until stopped"'
echo "installed and ran in a clean Debian 12"
