#!/usr/bin/env bash
# Installs every build, run and test dependency of the workbench from Debian 12 packages.
# Idempotent: when everything is present it prints nothing and exits at once.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  qt6-base-dev libqt6sql6-sqlite libqt6opengl6-dev qt6-svg-dev libqcustomplot-dev
  libsqlite3-dev sqlite3 libdnnl-dev zlib1g-dev
  xvfb xauth
  dataset-fashion-mnist
)
# Optional extras for benchmarks against a PyTorch baseline: pass --with-torch. The test suite's
# extras (--for-tests): an aarch64 cross compiler and qemu-user, to check the ARM INT8 kernels here,
# and pdflatex with booktabs, to compile the LaTeX export.
for arg in "$@"; do
  case "$arg" in
    --with-torch) packages+=(python3-torch python3-numpy) ;;
    --for-tests) packages+=(g++-aarch64-linux-gnu qemu-user texlive-latex-base texlive-latex-recommended) ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "setup: installing ${missing[*]}" >&2
sudo_cmd=()
[[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq >/dev/null
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
