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
# extras (--for-tests): an aarch64 cross compiler, qemu-user and arm64 zlib, oneDNN and Qt (multiarch), to
# build the engine and the command line for ARM and run them here (scripts/check_arm64.sh), and pdflatex with
# booktabs, to compile the LaTeX export.
arm64=false
for arg in "$@"; do
  case "$arg" in
    --with-torch) packages+=(python3-torch python3-numpy) ;;
    --for-tests)
      arm64=true
      packages+=(g++-aarch64-linux-gnu qemu-user texlive-latex-base texlive-latex-recommended
                 zlib1g-dev:arm64 libdnnl2:arm64 qt6-base-dev:arm64 libqt6sql6-sqlite:arm64) ;;
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
if $arm64 && ! dpkg --print-foreign-architectures | grep -qx arm64; then
  "${sudo_cmd[@]}" dpkg --add-architecture arm64
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq >/dev/null
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
