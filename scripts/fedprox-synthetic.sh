#!/usr/bin/env bash
# FedProx's Synthetic(1, 1) comparison with 90 % stragglers (docs/reproductions.md): config/synthetic-fedprox.conf
# with mu = 1 and mu = 0 (stragglers do partial work), and FedAvg that drops the stragglers, for seeds 0, 1, 2.
# Each sweep is resumable with the same --out; prints both sweep tables.
#
#   scripts/fedprox-synthetic.sh [--out DIR] [--set K=V]...
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=runs/fedprox-synthetic-$(date +%Y%m%d-%H%M%S)
sets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --set) sets+=(--set "$2"); shift 2 ;;
    *) echo "usage: $0 [--out DIR] [--set K=V]..." >&2; exit 2 ;;
  esac
done

common=(--config config/synthetic-fedprox.conf --plain "${sets[@]}" --vary fedactors.seed=0,1,2)
./fedactors sweep --out "$out/partial" "${common[@]}" --vary fedactors.client.proximal-mu=0,1
./fedactors sweep --out "$out/drop" "${common[@]}" --set fedactors.client.proximal-mu=0 \
  --set fedactors.simulation.device.stragglers.mode=drop

for group in partial drop; do
  echo "== $out/$group"
  cat "$out/$group/sweep.csv"
done
