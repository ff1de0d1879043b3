#!/usr/bin/env bash
# Tests scripts/qcustomplot_from_source.sh, the path setup.sh takes where a distribution has no Qt 6
# QCustomPlot (Ubuntu 22.04, JetPack 6), without root and without leaving this machine:
# - packs qcustomplot.h and qcustomplot.cpp into a source archive laid out like QCustomPlot's releases
#   and serves it from a local HTTP server (python3 -m http.server on 127.0.0.1, a free port);
# - a wrong SHA-256 is refused, the downloaded archive removed and nothing installed; no SHA-256 at
#   all is refused too;
# - the right one builds and installs into a temporary prefix, and a tiny CMake project finds the
#   package there, links QCustomPlotQt6::QCustomPlotQt6 and draws a plot (offscreen);
# - run again, the script finds the installed package and builds nothing.
# The Debian package (libqcustomplot-dev) stays installed on this machine; it is hidden from CMake by
# CMAKE_IGNORE_PATH on its CMake package folders, as if it were removed, and the tiny project checks
# that the header and library it used are the prefix's.
# The sources: --sources DIR (or $QCUSTOMPLOT_TEST_SOURCES), a folder with QCustomPlot 2.1's
# qcustomplot.h and qcustomplot.cpp (about a minute: compiling qcustomplot.cpp); without it, a
# small stand-in pair that this script writes (a QCustomPlot widget with the same build needs:
# Q_OBJECT, the export macro, Widgets and PrintSupport), about 10 seconds: CTest runs that.
#   scripts/check_qcustomplot_source.sh [--sources DIR] [--keep]     (--keep: leave the scratch folder)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
sources=${QCUSTOMPLOT_TEST_SOURCES:-}
keep=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sources) [[ $# -ge 2 ]] || { echo "check_qcustomplot_source: --sources needs a folder" >&2; exit 1; }
               sources=$2; shift 2 ;;
    --keep) keep=true; shift ;;
    *) echo "check_qcustomplot_source: unknown argument '$1'" >&2; exit 1 ;;
  esac
done
missing=()
for tool in cmake python3 curl tar sha256sum; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "skip: missing ${missing[*]}"
  exit 77
fi

scratch=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if $keep; then echo "scratch folder kept: $scratch"; else rm -rf -- "$scratch"; fi
}
trap cleanup EXIT
passes=0
failures=0
pass() { echo "ok    $*"; passes=$((passes + 1)); }
fail() { echo "FAIL  $*"; failures=$((failures + 1)); }

# The sources, in a folder named as in QCustomPlot's source archives.
package="$scratch/package/qcustomplot-source"
mkdir -p -- "$package"
if [[ -n "$sources" ]]; then
  for file in qcustomplot.h qcustomplot.cpp; do
    [[ -f "$sources/$file" ]] || { echo "check_qcustomplot_source: no $file in $sources" >&2; exit 1; }
    cp -- "$sources/$file" "$package/"
  done
  stand_in=false
  echo "sources: $sources"
else
  stand_in=true
  echo "sources: a stand-in qcustomplot.h and qcustomplot.cpp (--sources DIR builds real ones)"
  cat >"$package/qcustomplot.h" <<'HEADER'
// A stand-in for QCustomPlot's amalgamated header: the same version line, export macro and base class.
#pragma once
#include <QtWidgets/QWidget>
#include <QtPrintSupport/QPrinter>
#include <vector>
#define QCUSTOMPLOT_VERSION_STR "2.1.0"
#define QCUSTOMPLOT_STAND_IN 1
#if defined(QCUSTOMPLOT_COMPILE_LIBRARY)
#  define QCP_LIB_DECL Q_DECL_EXPORT
#elif defined(QCUSTOMPLOT_USE_LIBRARY)
#  define QCP_LIB_DECL Q_DECL_IMPORT
#else
#  define QCP_LIB_DECL
#endif
class QCP_LIB_DECL QCPGraph
{
public:
    std::vector<double> keys, values;
};
class QCP_LIB_DECL QCustomPlot : public QWidget
{
    Q_OBJECT
public:
    explicit QCustomPlot(QWidget *parent = nullptr);
    ~QCustomPlot() override;
    QCPGraph *addGraph();
    int graphCount() const;
    void replot();
    bool savePdf(const QString &fileName);
signals:
    void afterReplot();
private:
    std::vector<QCPGraph *> m_graphs;
};
HEADER
  cat >"$package/qcustomplot.cpp" <<'SOURCE'
// A stand-in for QCustomPlot's amalgamated source.
#include "qcustomplot.h"
#include <QtGui/QPainter>
QCustomPlot::QCustomPlot(QWidget *parent) : QWidget(parent) {}
QCustomPlot::~QCustomPlot()
{
    for (QCPGraph *graph : m_graphs)
        delete graph;
}
QCPGraph *QCustomPlot::addGraph()
{
    m_graphs.push_back(new QCPGraph);
    return m_graphs.back();
}
int QCustomPlot::graphCount() const { return int(m_graphs.size()); }
void QCustomPlot::replot()
{
    update();
    emit afterReplot();
}
bool QCustomPlot::savePdf(const QString &fileName)
{
    QPrinter printer;
    printer.setOutputFileName(fileName);
    QPainter painter;
    return painter.begin(&printer) && painter.end();
}
SOURCE
fi
www="$scratch/www"
mkdir -p -- "$www"
tar -czf "$www/QCustomPlot-source.tar.gz" -C "$scratch/package" qcustomplot-source
right_sha=$(sha256sum "$www/QCustomPlot-source.tar.gz" | cut -d ' ' -f 1)
wrong_sha=$(printf '%s' "$right_sha" | tr '0-9a-f' '1-9a-f0')

# The local server, on a free port of 127.0.0.1 only.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$www" "$port" >"$scratch/server.log" 2>&1 &
server_pid=$!
url="http://127.0.0.1:$port/QCustomPlot-source.tar.gz"
for _ in $(seq 50); do
  curl -fsS -o /dev/null "$url" 2>/dev/null && break
  sleep 0.1
done
curl -fsS -o /dev/null "$url" || { echo "check_qcustomplot_source: the local server did not answer at $url" >&2; exit 1; }

# Every CMake package folder of an installed QCustomPlot for Qt 6 (Debian's, or one built before),
# hidden from every CMake step so that only the prefix can provide the package.
hidden=()
for dir in /usr/lib/*/cmake/QCustomPlotQt6 /lib/*/cmake/QCustomPlotQt6 /usr/lib/cmake/QCustomPlotQt6 \
           /usr/local/lib/*/cmake/QCustomPlotQt6 /usr/local/lib/cmake/QCustomPlotQt6 /usr/share/cmake/QCustomPlotQt6; do
  [[ -d "$dir" ]] && hidden+=("$dir")
done
ignore_path=$(IFS=';'; echo "${hidden[*]}")
echo "hidden from CMake: ${hidden[*]:-(no installed package)}"
prefix="$scratch/prefix"
from_source=("$repo/scripts/qcustomplot_from_source.sh" --prefix "$prefix" --cmake-arg "-DCMAKE_IGNORE_PATH=$ignore_path")

# A wrong SHA-256: refused, the download removed, nothing installed.
set +e
"${from_source[@]}" --source "$url" --sha256 "$wrong_sha" --work-dir "$scratch/work-wrong" >"$scratch/wrong.log" 2>&1
rc=$?
set -e
if [[ $rc -ne 0 ]] && grep -q "refused $url: its SHA-256 is $right_sha, not the expected $wrong_sha" "$scratch/wrong.log" \
   && [[ ! -e "$scratch/work-wrong/qcustomplot-source.archive" && ! -e "$prefix" ]]; then
  pass "wrong SHA-256 refused, the archive removed, nothing installed"
else
  fail "wrong SHA-256 (exit $rc): $(cat "$scratch/wrong.log")"
fi
set +e
"${from_source[@]}" --source "$url" --work-dir "$scratch/work-none" >"$scratch/none.log" 2>&1
rc=$?
set -e
if [[ $rc -ne 0 ]] && grep -q "no SHA-256 for $url" "$scratch/none.log" && [[ ! -e "$scratch/work-none/qcustomplot-source.archive" ]]; then
  pass "no SHA-256: refused before downloading"
else
  fail "no SHA-256 (exit $rc): $(cat "$scratch/none.log")"
fi

# The right one: downloaded, built and installed into the prefix.
if "${from_source[@]}" --source "$url" --sha256 "$right_sha" --work-dir "$scratch/work" >"$scratch/build.log" 2>&1 \
   && grep -q "installed QCustomPlot into $prefix; find_package(QCustomPlotQt6) finds $prefix/" "$scratch/build.log"; then
  pass "built and installed: $(tail -n 1 "$scratch/build.log")"
else
  fail "build and install: $(tail -n 20 "$scratch/build.log")"
fi

# A tiny project that finds the package, links its target and draws.
consumer="$scratch/consumer"
mkdir -p -- "$consumer"
cat >"$consumer/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.22)
project(qcustomplot_consumer LANGUAGES CXX)
find_package(QCustomPlotQt6 REQUIRED)
message(STATUS "QCustomPlotQt6_DIR=${QCustomPlotQt6_DIR}")
add_executable(consumer main.cpp)
target_link_libraries(consumer PRIVATE QCustomPlotQt6::QCustomPlotQt6)
CMAKE
cat >"$consumer/main.cpp" <<'CPP'
// Draws a plot with the installed QCustomPlot and says which header it was compiled against.
#include <qcustomplot.h>
#include <QApplication>
#include <cstdio>
int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QCustomPlot plot;
    plot.resize(320, 200);
    plot.addGraph();
    plot.replot();
#ifdef QCUSTOMPLOT_STAND_IN
    const char *header = "stand-in";
#else
    const char *header = "QCustomPlot";
#endif
    std::printf("%s %s, %d graph(s)\n", header, QCUSTOMPLOT_VERSION_STR, plot.graphCount());
    return plot.graphCount() == 1 ? 0 : 1;
}
CPP
if cmake -S "$consumer" -B "$consumer/build" "-DCMAKE_PREFIX_PATH=$prefix" "-DCMAKE_IGNORE_PATH=$ignore_path" \
     >"$scratch/consumer-configure.log" 2>&1 \
   && cmake --build "$consumer/build" >"$scratch/consumer-build.log" 2>&1; then
  found=$(sed -n 's/^-- QCustomPlotQt6_DIR=//p' "$scratch/consumer-configure.log")
  if [[ "$found" == "$prefix"/* ]]; then pass "the tiny project found the package in the prefix: $found"
  else fail "the tiny project found the package at '$found', not in $prefix"; fi
  library=$(ldd "$consumer/build/consumer" | sed -n 's/^.*libQCustomPlotQt6\.so[^ ]* => \([^ ]*\) .*$/\1/p')
  if [[ "$library" == "$prefix"/* ]]; then pass "it links the prefix's library: $library"
  else fail "it links '$library', not the prefix's library"; fi
  if output=$(QT_QPA_PLATFORM=offscreen "$consumer/build/consumer" 2>"$scratch/consumer-run.log"); then
    want="QCustomPlot"
    $stand_in && want="stand-in"
    if [[ "$output" == "$want "* ]]; then pass "it runs: $output"
    else fail "it ran against the wrong header: $output"; fi
  else
    fail "the tiny project's program failed: $output $(cat "$scratch/consumer-run.log")"
  fi
else
  fail "the tiny project did not build: $(tail -n 20 "$scratch/consumer-configure.log" "$scratch/consumer-build.log")"
fi

# Run again: the package is found, nothing is downloaded or built.
if "${from_source[@]}" --source "$url" --sha256 "$wrong_sha" >"$scratch/again.log" 2>&1 \
   && grep -q "finds $prefix/.*; nothing to build" "$scratch/again.log"; then
  pass "run again: $(cat "$scratch/again.log")"
else
  fail "run again: $(cat "$scratch/again.log")"
fi

echo "$passes passed, $failures failed"
[[ $failures -eq 0 ]]
