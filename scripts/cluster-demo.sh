#!/usr/bin/env bash
# A distributed run on this machine: PostgreSQL, one coordinator and two workers on loopback.
#
#   scripts/cluster-demo.sh [--config F] [--set K=V]... [--out DIR]
#
# Default config: config/fmnist-fedbuff.conf. PostgreSQL: the server named by $FEDACTORS_POSTGRES (an Npgsql
# connection string), or else a private PostgreSQL 15 started in a temporary directory (needs the
# postgresql-15 server binaries under /usr/lib/postgresql/15/bin). Prints the coordinator's progress and,
# every 20 s, `fedactors status`; the coordinator writes the run directory (default runs/cluster-<time>).
# Stops everything it started when the run ends, on Ctrl+C, or on error.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
config=config/fmnist-fedbuff.conf
out=runs/cluster-$(date +%Y%m%d-%H%M%S)
sets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --config) config=$2; shift 2 ;;
    --set) sets+=(--set "$2"); shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "cluster-demo.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

work=$(mktemp -d /tmp/fedactors-demo.XXXXXX)
demo=cluster-demo.sh
# shellcheck source=scripts/demo-common.sh
source "$root/scripts/demo-common.sh"

./fedactors --help >/dev/null # builds once, before three processes would race to
host=src/Host/bin/Release/net10.0/linux-x64/fedactors.dll
c=$(free_port); w1=$(free_port); w2=$(free_port)
common=(--config "$config" "${sets[@]}" --set fedactors.persistence.provider=postgresql
        --set "fedactors.persistence.connection-string=\"$connection\"" --set fedactors.cluster.min-workers=2 --seed-nodes "127.0.0.1:$c")

dotnet "$host" node --role coordinator "${common[@]}" --port "$c" --out "$out" > "$work/coordinator.log" 2>&1 &
pids+=($!); coordinator=$!
dotnet "$host" node --role worker "${common[@]}" --port "$w1" > "$work/worker1.log" 2>&1 &
pids+=($!)
dotnet "$host" node --role worker "${common[@]}" --port "$w2" > "$work/worker2.log" 2>&1 &
pids+=($!)
echo "coordinator 127.0.0.1:$c, workers 127.0.0.1:$w1 and 127.0.0.1:$w2; outputs in $out"

tail -n +1 -f "$work/coordinator.log" --pid "$coordinator" &
tailer=$!
while kill -0 "$coordinator" 2>/dev/null; do
  for _ in $(seq 20); do kill -0 "$coordinator" 2>/dev/null || break; sleep 1; done
  kill -0 "$coordinator" 2>/dev/null && dotnet "$host" status --node "127.0.0.1:$c" 2>/dev/null | sed 's/^/  status | /' || true
done
wait "$tailer" 2>/dev/null || true
set +e
wait "$coordinator"
code=$?
set -e
[[ $code -eq 0 ]] && echo "done: $out/summary.json" || { echo "the coordinator exited $code; worker logs:" >&2; tail -n 5 "$work"/worker*.log >&2; }
exit $code
