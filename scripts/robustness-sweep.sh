#!/usr/bin/env bash
# The attack x defense table of docs/2026-12-07-robust-aggregation.md, on the default population.
#
#   scripts/robustness-sweep.sh [--out DIR] [--fraction F] [--set K=V]...
#
# Runs one `fedactors sweep` per group of cells into DIR/<group> (default runs/robustness-<time>), each resumable:
# run the script again with the same --out and finished cells are kept. Then prints every group's sweep.csv rows
# (final, best and backdoor accuracy per cell). About 2.5 minutes per cell on two cores; 96 cells per fraction.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=runs/robustness-$(date +%Y%m%d-%H%M%S)
fraction=0.1
sets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --fraction) fraction=$2; shift 2 ;;
    --set) sets+=(--set "$2"); shift 2 ;;
    *) echo "usage: $0 [--out DIR] [--fraction F] [--set K=V]..." >&2; exit 2 ;;
  esac
done

A=fedactors.attack.kind
G=fedactors.server.aggregator
N=fedactors.server.norm-bound
aggregators=mean,median,trimmed-mean,krum,multi-krum,bulyan,geometric-median,divide-and-conquer,signguard,staleness-norm-bound
attacks=none,sign-flip,scaling,gaussian-noise,label-flip,little-is-enough,ipm,backdoor
common=(--plain --set fedactors.attack.fraction="$fraction" "${sets[@]}")

./fedactors sweep --out "$out/aggregators" "${common[@]}" --vary $A=$attacks --vary $G=$aggregators
./fedactors sweep --out "$out/norm-bound" "${common[@]}" --vary $A=$attacks --vary $N=0.05,0.1

for group in aggregators norm-bound; do
  echo "== $out/$group"
  cat "$out/$group/sweep.csv"
done
