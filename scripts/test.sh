#!/usr/bin/env bash
# The whole test suite: Go tests (real Postgres and Redis), then the admin page in a real browser.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "==> go vet" >&2
go vet ./...
echo "==> go test" >&2
go test -count=1 -timeout 15m ./...
scripts/e2e.sh
