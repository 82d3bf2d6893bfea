#!/usr/bin/env bash
# Runs a command with Postgres and Redis available, then stops whatever this script started.
#
#   DATABASE_URL / REDIS_URL set      → used as they are
#   127.0.0.1:5432 / :6379 answering  → used (a database "boomerang_dev" is created for make dev)
#   otherwise                         → private instances under .dev/ on free ports, installing
#                                       Debian's postgresql / redis-server first when run as root
#
# Exports DATABASE_URL, REDIS_URL and TEST_DATABASE_URL (the server URL tests create databases on).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DEV=$ROOT/.dev
mkdir -p "$DEV"
started=()

say() { printf '==> %s\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# PRIVATE_SERVICES=1 ignores services on the standard ports (to try the fresh-machine path).
shared_up() { [ -z "${PRIVATE_SERVICES:-}" ] && port_open "$1"; }

free_port() {
  local p
  for p in $(seq "$1" $(( $1 + 200 ))); do
    if ! port_open "$p"; then echo "$p"; return; fi
  done
  return 1
}

need_pkg() { # need_pkg <binary-or-path> <debian-package>
  if command -v "$1" >/dev/null 2>&1 || [ -x "$1" ]; then return 0; fi
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    say "installing $2 (Debian package)"
    if [ ! -f "$DEV/.apt-updated" ]; then apt-get update -qq >&2 && touch "$DEV/.apt-updated"; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >&2
  else
    say "missing $1: run  sudo apt-get install -y $2  and try again"
    exit 1
  fi
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

cleanup() {
  local rc=$?
  for s in "${started[@]:-}"; do
    case "$s" in
      pg) say "stopping private Postgres"; as_pg "$(pg_bin)/pg_ctl" -D "$DEV/pg" -m fast stop >/dev/null 2>&1 || true ;;
      redis) say "stopping private Redis"; kill "$(cat "$DEV/redis.pid" 2>/dev/null)" 2>/dev/null || true ;;
    esac
  done
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

as_pg() { # initdb and postgres refuse to run as root
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

ensure_postgres() {
  if [ -n "${DATABASE_URL:-}" ]; then
    export TEST_DATABASE_URL=${TEST_DATABASE_URL:-$DATABASE_URL}
    return
  fi
  local port=5432
  if ! shared_up 5432; then
    [ -n "$(pg_bin)" ] || need_pkg /usr/lib/postgresql/15/bin/initdb postgresql
  fi
  if ! shared_up 5432; then
    port=$(free_port 55432)
    if [ ! -f "$DEV/pg/PG_VERSION" ]; then
      say "creating a private Postgres cluster in .dev/pg"
      mkdir -p "$DEV/pg"
      [ "$(id -u)" -eq 0 ] && chown -R postgres "$DEV/pg" && chmod 755 "$DEV"
      as_pg "$(pg_bin)/initdb" -D "$DEV/pg" -U postgres --auth=trust -E UTF8 >/dev/null
    fi
    say "starting private Postgres on 127.0.0.1:$port"
    as_pg "$(pg_bin)/pg_ctl" -D "$DEV/pg" -w -l "$DEV/pg/server.log" \
      -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off" start >/dev/null
    started+=(pg)
  fi
  local server="postgres://postgres@127.0.0.1:$port"
  export TEST_DATABASE_URL=${TEST_DATABASE_URL:-"$server/postgres?sslmode=disable"}
  if command -v psql >/dev/null; then
    psql "$server/postgres?sslmode=disable" -qtAc "SELECT 1 FROM pg_database WHERE datname='boomerang_dev'" | grep -q 1 ||
      psql "$server/postgres?sslmode=disable" -qc "CREATE DATABASE boomerang_dev" >/dev/null
    export DATABASE_URL="$server/boomerang_dev?sslmode=disable"
  else
    export DATABASE_URL="$server/postgres?sslmode=disable"
  fi
}

ensure_redis() {
  if [ -n "${REDIS_URL:-}" ]; then return; fi
  if shared_up 6379; then
    export REDIS_URL="redis://127.0.0.1:6379/0"
    return
  fi
  need_pkg redis-server redis-server
  local port
  port=$(free_port 56379)
  say "starting private Redis on 127.0.0.1:$port"
  mkdir -p "$DEV/redis"
  # appendonly keeps queued jobs across a restart of `make dev`, as production must (README).
  redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --dir "$DEV/redis" \
    --pidfile "$DEV/redis.pid" --logfile "$DEV/redis/redis.log" --appendonly yes --appendfsync everysec \
    --maxmemory-policy noeviction >/dev/null
  for _ in $(seq 50); do port_open "$port" && break; sleep 0.1; done
  started+=(redis)
  export REDIS_URL="redis://127.0.0.1:$port/0"
}

ensure_postgres
ensure_redis
say "Postgres: ${DATABASE_URL%%\?*}   Redis: $REDIS_URL"
"$@"
