#!/usr/bin/env bash
# Runs every fuzz harness of tests/fuzz for SECONDS each (default 60) with libFuzzer, AddressSanitizer
# and UBSan (clang, built into build-fuzz by the `fuzz` preset), starting from its seed corpus and
# dictionary. A crash, a hang (over 1 s for one input), a leak or an allocation over 2 GB stops that
# harness; its input is kept under tests/fuzz/regressions/NAME/, which CTest replays in every build.
# Prints each harness's executions and coverage (edges); exits 1 when a harness found something.
# The build takes about 6 minutes on 2 cores; then SECONDS per harness (10 harnesses).
#   scripts/fuzz.sh [SECONDS] [HARNESS...]
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_EACH=${1:-60}
shift || true
[[ "$SECONDS_EACH" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: SECONDS must be a whole number, got '$SECONDS_EACH'" >&2; exit 2; }
command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ is missing (scripts/setup.sh --for-tests installs it)" >&2; exit 2; }

cmake --preset fuzz >/dev/null || exit 1
cmake --build build-fuzz --target fuzzers --parallel "$(nproc)" || exit 1

harnesses=("$@")
if [[ ${#harnesses[@]} -eq 0 ]]; then
  harnesses=(tegrastats spec suite idx cifar model_file sysfs cli store tar)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
printf '%-12s %12s %8s %8s %s\n' harness executions edges features result
for name in "${harnesses[@]}"; do
  program=build-fuzz/tests/fuzz/fuzz-$name
  [[ -x "$program" ]] || { echo "fuzz.sh: no harness named '$name'" >&2; exit 2; }
  # New inputs go to a scratch corpus: the committed seeds stay the small, real files they are.
  mkdir -p "$work/$name" "tests/fuzz/regressions/$name"
  dict=()
  [[ -f tests/fuzz/dict/$name.dict ]] && dict=(-dict="$ROOT/tests/fuzz/dict/$name.dict")
  log=$work/$name.log
  : >"$log"
  # libFuzzer's time limit is wall-clock time: on a busy machine an input can pass it while waiting
  # for a core. A timeout is kept only when its input is slow on its own too; otherwise the input is
  # dropped and fuzzing goes on for the rest of the harness's time.
  end=$((SECONDS + SECONDS_EACH))
  status=0
  while ((SECONDS < end)); do
    TMPDIR=$work "$program" "$work/$name" "$ROOT/tests/fuzz/corpus/$name" "${dict[@]}" -max_total_time=$((end - SECONDS)) \
      -timeout=1 -rss_limit_mb=2048 -malloc_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$ROOT/tests/fuzz/regressions/$name/" >>"$log" 2>&1
    status=$?
    artifact=$(ls -t "$ROOT/tests/fuzz/regressions/$name"/timeout-* 2>/dev/null | head -1)
    [[ $status -eq 70 && -n "$artifact" ]] || break
    alone=$(TMPDIR=$work "$program" "$artifact" 2>&1 | sed -n 's/^Executed .* in \([0-9]*\) ms$/\1/p')
    if [[ -n "$alone" && "$alone" -lt 1000 ]]; then
      echo "fuzz.sh: $name: a timeout that takes $alone ms on its own (the machine was busy); dropped" >&2
      rm -f "$artifact"
      status=0
      continue
    fi
    break
  done
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | awk '{ s += $1 } END { print s }')
  edges=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
  features=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
  result=ok
  if [[ $status -ne 0 ]]; then
    result="FOUND (exit $status): $(ls -t tests/fuzz/regressions/$name | head -1)"
    failed=1
    grep -E "ERROR|SUMMARY|==[0-9]+==" "$log" | head -5
  fi
  printf '%-12s %12s %8s %8s %s\n' "$name" "${execs:-?}" "${edges:-?}" "${features:-?}" "$result"
done
exit $failed
