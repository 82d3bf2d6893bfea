#!/usr/bin/env bash
# bench-ingest.sh NAME BINARY ROUND: one ingest round of a boomerang binary (docs/bench/ingest.md).
# A fresh database, `serve` on port 18081 against the Redis at BENCH_REDIS_URL (a private one:
# it is flushed), 20 s as fast as 16 connections get answers, then 20 s at 1,000/s on 64; prints
# the machine's busy CPU seconds over each run (/proc/stat) and the rows stored. Needs
# cmd/loadgen built at LOADGEN (default /tmp/loadgen) and Postgres at 127.0.0.1:5432.
set -eu
name=$1 bin=$2 round=$3
redis=${BENCH_REDIS_URL:?set BENCH_REDIS_URL to a private Redis, e.g. redis://127.0.0.1:16379/0}
loadgen=${LOADGEN:-/tmp/loadgen}
out=${BENCH_OUT:-/tmp/bench-ingest}
mkdir -p "$out"
db=boomerang_ingest_${name}_$round
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
export BOOMERANG_ENV=production LOG_LEVEL=warn PORT=18081 APP_URL=https://app.example.com \
  OPS_PASSWORD=bench SMTP_URL=smtp://127.0.0.1:2525 SHOPIFY_API_KEY=bench-key SHOPIFY_API_SECRET=bench-secret \
  ENCRYPTION_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f \
  DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db?sslmode=disable" REDIS_URL=$redis
"$bin" migrate >/dev/null 2>&1
"$bin" serve >"$out/serve_$name.log" 2>&1 &
spid=$!
trap 'kill $spid 2>/dev/null || true' EXIT
sleep 2
busy() { awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat; }
hz=$(getconf CLK_TCK)
for mode in "0 16" "1000 64"; do
  set -- $mode
  read -r l1 _ </proc/loadavg
  b0=$(busy)
  "$loadgen" -url http://127.0.0.1:18081/webhooks -secret bench-secret -rate "$1" -duration 20s \
    -concurrency "$2" -run "r$round$name$1" -json >"$out/${name}_${round}_$1.json"
  b1=$(busy)
  read -r l2 _ </proc/loadavg
  echo "$name round $round rate $1: cpu_seconds $(( (b1 - b0) ))/$hz load $l1 -> $l2 result $out/${name}_${round}_$1.json"
done
kill $spid; wait $spid 2>/dev/null || true
echo "$name round $round stored: $(psql -h 127.0.0.1 -U postgres -d "$db" -Atc "select count(*) from webhook_events where webhook_id like 'r$round$name%'")"
redis-cli -u "$redis" flushdb >/dev/null
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db" >/dev/null
