#!/usr/bin/env bash
# The main experiment: FedBuff (config/fmnist-fedbuff.conf) against its synchronous FedAvg baseline
# (config/fmnist-fedavg.conf) on Fashion-MNIST, then a side-by-side table of the two summaries.
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

# One scalar of a summary.json (every key is on a line of its own).
field() { sed -n "s/^  \"$2\": \(.*\),\{0,1\}$/\1/p" "$out/$1/summary.json" | sed 's/,$//; s/"//g'; }

keys=(status server_steps updates_applied final_accuracy best_accuracy target_accuracy virtual_seconds_to_target
      updates_to_target bytes_up_to_target virtual_seconds wall_seconds bytes_up bytes_down model_sha256)
printf '\n%-26s %-24s %-24s\n' key fedbuff fedavg
for key in "${keys[@]}"; do
  printf '%-26s %-24s %-24s\n' "$key" "$(field fedbuff "$key" | cut -c1-24)" "$(field fedavg "$key" | cut -c1-24)"
done
