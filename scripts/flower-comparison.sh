#!/usr/bin/env bash
# The Flower comparison of docs/reproductions.md: config/flower-tutorial.conf for seeds 0, 1 and 2 (one sweep,
# resumable with the same --out), then each seed's accuracy at round 20 and wall time, and their mean.
#
#   scripts/flower-comparison.sh [--out DIR] [--set K=V]...
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=runs/flower-comparison-$(date +%Y%m%d-%H%M%S)
sets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --set) sets+=(--set "$2"); shift 2 ;;
    *) echo "usage: $0 [--out DIR] [--set K=V]..." >&2; exit 2 ;;
  esac
done

./fedactors sweep --config config/flower-tutorial.conf --out "$out" --plain "${sets[@]}" --vary fedactors.seed=0,1,2

# Columns by name, so the table can grow; no field here holds a comma.
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; print "seed,accuracy_round_20,wall_seconds"; next }
         { gsub(/"/, "", $1); a = $col["final_accuracy"]; w = $col["wall_seconds"]; printf "%s,%.4f,%.1f\n", $1, a, w; sa += a; sw += w; n++ }
         END { printf "mean,%.4f,%.1f\n", sa / n, sw / n }' "$out/sweep.csv"
