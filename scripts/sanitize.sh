#!/usr/bin/env bash
# Builds the project with a sanitizer preset (CMakePresets.json) into its own folder and runs the
# CTest suite there: asan (AddressSanitizer + UndefinedBehaviorSanitizer, every test) or tsan
# (ThreadSanitizer). --no-gui leaves the GUI and its tests out (CI's choice, for time). Extra
# arguments go to ctest (e.g. -R tst_run_store).
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-}"
[[ "$preset" == asan || "$preset" == tsan ]] || { echo "usage: scripts/sanitize.sh asan|tsan [--no-gui] [CTEST_ARGS...]" >&2; exit 2; }
shift
gui=ON
if [[ "${1:-}" == --no-gui ]]; then
  gui=OFF
  shift
fi
./scripts/setup.sh --for-tests
# Set before the build too: it runs a sanitized program (the icon renderer).
# Leaks are reported at exit; a UBSan finding stops the test (no recovery) with its stack.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# Suppressions only for libraries built without TSan, each with its stack (tests/tsan.supp).
# die_after_fork=0: QProcess forks the multi-threaded test process and only execs in the child,
# which TSan would otherwise refuse outright.
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:die_after_fork=0:suppressions=$PWD/tests/tsan.supp"
# Sanitized code runs several times slower: Qt Test's 5-minute limit per test function is too short.
export QTEST_FUNCTION_TIMEOUT=1800000
cmake --preset "$preset" -DFFINT8_BUILD_GUI=$gui >/dev/null
cmake --build "build-$preset" --parallel "$(nproc)"
ctest --test-dir "build-$preset" --output-on-failure --timeout 1800 --parallel "$(nproc)" -E arm64_checks "$@"
