#!/usr/bin/env bash
# Usage: pg-throwaway.sh [CMD...]
# Starts a throwaway PostgreSQL 15 cluster (temp dir, 127.0.0.1, a free port, fsync off), runs CMD
# with SYNCPILOT_TEST_DB_URL set to a database its role owns (the role may create more databases:
# each test suite makes its own), then stops the cluster and removes it. CMD's exit code is ours.
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
[ -x "$PGBIN/initdb" ] || { echo "pg-throwaway: $PGBIN/initdb not found (apt-get install postgresql-15)" >&2; exit 1; }

free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 30000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}

PGBASE=$(mktemp -d /tmp/sp-pg.XXXXXX)      # short: unix socket paths are limited to ~107 bytes
AS=()
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$PGBASE"          # initdb and pg_ctl refuse to run as root
  AS=(runuser -u postgres --)
fi
as_pg() { (cd / && "${AS[@]}" "$@"); }
cleanup() {
  as_pg "$PGBIN/pg_ctl" -D "$PGBASE/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$PGBASE"
}
trap cleanup EXIT

as_pg "$PGBIN/initdb" -D "$PGBASE/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 --no-sync >"$PGBASE/initdb.log"
as_pg mkdir "$PGBASE/sock"

PORT=
for _ in 1 2 3 4 5; do                      # a port can be taken between the check and the bind
  PORT=$(free_port)
  if as_pg "$PGBIN/pg_ctl" -D "$PGBASE/data" -l "$PGBASE/server.log" -w -t 30 \
       -o "-p $PORT -k $PGBASE/sock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
       start >/dev/null; then break; fi
  PORT=
done
[ -n "$PORT" ] || { cat "$PGBASE/server.log" >&2; exit 1; }

psql -h "$PGBASE/sock" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
     -c "CREATE ROLE syncpilot LOGIN CREATEDB PASSWORD 'sp-secret'" \
     -c "CREATE DATABASE syncpilot_test OWNER syncpilot"

export SYNCPILOT_TEST_DB_URL="postgresql://syncpilot:sp-secret@127.0.0.1:$PORT/syncpilot_test"
echo "pg-throwaway: PostgreSQL on 127.0.0.1:$PORT (SYNCPILOT_TEST_DB_URL set)"
[ "$#" -eq 0 ] && exit 0
rc=0; "$@" || rc=$?
exit $rc
