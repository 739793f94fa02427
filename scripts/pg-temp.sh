#!/usr/bin/env bash
# Start a throw-away PostgreSQL 15 cluster for the test suite and print its DATABASE_URL.
# Usage: scripts/pg-temp.sh start DIR [PORT]  |  scripts/pg-temp.sh stop DIR
# PostgreSQL refuses to run as root, so initdb and pg_ctl run as the postgres user on a directory it owns.
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
cmd=${1:?start|stop}; dir=${2:?data directory}; port=${3:-54329}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$cmd" in
  start)
    mkdir -p "$dir"; [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
      as_pg "$bin/initdb" -D "$dir" -U carecoord --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir.initdb.log" 2>&1 \
        || { cat "$dir.initdb.log" >&2; exit 1; }
    fi
    as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=on" start >/dev/null
    as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U carecoord carecoord_test 2>/dev/null || true
    echo "postgres://carecoord@127.0.0.1:$port/carecoord_test"
    ;;
  stop) as_pg "$bin/pg_ctl" -D "$dir" -m fast stop >/dev/null || true ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
