# Sourced by the demo scripts: the processes they start, their cleanup on exit, free ports and PostgreSQL.
# The caller sets `demo` (its name, for messages) and `work` (a temporary directory it owns) first.
# Afterwards `pids` collects the processes to stop on exit and `connection` names the PostgreSQL to use:
# $FEDACTORS_POSTGRES when set, else a private PostgreSQL 15 started in $work.

pids=()
pgdata=""
cleanup() {
  local code=$?
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  # Leaving the cluster gracefully takes a few seconds; whoever is still there after 15 s is killed.
  for _ in $(seq 30); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [[ $alive -eq 0 ]] && break
    sleep 0.5
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n "$pgdata" ]]; then
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl stop -D "$pgdata" -m fast >/dev/null 2>&1 || true
    else /usr/lib/postgresql/15/bin/pg_ctl stop -D "$pgdata" -m fast >/dev/null 2>&1 || true; fi
  fi
  rm -rf "$work"
  exit $code
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

if [[ -n "${FEDACTORS_POSTGRES:-}" ]]; then
  connection=$FEDACTORS_POSTGRES
else
  bin=/usr/lib/postgresql/15/bin
  [[ -x $bin/initdb ]] || { echo "$demo: no PostgreSQL: install postgresql-15 or set FEDACTORS_POSTGRES" >&2; exit 1; }
  pgdata=$work/pg/data
  mkdir -p "$work/pg"
  as=()
  if [[ $(id -u) -eq 0 ]]; then chown -R postgres: "$work/pg"; chmod 755 "$work"; as=(runuser -u postgres --); fi
  "${as[@]}" "$bin/initdb" -D "$pgdata" -U postgres -A trust -E UTF8 --no-locale --no-sync --no-instructions >/dev/null
  pgport=$(free_port)
  printf "listen_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = '%s'\nfsync = off\n" "$pgport" "$work/pg" >> "$pgdata/postgresql.conf"
  "${as[@]}" "$bin/pg_ctl" start -w -D "$pgdata" -l "$work/pg/server.log" >/dev/null
  connection="Host=127.0.0.1;Port=$pgport;Username=postgres;Database=postgres"
  echo "PostgreSQL on 127.0.0.1:$pgport"
fi

