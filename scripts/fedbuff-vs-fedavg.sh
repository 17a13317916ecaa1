#!/usr/bin/env bash
# The main experiment: FedBuff (config/fmnist-fedbuff.conf) against its synchronous FedAvg baseline
# (config/fmnist-fedavg.conf) on Fashion-MNIST, then `fedactors compare` of the two: a side-by-side table with
# FedBuff's speed-up to the target, and OUT/comparison.png.
# Both runs stop at the 85% target; together they take about 10 minutes of wall time on 2 cores.
#
#   scripts/fedbuff-vs-fedavg.sh [OUT] [--set key=value ...]
#
# OUT defaults to runs/fedbuff-vs-fedavg; each --set goes to both runs (e.g. a seed, or fewer clients).
set -euo pipefail
cd "$(dirname "$0")/.."

out=runs/fedbuff-vs-fedavg
if [[ $# -gt 0 && $1 != --* ]]; then out=$1; shift; fi
[[ -e $out ]] && { echo "fedbuff-vs-fedavg: $out exists; name another directory or remove it" >&2; exit 1; }

for algorithm in fedbuff fedavg; do
  echo "== $algorithm: ./fedactors run --config config/fmnist-$algorithm.conf --out $out/$algorithm $*"
  ./fedactors run --plain --config "config/fmnist-$algorithm.conf" --out "$out/$algorithm" "$@"
done

# The two summaries side by side, FedAvg the reference for the speed-ups, and the overlay plot.
./fedactors compare "$out/fedavg" "$out/fedbuff" --out "$out/comparison.png"
