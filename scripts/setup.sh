#!/usr/bin/env bash
# Installs every build, run and test dependency of the workbench from the distribution's packages:
# Debian 12 and 13, Ubuntu 22.04 (JetPack 6) and 24.04 (JetPack 7), on amd64 and arm64. Ubuntu 22.04
# has no Qt 6 build of QCustomPlot: there it is built from a source archive that QCUSTOMPLOT_SOURCE
# (a path or URL) and QCUSTOMPLOT_SHA256 name, into /usr/local (scripts/qcustomplot_from_source.sh,
# about a minute), unless --no-gui leaves the GUI out.
# Idempotent: when everything is present it prints nothing and exits in a second or two.
#   scripts/setup.sh [--for-tests] [--for-arm64-deb] [--with-torch] [--no-gui] [--print-packages]
#   --for-tests       the test suite's extras too: pdflatex with booktabs (the LaTeX export), clang
#                     with libFuzzer (scripts/fuzz.sh), and on
#                     Debian 12 amd64 an aarch64 cross compiler, qemu-user and arm64 zlib, oneDNN and
#                     Qt by multiarch (scripts/check_arm64.sh; it skips elsewhere)
#   --for-arm64-deb   Debian 12 amd64 only (refused elsewhere): the arm64 package's cross build and its
#                     install check (scripts/package_deb.sh --arch arm64, scripts/check_deb_install.sh
#                     --arch arm64): the aarch64 cross compiler, the arm64 -dev packages of every library
#                     the programs and the GUI link (multiarch; oneDNN's runtime package only, as its
#                     -dev cannot sit beside amd64's), mmdebstrap with arch-test, and qemu-user-static
#                     with binfmt-support, which run the throwaway arm64 root's programs
#   --with-torch      Debian's PyTorch for scripts/bench_vs_torch.sh
#   --no-gui          no QCustomPlot (then build with -DFFINT8_BUILD_GUI=OFF)
#   --print-packages  print what this system would get (a line "package NAME" for each package, and
#                     "qcustomplot: package" or "qcustomplot: from source" or "qcustomplot: none") and
#                     install nothing; FFINT8_OS_RELEASE (default /etc/os-release) and FFINT8_ARCH
#                     (default dpkg's architecture) describe another system to it
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
for_tests=false
arm64_deb=false
with_torch=false
gui=true
print_only=false
for arg in "$@"; do
  case "$arg" in
    --for-tests) for_tests=true ;;
    --for-arm64-deb) arm64_deb=true ;;
    --with-torch) with_torch=true ;;
    --no-gui) gui=false ;;
    --print-packages) print_only=true ;;
    *) echo "setup: unknown argument '$arg' (scripts/setup.sh [--for-tests] [--for-arm64-deb] [--with-torch] [--no-gui] [--print-packages])" >&2
       exit 1 ;;
  esac
done

# The distribution, read from os-release's ID and VERSION_ID (the file is parsed, not run).
os_release=${FFINT8_OS_RELEASE:-/etc/os-release}
[[ -r "$os_release" ]] || { echo "setup: cannot read $os_release to tell the distribution" >&2; exit 1; }
os_field() { sed -n "s/^$1=//p" "$os_release" | head -n 1 | tr -d '"'"'"; }
os_id=$(os_field ID)
os_version=$(os_field VERSION_ID)
arch=${FFINT8_ARCH:-$(dpkg --print-architecture)}
case "$arch" in
  amd64|arm64) ;;
  *) echo "setup: architecture '$arch' (dpkg --print-architecture): setup.sh knows amd64 and arm64" >&2; exit 1 ;;
esac

# Each distribution's names where they differ, and whether it has a Qt 6 QCustomPlot.
case "$os_id:$os_version" in
  debian:12) svg_dev=qt6-svg-dev; qcustomplot=package; fuzzer_runtime=libclang-rt-14-dev ;;
  debian:13) svg_dev=qt6-svg-dev; qcustomplot=package; fuzzer_runtime=libclang-rt-19-dev ;;
  ubuntu:24.04) svg_dev=qt6-svg-dev; qcustomplot=package; fuzzer_runtime=libclang-rt-18-dev ;;
  ubuntu:22.04) svg_dev=libqt6svg6-dev; qcustomplot=source; fuzzer_runtime=libclang-common-14-dev ;;
  *) echo "setup: $os_release says ID=$os_id VERSION_ID=$os_version; setup.sh knows Debian 12 and 13" \
          "and Ubuntu 22.04 and 24.04" >&2
     exit 1 ;;
esac
$gui || qcustomplot=none

packages=(
  build-essential cmake ninja-build pkg-config
  qt6-base-dev libqt6sql6-sqlite libqt6opengl6-dev "$svg_dev"
  libsqlite3-dev sqlite3 libdnnl-dev zlib1g-dev
  xvfb xauth
  dataset-fashion-mnist
)
[[ $qcustomplot == package ]] && packages+=(libqcustomplot-dev)
# Building QCustomPlot from source downloads its archive when QCUSTOMPLOT_SOURCE is a URL.
[[ $qcustomplot == source ]] && packages+=(curl)
$with_torch && packages+=(python3-torch python3-numpy)
cross_arm64=false
if $for_tests; then
  packages+=(texlive-latex-base texlive-latex-recommended)
  # scripts/fuzz.sh: clang with its libFuzzer and sanitizer runtimes.
  packages+=(clang "$fuzzer_runtime")
  # The aarch64 checks need arm64 libraries that match the host's by multiarch: set up where CI runs.
  if [[ "$os_id:$os_version:$arch" == debian:12:amd64 ]]; then
    cross_arm64=true
    packages+=(g++-aarch64-linux-gnu qemu-user zlib1g-dev:arm64 libdnnl2:arm64
               qt6-base-dev:arm64 libqt6sql6-sqlite:arm64)
  elif ! $print_only; then
    echo "setup: scripts/check_arm64.sh's cross tools are set up on Debian 12 amd64 only; it skips here" >&2
  fi
fi
# The arm64 package is cross-built on the machine kind CI runs on, against the arm64 builds of its
# Debian 12 packages: what it links is what Debian 12 arm64 installs, and its Depends say so.
if $arm64_deb; then
  if [[ "$os_id:$os_version:$arch" != debian:12:amd64 ]]; then
    echo "setup: --for-arm64-deb: the arm64 .deb is cross-built on Debian 12 amd64 only; this is" \
         "$os_id $os_version $arch ($os_release)" >&2
    exit 1
  fi
  cross_arm64=true
  packages+=(g++-aarch64-linux-gnu qemu-user mmdebstrap arch-test qemu-user-static binfmt-support
             qt6-base-dev:arm64 libqt6sql6-sqlite:arm64 qt6-svg-dev:arm64 libqcustomplot-dev:arm64
             libdnnl2:arm64 zlib1g-dev:arm64)
  # --for-tests names some of these too.
  mapfile -t packages < <(printf '%s\n' "${packages[@]}" | awk '!seen[$0]++')
fi

if $print_only; then
  printf 'package %s\n' "${packages[@]}"
  [[ $qcustomplot == source ]] && echo "qcustomplot: from source" || echo "qcustomplot: $qcustomplot"
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
sudo_cmd=()
[[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "setup: installing ${missing[*]}" >&2
  if $cross_arm64 && ! dpkg --print-foreign-architectures | grep -qx arm64; then
    "${sudo_cmd[@]}" dpkg --add-architecture arm64
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq >/dev/null
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ $qcustomplot == source ]]; then
  # Finds an installed one first (quietly: this runs before every build); builds it otherwise.
  log=$(mktemp)
  if ! "$repo/scripts/qcustomplot_from_source.sh" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f -- "$log"
    echo "setup: $os_id $os_version has no Qt 6 QCustomPlot package. For the workbench GUI, download" \
         "QCustomPlot 2.1.1's source archive (QCustomPlot-source.tar.gz) and run" \
         "QCUSTOMPLOT_SOURCE=PATH-OR-URL QCUSTOMPLOT_SHA256=ITS-SHA256 scripts/setup.sh;" \
         "without the GUI: scripts/setup.sh --no-gui and build with -DFFINT8_BUILD_GUI=OFF" >&2
    exit 1
  fi
  grep -v 'nothing to build$' "$log" >&2 || true
  rm -f -- "$log"
fi
