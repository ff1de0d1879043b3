#!/usr/bin/env bash
# Runs a command with a throw-away PostgreSQL server: a cluster in a temporary folder, listening on
# 127.0.0.1 at a free port (as the postgres user when run as root), a database `ffint8` in it, and
# FFINT8_PG_ADDRESS (postgresql://ffint8@127.0.0.1:PORT/ffint8) and PGPASSWORD set for the command.
# The server is stopped and its folder removed afterwards. For benchmarks and trying the lab store:
#   scripts/with_postgres.sh build/app/ffint8-store-bench --postgres-from-env
#   scripts/with_postgres.sh sh -c 'build/app/ffint8 train --preset quick --db "$FFINT8_PG_ADDRESS"'
set -euo pipefail
[[ $# -gt 0 ]] || { echo "usage: scripts/with_postgres.sh COMMAND [ARGS...]" >&2; exit 2; }
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -x "$bin/postgres" ]] || { echo "with_postgres: no PostgreSQL server (sudo apt-get install postgresql)" >&2; exit 1; }
dir=$(mktemp -d)
as_server=()
if [[ $(id -u) == 0 ]]; then
  chown postgres: "$dir"
  as_server=(setpriv --reuid=postgres --regid=postgres --clear-groups --)
fi
password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$password" > "$dir/pw"
[[ $(id -u) == 0 ]] && chown postgres: "$dir/pw"
# A port nothing listens on.
while :; do
  port=$((20000 + RANDOM % 40000))
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
done
"${as_server[@]}" "$bin/initdb" -D "$dir/data" -U ffint8 --pwfile "$dir/pw" --auth-host=scram-sha-256 --auth-local=trust \
  -E UTF8 --no-locale --no-sync >/dev/null
"${as_server[@]}" "$bin/postgres" -D "$dir/data" -p "$port" -c listen_addresses=127.0.0.1 -c "unix_socket_directories=$dir" \
  >"$dir/server.log" 2>&1 &
server=$!
cleanup() { kill -INT "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
for _ in $(seq 100); do
  "${as_server[@]}" "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" && break
  sleep 0.1
done
export PGPASSWORD="$password"
"${as_server[@]}" "$bin/psql" -q -h 127.0.0.1 -p "$port" -U ffint8 -d postgres -c 'CREATE DATABASE ffint8' >/dev/null
export FFINT8_PG_ADDRESS="postgresql://ffint8@127.0.0.1:$port/ffint8"
"$@"
