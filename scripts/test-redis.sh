# Sourced by scripts/test.sh and scripts/e2e.sh: when TEST_REDIS_URL is not set, start a
# redis-server private to this run on a free port (no persistence) and stop it on exit. Tests
# flush the Redis databases they use, so they never run on one they did not start.
if [ -z "${TEST_REDIS_URL:-}" ]; then
  if ! command -v redis-server >/dev/null; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
      echo "==> installing redis-server (Debian package)" >&2
      apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >&2
    else
      echo "==> redis-server missing: run  sudo apt-get install -y redis-server" >&2
      exit 1
    fi
  fi
  test_redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 56380)
  test_redis_pid="${TMPDIR:-/tmp}/boomerang-test-redis-$test_redis_port.pid"
  redis-server --port "$test_redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "${TMPDIR:-/tmp}" \
    --loglevel warning --daemonize yes --pidfile "$test_redis_pid" >/dev/null
  stop_test_redis() { kill "$(cat "$test_redis_pid" 2>/dev/null)" 2>/dev/null || true; }
  trap stop_test_redis EXIT
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$test_redis_port") 2>/dev/null && break; sleep 0.1; done
  export TEST_REDIS_URL="redis://127.0.0.1:$test_redis_port/0"
  echo "==> test Redis on 127.0.0.1:$test_redis_port (private to this run)" >&2
fi
