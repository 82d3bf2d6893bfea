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
# A database of its own, created here and dropped at the end, and a Redis database on the
# test Redis (scripts/test.sh starts it), so the run starts from the demo shop alone and
# touches nothing it did not create.
db=""
if [ -n "${TEST_DATABASE_URL:-}" ] && command -v psql >/dev/null; then
  db="boomerang_e2e_$(date +%s)_$$"
  psql "$TEST_DATABASE_URL" -qc "CREATE DATABASE $db" >/dev/null
  export DATABASE_URL="${TEST_DATABASE_URL%%/postgres\?*}/$db?sslmode=disable"
fi
source scripts/test-redis.sh
export REDIS_URL="${TEST_REDIS_URL%/*}/15"
command -v redis-cli >/dev/null && redis-cli -u "$REDIS_URL" flushdb >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18080)
go build -o .dev/boomerang-e2e ./cmd/boomerang
log=.dev/e2e-server.log
DEV_MAIL_FILE=".dev/e2e-mail-$$.jsonl" PORT=$port APP_URL=http://127.0.0.1:$port .dev/boomerang-e2e dev >"$log" 2>&1 &
pid=$!
cleanup() {
  kill $pid 2>/dev/null; wait $pid 2>/dev/null || true
  if declare -F stop_test_redis >/dev/null; then stop_test_redis; fi
  if [ -n "$db" ]; then psql "$TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null || true; fi
  rm -f ".dev/e2e-mail-$$.jsonl"
}
trap cleanup EXIT
for _ in $(seq 300); do
  grep -q "Open the admin" "$log" && break
  kill -0 $pid 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.2
done
echo "==> browser tests against http://127.0.0.1:$port" >&2
BOOMERANG_E2E_EXPECT_HELD=1 BOOMERANG_E2E_URL=http://127.0.0.1:$port BOOMERANG_E2E_SHOP=demo.myshopify.com npm --prefix web run --silent e2e
