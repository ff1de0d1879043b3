#!/usr/bin/env bash
# Speed of `ffint8 telemetry parse` on a large tegrastats log (default 10 MB) made from the fixture lines,
# with readable output and with --json, stdout to /dev/null. Prints MB, seconds and MB/s per run.
#
# Usage: scripts/bench_tegrastats.sh [FFINT8_BIN] [--mb N] [--runs N] [--keep FILE]
#   FFINT8_BIN   path of the ffint8 CLI (default build/app/ffint8; also $FFINT8_BIN)
#   --mb N       size of the generated log in MB (default 10)
#   --runs N     runs of each mode; the fastest is reported as the figure (default 3)
#   --keep FILE  write the generated log to FILE and keep it (default: a temporary file, removed)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
fixtures=$root/tests/fixtures/tegrastats

bin=${FFINT8_BIN:-build/app/ffint8}
mb=10
runs=3
keep=""
if [[ $# -gt 0 && "$1" != -* ]]; then bin=$1; shift; fi
while [[ $# -gt 0 ]]; do
  case "$1" in
    --mb) mb=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "bench_tegrastats.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -x "$bin" ]] || { echo "bench_tegrastats.sh: no ffint8 at $bin (build first: cmake --build build)" >&2; exit 1; }

if [[ -n "$keep" ]]; then
  log=$keep
else
  log=$(mktemp "${TMPDIR:-/tmp}/tegrastats-bench.XXXXXX.log")
  trap 'rm -f "$log"' EXIT
fi

# The fixture lines in turn; the JetPack 5+ ones are restamped one second apart so that the log reads
# like one long recording (the timestamp is the first 19 characters).
cat "$fixtures"/*.log | awk -v target=$((mb * 1024 * 1024)) '
  { lines[n++] = $0 }
  END {
    bytes = 0; s = 0
    while (bytes < target) {
      for (i = 0; i < n && bytes < target; i++) {
        line = lines[i]
        if (line ~ /^[0-9][0-9]-[0-9][0-9]-[0-9][0-9][0-9][0-9] /) {
          day = 1 + int(s / 86400); t = s % 86400; s++
          line = sprintf("01-%02d-2025 %02d:%02d:%02d%s", day, int(t / 3600), int(t / 60) % 60, t % 60,
                         substr(line, 20))
        }
        print line
        bytes += length(line) + 1
      }
    }
  }' > "$log"

size=$(stat -c %s "$log")
megabytes=$(awk -v b="$size" 'BEGIN { printf "%.2f", b / 1048576 }')
echo "log: $log, $megabytes MB, $(wc -l < "$log") lines"

for mode in text json; do
  args=(telemetry parse "$log")
  [[ $mode == json ]] && args+=(--json)
  best=""
  for ((r = 1; r <= runs; r++)); do
    start=$(date +%s.%N)
    "$bin" "${args[@]}" > /dev/null
    end=$(date +%s.%N)
    seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
    echo "  $mode run $r: $seconds s"
    if [[ -z "$best" ]] || awk -v a="$seconds" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$seconds; fi
  done
  awk -v m="$mode" -v mb="$megabytes" -v s="$best" \
    'BEGIN { printf "%-5s %s MB in %.3f s = %.1f MB/s (fastest of runs)\n", m, mb, s, mb / s }'
done
"$bin" telemetry parse "$log" --json | tail -n 1
