#!/usr/bin/env bash
# NIID-Bench's Fashion-MNIST cells (docs/reproductions.md): every config/niid-bench/*.conf, one after another,
# for the given seeds (default 0), into DIR/<config>/<seed>; a finished run is kept when the script runs again with
# the same --out. About 25 minutes per run on two cores. Prints each run's final accuracy.
#
#   scripts/niid-bench.sh [--out DIR] [--seeds 0,1,2] [--only NAME]...
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=runs/niid-bench-$(date +%Y%m%d-%H%M%S)
seeds=0
only=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --only) only+=("$2"); shift 2 ;;
    *) echo "usage: $0 [--out DIR] [--seeds 0,1,2] [--only NAME]..." >&2; exit 2 ;;
  esac
done

configs=()
if [[ ${#only[@]} -gt 0 ]]; then
  for name in "${only[@]}"; do configs+=("config/niid-bench/$name.conf"); done
else
  configs=(config/niid-bench/*.conf)
fi

for config in "${configs[@]}"; do
  name=$(basename "$config" .conf)
  ./fedactors sweep --config "$config" --out "$out/$name" --plain --vary fedactors.seed="$seeds"
done

echo "config,seed,final_accuracy,best_accuracy,wall_seconds"
for config in "${configs[@]}"; do
  name=$(basename "$config" .conf)
  awk -F, -v name="$name" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
       { gsub(/"/, "", $1); printf "%s,%s,%s,%s,%s\n", name, $1, $col["final_accuracy"], $col["best_accuracy"], $col["wall_seconds"] }' "$out/$name/sweep.csv"
done
