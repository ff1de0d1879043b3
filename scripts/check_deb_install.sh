#!/usr/bin/env bash
# Builds the .deb (scripts/package_deb.sh) and installs it with apt into a throwaway Debian 12 root
# made by mmdebstrap from Debian's archive, then, inside that root (scripts/deb_root_checks.sh), trains
# the quick preset with `ffint8` and starts `ffint8-workbench` under Xvfb until its window shows.
# --arch arm64 cross-builds the arm64 package and makes an arm64 root, whose programs (apt's and
# dpkg's included) run under qemu-user through binfmt_misc (qemu-user-static's registration, which
# works inside a chroot); scripts/setup.sh --for-arm64-deb installs what that needs.
# Needs root (chroot) and the archive; minutes for amd64, far more for arm64 (README, "Building on a
# Jetson"). Run by hand, not by CI.
#   scripts/check_deb_install.sh [--arch amd64|arm64] [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
arch=$(dpkg --print-architecture)
args=()
if [[ "${1:-}" == --arch ]]; then
  [[ $# -ge 2 ]] || { echo "check_deb_install: --arch needs a value (amd64 or arm64)" >&2; exit 1; }
  arch=$2
  args=(--arch "$2")
  shift 2
fi
[[ $# -le 1 ]] || { echo "check_deb_install: one build folder at most, got '$*'" >&2; exit 1; }
args+=("$@")
command -v mmdebstrap >/dev/null || { echo "skip: mmdebstrap is not installed (apt-get install mmdebstrap)"; exit 77; }
[[ $(id -u) -eq 0 ]] || { echo "skip: needs root to chroot into the throwaway Debian"; exit 77; }
window_wait=30
if [[ "$arch" != "$(dpkg --print-architecture)" ]]; then
  # Containers often start without binfmt_misc mounted, and with nothing that registers qemu there.
  binfmt=/proc/sys/fs/binfmt_misc
  mountpoint -q "$binfmt" || mount -t binfmt_misc binfmt_misc "$binfmt" \
    || { echo "check_deb_install: cannot mount binfmt_misc on $binfmt" >&2; exit 1; }
  qemu_name=qemu-aarch64
  [[ "$arch" == arm64 ]] || { echo "check_deb_install: --arch '$arch': amd64 natively or arm64 under qemu" >&2; exit 1; }
  if [[ ! -e "$binfmt/$qemu_name" ]] && command -v update-binfmts >/dev/null; then
    update-binfmts --enable "$qemu_name"
  fi
  [[ -e "$binfmt/$qemu_name" ]] || { echo "skip: no $binfmt/$qemu_name (scripts/setup.sh --for-arm64-deb installs qemu-user-static and binfmt-support)"; exit 77; }
  grep -q '^flags: .*F' "$binfmt/$qemu_name" \
    || { echo "check_deb_install: $binfmt/$qemu_name lacks the F flag (qemu-user-static's), so a chroot cannot run it" >&2; exit 1; }
  window_wait=300
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
start=$(date +%s)
deb="$(realpath "$(./scripts/package_deb.sh "${args[@]}" | tail -n 1)")"
echo "package: $(basename "$deb") (package_deb.sh: $(($(date +%s) - start)) s)"
echo "Depends: $(dpkg-deb -f "$deb" Depends)"
[[ "$(dpkg-deb -f "$deb" Architecture)" == "$arch" ]] \
  || { echo "check_deb_install: $deb is for $(dpkg-deb -f "$deb" Architecture), not $arch" >&2; exit 1; }
root_start=$(date +%s)
mmdebstrap --quiet --variant=apt --architectures="$arch" bookworm "$work/root" http://deb.debian.org/debian \
  --customize-hook="copy-in $deb $PWD/scripts/deb_root_checks.sh /tmp" \
  --customize-hook='chroot "$1" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o APT::Install-Recommends=true /tmp/'"$(basename "$deb")"' xvfb xauth x11-utils >/dev/null' \
  --customize-hook='chroot "$1" dpkg-query -W -f="installed: \${Package} \${Version} \${Architecture}\n" ffint8-workbench' \
  --customize-hook='chroot "$1" bash /tmp/deb_root_checks.sh '"$window_wait"
echo "installed and ran in a clean Debian 12 $arch (root made, installed into and checked in $(($(date +%s) - root_start)) s)"
