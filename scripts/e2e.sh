#!/usr/bin/env bash
# Browser tests: the real server (boomerang dev on a free port, demo shop) driven by
# playwright-core in Debian's chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d web/e2e ] || ! ls web/e2e/*.test.* >/dev/null 2>&1; then
  echo "==> no browser tests yet" >&2
  exit 0
fi
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "==> installing chromium (Debian package)" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
  else
    echo "==> chromium missing: run  sudo apt-get install -y chromium" >&2
    exit 1
  fi
fi
# A fresh database and Redis database of its own, so the run starts from the demo shop alone.
if [ -n "${TEST_DATABASE_URL:-}" ] && command -v psql >/dev/null; then
  psql "$TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS boomerang_e2e WITH (FORCE)" >/dev/null
  psql "$TEST_DATABASE_URL" -qc "CREATE DATABASE boomerang_e2e" >/dev/null
  export DATABASE_URL="${TEST_DATABASE_URL%%/postgres\?*}/boomerang_e2e?sslmode=disable"
fi
if [ -n "${REDIS_URL:-}" ]; then
  export REDIS_URL="${REDIS_URL%/*}/14"
  command -v redis-cli >/dev/null && redis-cli -u "$REDIS_URL" flushdb >/dev/null
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18080)
go build -o .dev/boomerang-e2e ./cmd/boomerang
log=.dev/e2e-server.log
PORT=$port APP_URL=http://127.0.0.1:$port .dev/boomerang-e2e dev >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 300); do
  grep -q "Open the admin" "$log" && break
  kill -0 $pid 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.2
done
echo "==> browser tests against http://127.0.0.1:$port" >&2
BOOMERANG_E2E_EXPECT_HELD=1 BOOMERANG_E2E_URL=http://127.0.0.1:$port BOOMERANG_E2E_SHOP=demo.myshopify.com npm --prefix web run --silent e2e
