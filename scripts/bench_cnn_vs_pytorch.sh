#!/usr/bin/env bash
# Issue 15's speed targets in one process tree, the two sides taking turns: PyTorch's BP-FP32
# training step (scripts/pytorch_step.py, NCHW and channels-last, the faster counts) and the engine's bp-fp32 and ff-int8 steps (`ffint8 bench
# --model NAME --json`) on the same network, batch 32, 1x32x32 input, the same threads. Prints each
# round's medians and the ratios the targets name (engine bp-fp32 / PyTorch <= 1.2, engine ff-int8 /
# PyTorch bp-fp32 <= 0.7), then the median ratio over the rounds.
#
# Usage: scripts/bench_cnn_vs_pytorch.sh [--model NAME] [--threads N] [--rounds R] [-- ENGINE_FLAGS...]
#   --model NAME   resnet-18 (default), mobilenet-v2 or efficientnet-b0
#   --threads N    threads of both sides (default 2)
#   --rounds R     turns of each side (default 3)
#   ENGINE_FLAGS   more `ffint8 bench` flags, e.g. -- --ff-loss class-groups
# Needs Debian's python3-torch (scripts/setup.sh --with-torch) and a built build/app/ffint8.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${FFINT8_BIN:-$root/build/app/ffint8}
python=${PYTHON:-/usr/bin/python3}
model=resnet-18
threads=2
rounds=3
engine_flags=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --model) model=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --) shift; engine_flags=("$@"); break ;;
    *) echo "bench_cnn_vs_pytorch: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[[ -x "$bin" ]] || { echo "bench_cnn_vs_pytorch: $bin is not built (scripts/build.sh)" >&2; exit 2; }
"$python" -c "import torch" 2>/dev/null || {
  echo "bench_cnn_vs_pytorch: $python has no torch (scripts/setup.sh --with-torch)" >&2; exit 2; }

log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
for ((r = 1; r <= rounds; r++)); do
  "$python" "$root/scripts/pytorch_step.py" --model "$model" --input 1x32x32 --batch 32 --threads "$threads" \
    --steps 5 > "$log/torch$r.json"
  "$python" "$root/scripts/pytorch_step.py" --model "$model" --input 1x32x32 --batch 32 --threads "$threads" \
    --steps 5 --channels-last > "$log/torch_nhwc$r.json"
  "$bin" bench --model "$model" --pad-to 32 --train-limit 32 --test-limit 16 --epochs 2 --batch 32 \
    --threads "$threads" --json "${engine_flags[@]}" 2> "$log/engine$r.err" > "$log/engine$r.json"
done

"$python" - "$log" "$rounds" "$model" <<'PY'
import json, statistics, sys
log, rounds, model = sys.argv[1], int(sys.argv[2]), sys.argv[3]
bp_ratios, ff_ratios = [], []
print(f"{model}, batch 32, 1x32x32: medians of each round's steps in ms (PyTorch: the faster layout)")
print(f"{'round':>5} {'pytorch bp-fp32':>16} {'engine bp-fp32':>15} {'engine ff-int8':>15} {'bp / pytorch':>13} {'ff-int8 / pytorch':>18}")
for r in range(1, rounds + 1):
    torch_ms = min(json.load(open(f"{log}/{name}{r}.json"))["step_ms_median"] for name in ("torch", "torch_nhwc"))
    steps = {}
    for line in open(f"{log}/engine{r}.json"):
        e = json.loads(line)
        if e.get("event") == "graph_step_bench":
            steps[e["algo"]] = e["step_s"] * 1e3
    bp, ff = steps["bp-fp32"], steps["ff-int8"]
    bp_ratios.append(bp / torch_ms)
    ff_ratios.append(ff / torch_ms)
    print(f"{r:>5} {torch_ms:>16.1f} {bp:>15.1f} {ff:>15.1f} {bp / torch_ms:>13.2f} {ff / torch_ms:>18.2f}")
bp, ff = statistics.median(bp_ratios), statistics.median(ff_ratios)
print(f"median ratios: engine bp-fp32 / pytorch {bp:.2f} (target <= 1.2: {'met' if bp <= 1.2 else 'not met'}), "
      f"engine ff-int8 / pytorch bp-fp32 {ff:.2f} (target <= 0.7: {'met' if ff <= 0.7 else 'not met'})")
PY
