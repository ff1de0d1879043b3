#!/usr/bin/env bash
# Tests what scripts/setup.sh chooses on each distribution it knows, without installing anything: its
# --print-packages on fake os-release files (Debian 12 and 13, Ubuntu 22.04 and 24.04, on amd64 and
# arm64) must give each one's Qt SVG package, QCustomPlot from a package or from source, and the
# aarch64 cross tools on Debian 12 amd64 only, with --for-arm64-deb the arm64 package's cross build
# there and a refusal elsewhere; an unknown distribution is refused by name. On this machine's own
# distribution, every package it lists (--for-arm64-deb's too on Debian 12 amd64) must have an
# installation candidate in apt's lists (skipped where apt has no lists). A few seconds.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf -- "$scratch"' EXIT
passes=0
failures=0
check() { # DESCRIPTION CONDITION...
  local what=$1
  shift
  if "$@"; then echo "ok    $what"; passes=$((passes + 1)); else echo "FAIL  $what"; failures=$((failures + 1)); fi
}
has() { grep -qx "$2" "$1"; }
lacks() { ! grep -qx "$2" "$1"; }

for distro in debian:12 debian:13 ubuntu:22.04 ubuntu:24.04; do
  id=${distro%%:*}
  version=${distro#*:}
  printf 'NAME="%s"\nID=%s\nVERSION_ID="%s"\n' "$id" "$id" "$version" >"$scratch/$id-$version"
  for arch in amd64 arm64; do
    list="$scratch/$id-$version-$arch.list"
    FFINT8_OS_RELEASE="$scratch/$id-$version" FFINT8_ARCH=$arch \
      "$repo/scripts/setup.sh" --for-tests --print-packages >"$list"
    case "$distro" in
      ubuntu:22.04)
        check "$distro $arch: libqt6svg6-dev" has "$list" "package libqt6svg6-dev"
        check "$distro $arch: QCustomPlot from source, no libqcustomplot-dev (Qt 5 only there)" \
          has "$list" "qcustomplot: from source"
        check "$distro $arch: no libqcustomplot-dev" lacks "$list" "package libqcustomplot-dev" ;;
      *)
        check "$distro $arch: qt6-svg-dev" has "$list" "package qt6-svg-dev"
        check "$distro $arch: QCustomPlot from libqcustomplot-dev" has "$list" "package libqcustomplot-dev" ;;
    esac
    check "$distro $arch: oneDNN from libdnnl-dev" has "$list" "package libdnnl-dev"
    if [[ "$distro:$arch" == debian:12:amd64 ]]; then
      check "$distro $arch: arm64 Qt for the aarch64 checks" has "$list" "package qt6-base-dev:arm64"
    else
      check "$distro $arch: no cross tools" lacks "$list" "package g++-aarch64-linux-gnu"
    fi
  done
done
# The arm64 package's cross build: the whole product's arm64 libraries, on Debian 12 amd64 only.
list="$scratch/arm64-deb.list"
FFINT8_OS_RELEASE="$scratch/debian-12" FFINT8_ARCH=amd64 "$repo/scripts/setup.sh" --for-arm64-deb --print-packages >"$list"
for name in qt6-svg-dev:arm64 libqcustomplot-dev:arm64 libdnnl2:arm64 qemu-user-static mmdebstrap; do
  check "debian:12 amd64 --for-arm64-deb: $name" has "$list" "package $name"
done
check "debian:12 amd64 --for-arm64-deb: no libdnnl-dev:arm64 (its header clashes with amd64's)" \
  lacks "$list" "package libdnnl-dev:arm64"
for distro in debian-12:arm64 ubuntu-22.04:amd64; do
  if FFINT8_OS_RELEASE="$scratch/${distro%%:*}" FFINT8_ARCH=${distro#*:} "$repo/scripts/setup.sh" --for-arm64-deb \
       --print-packages >"$scratch/arm64-deb-refused.log" 2>&1; then
    check "$distro --for-arm64-deb refused" false
  else
    check "$distro --for-arm64-deb refused, naming the distribution" \
      grep -q -- "--for-arm64-deb: .* this is ${distro%%-*} " "$scratch/arm64-deb-refused.log"
  fi
done

list="$scratch/no-gui.list"
FFINT8_OS_RELEASE="$scratch/ubuntu-22.04" FFINT8_ARCH=arm64 "$repo/scripts/setup.sh" --no-gui --print-packages >"$list"
check "ubuntu:22.04 arm64 --no-gui: no QCustomPlot" has "$list" "qcustomplot: none"

printf 'ID=fedora\nVERSION_ID=40\n' >"$scratch/fedora"
if FFINT8_OS_RELEASE="$scratch/fedora" "$repo/scripts/setup.sh" --print-packages >"$scratch/fedora.log" 2>&1; then
  check "fedora 40 refused" false
else
  check "fedora 40 refused, naming the file and the distribution" \
    grep -q "$scratch/fedora says ID=fedora VERSION_ID=40" "$scratch/fedora.log"
fi

# This machine's distribution: every name it would install exists in apt's lists.
if compgen -G "/var/lib/apt/lists/*Packages*" >/dev/null; then
  here_args=(--for-tests)
  # --for-arm64-deb is known on Debian 12 amd64 only.
  if grep -qx 'ID=debian' /etc/os-release && grep -qx 'VERSION_ID="12"' /etc/os-release \
     && [[ $(dpkg --print-architecture) == amd64 ]]; then
    here_args+=(--for-arm64-deb)
  fi
  "$repo/scripts/setup.sh" "${here_args[@]}" --print-packages | sed -n 's/^package //p' >"$scratch/here.list"
  # One apt-cache call: a section "NAME:" per package it knows, with its "Candidate:" line.
  mapfile -t names <"$scratch/here.list"
  apt-cache policy "${names[@]}" 2>/dev/null \
    | awk '/^[^ ]/ { name = substr($0, 1, length($0) - 1) } /^  Candidate: / && $2 != "(none)" { print name }' \
    >"$scratch/known.list"
  unknown=()
  for name in "${names[@]}"; do
    grep -qxF "$name" "$scratch/known.list" || unknown+=("$name")
  done
  check "this machine ($(sed -n 's/^PRETTY_NAME=//p' /etc/os-release | tr -d '"')): every package has a candidate${unknown:+; none for ${unknown[*]}}" \
    test ${#unknown[@]} -eq 0
else
  echo "skip  this machine's package names: apt has no lists (apt-get update)"
fi

echo "$passes passed, $failures failed"
[[ $failures -eq 0 ]]
