#!/usr/bin/env bash
# Speed of the C++ engine (ff-fp32, ff-int8) against the PyTorch Forward-Forward baseline
# (scripts/bench_torch_ff.py): one epoch of Fashion-MNIST, 784-1000-1000, batch 32, 2 threads,
# no look-ahead. Prints seconds/epoch, test accuracy and the speed-up over PyTorch for each,
# and whether the targets are met (ff-fp32 >= 8x, ff-int8 >= 16x).
#
# Usage: scripts/bench_vs_torch.sh [FFINT8_BIN] [options] [extra args for both runs...]
#   FFINT8_BIN            path of the ffint8 CLI (default build/app/ffint8; also --bin PATH or $FFINT8_BIN)
#   --limit N             train on the first N examples only (same as passing --train-limit N;
#                         also $BENCH_TRAIN_LIMIT). Default: the full 60k training set.
#   --python PY           interpreter with torch (default $PYTHON, else /usr/bin/python3 or python3)
#   --torch-seconds S     skip the PyTorch run and use S seconds/epoch (and --torch-acc A) instead
#   --torch-acc A         test accuracy (fraction) reported for the skipped PyTorch run
#   --only-torch          run the PyTorch baseline only
#   --check               exit 1 when a target is missed or a run is missing
#   --keep DIR            keep the raw JSON logs in DIR (default: a temporary folder, removed)
#   anything else (e.g. --train-limit 6000 --test-limit 1000 --seed 3) is passed to all runs.
#
# Example: scripts/bench_vs_torch.sh build/app/ffint8 --train-limit 6000 --test-limit 1000
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

bin=${FFINT8_BIN:-build/app/ffint8}
python=${PYTHON:-}
torch_seconds=""
torch_acc=""
only_torch=0
check=0
keep=""
extra=()
[[ -n "${BENCH_TRAIN_LIMIT:-}" ]] && extra+=(--train-limit "$BENCH_TRAIN_LIMIT")

if [[ $# -gt 0 && "$1" != -* ]]; then bin=$1; shift; fi
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin) bin=$2; shift 2 ;;
    --limit) extra+=(--train-limit "$2"); shift 2 ;;
    --python) python=$2; shift 2 ;;
    --torch-seconds) torch_seconds=$2; shift 2 ;;
    --torch-acc) torch_acc=$2; shift 2 ;;
    --only-torch) only_torch=1; shift ;;
    --check) check=1; shift ;;
    --keep) keep=$2; shift 2 ;;
    -h|--help) sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) extra+=("$1"); shift ;;
  esac
done

# A Python that can import torch (Debian's python3-torch lives under /usr/bin/python3,
# which a pyenv or venv python3 earlier on PATH does not see).
if [[ -z "$python" ]]; then
  for candidate in /usr/bin/python3 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import torch' >/dev/null 2>&1; then
      python=$candidate; break
    fi
  done
fi
json_py=${python:-python3}   # any python3 will do for parsing JSON

if [[ -n "$keep" ]]; then
  mkdir -p "$keep"; logs=$keep
else
  logs=$(mktemp -d); trap 'rm -rf "$logs"' EXIT
fi

# Reads JSON lines on stdin; prints "<mean seconds of the epoch lines> <test accuracy>" where
# the accuracy is that of the last epoch line (or summary) as a fraction, "nan" when absent.
parse() {
  "$json_py" -c '
import json, math, sys
secs, acc = [], float("nan")
def accuracy(o):
    for k in ("test_acc", "test_accuracy", "accuracy", "acc"):
        v = o.get(k)
        if isinstance(v, (int, float)):
            return v / 100.0 if v > 1.0 else float(v)
    return None
for line in sys.stdin:
    line = line.strip()
    if not line.startswith("{"):
        continue
    try:
        o = json.loads(line)
    except ValueError:
        continue
    if not isinstance(o, dict):
        continue
    if o.get("event") == "epoch" and isinstance(o.get("seconds"), (int, float)):
        secs.append(float(o["seconds"]))
        a = accuracy(o)
        if a is not None: acc = a
    elif o.get("event") in ("summary", "done", "end", "test", "eval", "evaluation"):
        a = accuracy(o)
        if a is not None and math.isnan(acc): acc = a
print(sum(secs) / len(secs) if secs else "nan", acc)
'
}

common=(--epochs 1 --batch 32 --layers 784,1000,1000 --threads 2)

# ---------------------------------------------------------------- PyTorch baseline
if [[ -n "$torch_seconds" ]]; then
  t_sec=$torch_seconds; t_acc=${torch_acc:-nan}
  echo "pytorch: using the given $t_sec s/epoch (not run)" >&2
else
  if [[ -z "$python" ]]; then
    echo "error: no python with torch found (install python3-torch or pass --python)" >&2
    exit 2
  fi
  echo "pytorch: $python scripts/bench_torch_ff.py ${common[*]} --json ${extra[*]}" >&2
  (cd "$root" && "$python" "$here/bench_torch_ff.py" "${common[@]}" --json "${extra[@]}") \
    | tee "$logs/pytorch.jsonl" >&2
  read -r t_sec t_acc < <(parse < "$logs/pytorch.jsonl")
fi

# ---------------------------------------------------------------- C++ engine
declare -A sec acc status
algos=(ff-fp32 ff-int8)
[[ $only_torch -eq 1 ]] && algos=()
for algo in "${algos[@]}"; do
  sec[$algo]=nan; acc[$algo]=nan
  exe=$bin
  [[ "$exe" != /* && ! -x "$exe" && -x "$root/$exe" ]] && exe="$root/$exe"
  if [[ ! -x "$exe" ]]; then
    echo "$algo: ffint8 binary '$bin' not found or not executable (build it first)" >&2
    status[$algo]="not run (no binary)"
    continue
  fi
  cmd=("$exe" train --algo "$algo" "${common[@]}" --json --lookahead off --dataset fashion-mnist "${extra[@]}")
  echo "$algo: ${cmd[*]}" >&2
  if (cd "$root" && "${cmd[@]}") > "$logs/$algo.jsonl"; then
    read -r s a < <(parse < "$logs/$algo.jsonl")
    sec[$algo]=$s; acc[$algo]=$a
    if [[ "$s" == nan ]]; then status[$algo]="no epoch line"; else status[$algo]=ok; fi
  else
    rc=$?
    status[$algo]="failed (exit $rc)"
    tail -n 5 "$logs/$algo.jsonl" >&2 || true
  fi
done

# ---------------------------------------------------------------- table
rows=("pytorch|$t_sec|$t_acc|-|ok")
for algo in "${algos[@]}"; do
  case "$algo" in ff-fp32) target=8 ;; ff-int8) target=16 ;; esac
  rows+=("$algo|${sec[$algo]}|${acc[$algo]}|$target|${status[$algo]}")
done

table_py=$(cat <<'PY'
import math, sys
rows = [r.split("|") for r in sys.argv[1:]]
def num(s):
    try:
        return float(s)
    except ValueError:
        return float("nan")
base = num(rows[0][1])
print()
print("%-16s%10s%10s%10s%9s  %s" % ("implementation", "s/epoch", "test acc", "speed-up", "target", "met"))
print("-" * 62)
missed = 0
for name, s, a, target, status in rows:
    s, a = num(s), num(a)
    sec = "%.2f" % s if not math.isnan(s) else "-"
    acc = "%.2f%%" % (100 * a) if not math.isnan(a) else "-"
    if name == "pytorch":
        print("%-16s%10s%10s%10s%9s  %s" % (name, sec, acc, "1.00x", "-", "-"))
        continue
    t = float(target)
    if math.isnan(s) or math.isnan(base) or s <= 0:
        up, met = "-", "no: " + status
        missed += 1
    else:
        x = base / s
        up, met = "%.2fx" % x, ("yes" if x >= t else "no")
        missed += x < t
    print("%-16s%10s%10s%10s%9s  %s" % (name, sec, acc, up, ">= %gx" % t, met))
print()
print("targets: ff-fp32 >= 8x and ff-int8 >= 16x the PyTorch seconds/epoch (training time only)")
sys.exit(1 if missed else 0)
PY
)
"$json_py" -c "$table_py" "${rows[@]}" && met=0 || met=$?

if [[ $check -eq 1 && $met -ne 0 ]]; then exit 1; fi
exit 0
