#!/usr/bin/env bash
# The whole test suite: Go tests (real Postgres and Redis), then the admin page in a real browser.
# Tests flush the Redis databases they use, so they get a redis-server of their own, started
# here and stopped at the end; on Postgres they create and drop only databases of their own.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/test-redis.sh
echo "==> the admin's catalogues: every word in every language" >&2
node web/scripts/i18n-check.mjs
echo "==> gofmt" >&2
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './web/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi
echo "==> go vet" >&2
go vet ./...
echo "==> staticcheck" >&2
go tool staticcheck ./... # pinned in go.mod
echo "==> go test" >&2
go test -count=1 -timeout 15m ./...
echo "==> theme-check (Shopify's linter) and storefront budgets" >&2
node web/scripts/theme-check.mjs
scripts/e2e.sh
