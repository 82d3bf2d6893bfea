#!/usr/bin/env bash
# Builds the admin front end into web/dist when its sources changed since the last build.
set -euo pipefail
cd "$(dirname "$0")/../web"
if ! command -v npm >/dev/null; then
  echo "==> npm not found: install Node.js 20+ (e.g. from Debian: apt-get install -y nodejs npm) and retry" >&2
  exit 1
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> npm ci (web)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
stamp=dist/index.html
if [ -f "$stamp" ] && [ -z "$(find src index.html vite.config.js package-lock.json -newer "$stamp" -print -quit 2>/dev/null)" ]; then
  exit 0
fi
echo "==> building the admin front end" >&2
npm run build --silent >&2
