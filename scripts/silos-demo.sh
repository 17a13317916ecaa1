#!/usr/bin/env bash
# Real clients on this machine: PostgreSQL, one coordinator and three silo processes on loopback, each
# silo holding one third of Fashion-MNIST and nothing else (config/fmnist-silos.conf).
#
#   scripts/silos-demo.sh [--config F] [--set K=V]... [--out DIR] [--data-dir D]
#
# Default config: config/fmnist-silos.conf. --data-dir is where the silos (and the coordinator, for the
# test set) find Fashion-MNIST. PostgreSQL: the server named by $FEDACTORS_POSTGRES (an Npgsql connection
# string), or else a private PostgreSQL 15 started in a temporary directory (needs the postgresql-15
# server binaries under /usr/lib/postgresql/15/bin). Prints the coordinator's progress, what each silo
# trains, `fedactors status` (members, the clients each silo registered) after 20 s and every minute,
# then the final accuracy and the bytes sent over Akka.Remote; the coordinator writes the run directory
# (default runs/silos-<time>). Stops everything it started when the run ends, on Ctrl+C, or on error.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
config=config/fmnist-silos.conf
out=runs/silos-$(date +%Y%m%d-%H%M%S)
sets=()
data=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --config) config=$2; shift 2 ;;
    --set) sets+=(--set "$2"); shift 2 ;;
    --out) out=$2; shift 2 ;;
    --data-dir) data=(--data-dir "$2"); shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "silos-demo.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

work=$(mktemp -d /tmp/fedactors-silos.XXXXXX)
demo=silos-demo.sh
# shellcheck source=scripts/demo-common.sh
source "$root/scripts/demo-common.sh"

./fedactors --help >/dev/null # builds once, before four processes would race to
host=src/Host/bin/Release/net10.0/linux-x64/fedactors.dll
c=$(free_port)
common=(--config "$config" "${sets[@]}" "${data[@]}" --set fedactors.persistence.provider=postgresql
        --set "fedactors.persistence.connection-string=\"$connection\"" --seed-nodes "127.0.0.1:$c")

started=$(date +%s.%N)
: > "$work/coordinator.log" # exists before its tail starts
dotnet "$host" node --role coordinator "${common[@]}" --port "$c" --out "$out" > "$work/coordinator.log" 2>&1 &
pids+=($!); coordinator=$!
for i in 0 1 2; do
  : > "$work/silo$i.log" # exists before its tail starts
  dotnet "$host" node --role client "${common[@]}" --port "$(free_port)" --set "fedactors.client-node.silo.index=$i" > "$work/silo$i.log" 2>&1 &
  pids+=($!)
  tail -n +1 -f "$work/silo$i.log" --pid "$coordinator" | sed -u "s/^/  silo $i | /" &
done
echo "coordinator 127.0.0.1:$c and three silos; outputs in $out"

# fedactors status 20 s in (the silos have registered by then), then every minute while the run goes on.
(
  wait_s=20
  while kill -0 "$coordinator" 2>/dev/null; do
    for _ in $(seq "$wait_s"); do kill -0 "$coordinator" 2>/dev/null || exit 0; sleep 1; done
    dotnet "$host" status --node "127.0.0.1:$c" --config "$config" "${sets[@]}" 2>/dev/null | sed -u 's/^/  status | /' || true
    wait_s=60
  done
) &
pids+=($!)

# The wall-clock progress line comes four times a second: show it when the step changes or every 10 s.
tail -n +1 -f "$work/coordinator.log" --pid "$coordinator" |
  awk '/ step [0-9]+\/[0-9]+ / && !/accuracy/ { match($0, / step [0-9]+\//); s = substr($0, RSTART, RLENGTH); if (s == last && ++n % 40 != 0) next; last = s; n = 0 }
       { print; fflush() }' || true
set +e
wait "$coordinator"
code=$?
set -e
elapsed=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.0f}')" "$started" "$(date +%s.%N)")
if [[ $code -eq 0 && -f "$out/summary.json" ]]; then
  python3 - "$out/summary.json" "$elapsed" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"final accuracy {s['final_accuracy']:.4f} (best {s['best_accuracy']:.4f}) after {s['server_steps']} rounds, "
      f"{s['updates_applied']} updates; run wall time {s['wall_seconds']:.0f} s, {sys.argv[2]} s with start-up; "
      f"{s['bytes_down']:,} bytes of jobs and model chunks sent, {s['bytes_up']:,} bytes of updates received (serialized, over Akka.Remote)")
PY
  echo "done: $out/summary.json"
else
  echo "the coordinator exited $code; silo logs:" >&2
  tail -n 5 "$work"/silo*.log >&2
fi
exit $code
