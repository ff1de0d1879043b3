#!/usr/bin/env bash
# Makes a Qt 6 QCustomPlot that find_package(QCustomPlotQt6) finds, for distributions without one
# (Ubuntu 22.04, JetPack 6). A package CMake already finds is used as it is. Otherwise it takes a
# QCustomPlot 2.1 source archive (a path or an http(s) URL), checks its SHA-256 before unpacking it
# (a mismatch is refused and the archive removed), builds qcustomplot.cpp with cmake/qcustomplot/
# and installs libQCustomPlotQt6.so, qcustomplot.h and the CMake package into a prefix. About a
# minute on two cores (compiling qcustomplot.cpp: 40 seconds here). scripts/setup.sh calls it.
#
#   scripts/qcustomplot_from_source.sh [--source PATH|URL] [--sha256 HEX] [--prefix DIR]
#                                      [--work-dir DIR] [--cmake-arg ARG]...
#   --source, --sha256   the archive and its SHA-256 (default $QCUSTOMPLOT_SOURCE, $QCUSTOMPLOT_SHA256)
#   --prefix DIR         where to install (default $QCUSTOMPLOT_PREFIX, else /usr/local; sudo is
#                        asked for when it is not writable)
#   --work-dir DIR       download, unpack and build here and keep it (default: a temporary folder,
#                        removed at the end)
#   --cmake-arg ARG      passed to every CMake configure step (repeatable), e.g. CMAKE_IGNORE_PATH to
#                        hide an installed package
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

source_spec=${QCUSTOMPLOT_SOURCE:-}
sha256=${QCUSTOMPLOT_SHA256:-}
prefix=${QCUSTOMPLOT_PREFIX:-/usr/local}
work_dir=
cmake_args=()
fail() { echo "qcustomplot_from_source: $*" >&2; exit 1; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --source|--sha256|--prefix|--work-dir|--cmake-arg)
      [[ $# -ge 2 ]] || fail "$1 needs a value"
      case "$1" in
        --source) source_spec=$2 ;;
        --sha256) sha256=$2 ;;
        --prefix) prefix=$2 ;;
        --work-dir) work_dir=$2 ;;
        --cmake-arg) cmake_args+=("$2") ;;
      esac
      shift 2 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) fail "unknown argument '$1' (see --help)" ;;
  esac
done
[[ "$prefix" = /* ]] || prefix="$PWD/$prefix"

if [[ -n "$work_dir" ]]; then
  mkdir -p -- "$work_dir"
  work_dir=$(cd -- "$work_dir" && pwd)
else
  work_dir=$(mktemp -d)
  trap 'rm -rf -- "$work_dir"' EXIT
fi
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)

# Prints the QCustomPlotQt6_DIR that find_package finds (with the prefix searched first), or fails.
find_installed() {
  rm -rf -- "$work_dir/find"
  cmake -S "$repo/cmake/qcustomplot/find" -B "$work_dir/find" "${generator[@]}" \
    "-DCMAKE_PREFIX_PATH=$prefix" "${cmake_args[@]}" 2>/dev/null | sed -n 's/^-- QCustomPlotQt6_DIR=//p'
}

found=$(find_installed || true)
if [[ -n "$found" ]]; then
  echo "qcustomplot_from_source: find_package(QCustomPlotQt6) finds $found; nothing to build"
  exit 0
fi

if [[ -z "$source_spec" ]]; then
  fail "no Qt 6 QCustomPlot is installed: name a QCustomPlot 2.1 source archive with --source PATH|URL" \
       "(or QCUSTOMPLOT_SOURCE) and its SHA-256 with --sha256 (or QCUSTOMPLOT_SHA256)"
fi
if [[ -z "$sha256" ]]; then
  fail "no SHA-256 for $source_spec: give --sha256 HEX (or QCUSTOMPLOT_SHA256); the archive is checked before it is unpacked"
fi
sha256=${sha256,,}
[[ "$sha256" =~ ^[0-9a-f]{64}$ ]] || fail "--sha256 '$sha256' is not 64 hexadecimal digits"

archive="$work_dir/qcustomplot-source.archive"
rm -f -- "$archive"
if [[ "$source_spec" =~ ^https?:// ]]; then
  echo "qcustomplot_from_source: downloading $source_spec"
  if command -v curl >/dev/null; then
    curl -fsSL --proto '=http,https' --output "$archive" -- "$source_spec" || { rm -f -- "$archive"; fail "could not download $source_spec"; }
  elif command -v wget >/dev/null; then
    wget -q -O "$archive" -- "$source_spec" || { rm -f -- "$archive"; fail "could not download $source_spec"; }
  else
    fail "neither curl nor wget is installed to download $source_spec"
  fi
else
  [[ -f "$source_spec" ]] || fail "no source archive at '$source_spec'"
  cp -- "$source_spec" "$archive"
fi

actual=$(sha256sum -- "$archive" | cut -d ' ' -f 1)
if [[ "$actual" != "$sha256" ]]; then
  rm -f -- "$archive"
  fail "refused $source_spec: its SHA-256 is $actual, not the expected $sha256; removed $archive"
fi

rm -rf -- "$work_dir/src"
mkdir -p -- "$work_dir/src"
tar --no-same-owner -xf "$archive" -C "$work_dir/src" \
  || fail "could not unpack $source_spec (a tar archive, compressed or not, is expected)"
mapfile -t sources < <(find "$work_dir/src" -maxdepth 3 -name qcustomplot.cpp)
[[ ${#sources[@]} -eq 1 ]] || fail "$source_spec holds ${#sources[@]} qcustomplot.cpp files within three folders, not one"
source_dir=$(dirname -- "${sources[0]}")
[[ -f "$source_dir/qcustomplot.h" ]] || fail "$source_spec has no qcustomplot.h beside ${sources[0]#"$work_dir/src/"}"

cmake -S "$repo/cmake/qcustomplot" -B "$work_dir/build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  "-DQCUSTOMPLOT_SOURCE_DIR=$source_dir" "-DCMAKE_INSTALL_PREFIX=$prefix" "${cmake_args[@]}" >/dev/null
cmake --build "$work_dir/build" --parallel "$(nproc)" >/dev/null
sudo_cmd=()
probe=$prefix
while [[ ! -e "$probe" ]]; do probe=$(dirname -- "$probe"); done
[[ -w "$probe" ]] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" cmake --install "$work_dir/build" >/dev/null
# A system prefix's library is found at run time through the loader's cache.
if [[ "$prefix" == /usr || "$prefix" == /usr/local ]] && [[ $(id -u) -eq 0 || ${#sudo_cmd[@]} -gt 0 ]] \
   && command -v ldconfig >/dev/null; then
  "${sudo_cmd[@]}" ldconfig
fi

found=$(find_installed || true)
[[ -n "$found" ]] || fail "installed into $prefix, but find_package(QCustomPlotQt6) does not find it there"
echo "qcustomplot_from_source: installed QCustomPlot into $prefix; find_package(QCustomPlotQt6) finds $found"
