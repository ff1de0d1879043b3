#!/usr/bin/env bash
# Builds ffint8-workbench_VERSION_ARCH.deb into BUILD_DIR/package/ from a build made for packaging:
# portable code (no -march=native: the package runs on CPUs other than this one; the INT8 kernels
# choose their instructions at run time) and no tests. CUDA only with --cuda (a Jetson or a desktop
# with NVIDIA's CUDA packages): the package then depends on that toolkit's runtime packages.
# --arch arm64 cross-builds the whole product (engine, ffint8, ffint8-workbench) for aarch64 on
# Debian 12 amd64 with cmake/aarch64-linux-gnu.cmake, against Debian 12's arm64 libraries installed by
# multiarch (scripts/setup.sh --for-arm64-deb), so the package is one for Debian 12 arm64.
# Usage: scripts/package_deb.sh [--cuda] [--arch amd64|arm64] [BUILD_DIR]
#   (BUILD_DIR defaults to build-deb, or build-deb-arm64 with --arch arm64)
set -euo pipefail
cd "$(dirname "$0")/.."
usage="scripts/package_deb.sh [--cuda] [--arch amd64|arm64] [BUILD_DIR]"
cuda=OFF
arch=$(dpkg --print-architecture)
out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cuda) cuda=ON; shift ;;
    --arch) [[ $# -ge 2 ]] || { echo "package_deb: --arch needs a value ($usage)" >&2; exit 1; }
            arch=$2; shift 2 ;;
    -*) echo "package_deb: unknown option '$1' ($usage)" >&2; exit 1 ;;
    *) [[ -z "$out" ]] || { echo "package_deb: a second build folder '$1' ($usage)" >&2; exit 1; }
       out=$1; shift ;;
  esac
done

configure=(-DCMAKE_BUILD_TYPE=Release -DFFINT8_NATIVE_ARCH=OFF -DFFINT8_CUDA=$cuda -DFFINT8_BUILD_TESTS=OFF)
cpack_env=()
if [[ "$arch" == "$(dpkg --print-architecture)" ]]; then
  out="${out:-build-deb}"
  ./scripts/setup.sh
elif [[ "$arch" == arm64 ]]; then
  # A cross build never takes the host's CUDA toolkit (CMakeLists.txt), and there is no arm64 one here.
  [[ $cuda == OFF ]] || { echo "package_deb: --cuda with --arch arm64: a cross build has no CUDA toolkit for aarch64" >&2; exit 1; }
  out="${out:-build-deb-arm64}"
  ./scripts/setup.sh --for-arm64-deb
  configure+=(-DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake)
  # CPack's Depends come from dpkg-shlibdeps, which takes each linked library of the binary's own ELF
  # class and machine, and its package's symbols file (the arm64 ones that multiarch installed).
  # It finds /usr/lib/aarch64-linux-gnu through the ld.so.conf entry of libc6:arm64; DEB_HOST_ARCH
  # makes it search there first, as in a Debian cross build, rather than rely on that entry.
  cpack_env=(DEB_HOST_ARCH=arm64)
else
  echo "package_deb: --arch '$arch': builds for $(dpkg --print-architecture) natively or for arm64 by cross build" >&2
  exit 1
fi
generator=()
command -v ninja >/dev/null && [[ ! -f "$out/CMakeCache.txt" || -f "$out/build.ninja" ]] && generator=(-G Ninja)
mkdir -p -- "$out"
# Quiet when it works; the end of a step's log, and where the whole of it is, when it does not.
logged() { # LOG COMMAND...
  local log=$1
  shift
  if ! "$@" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "package_deb: '$*' failed (the whole log: $log)" >&2
    exit 1
  fi
}
logged "$out/configure.log" cmake -S . -B "$out" "${generator[@]}" --no-warn-unused-cli "${configure[@]}"
logged "$out/build.log" cmake --build "$out" --parallel "$(nproc)"
rm -f -- "$out"/package/*.deb
logged "$out/cpack.log" env -C "$out" "${cpack_env[@]}" cpack --config CPackConfig.cmake -B "$(realpath "$out")/package"
ls "$out"/package/*.deb
