#!/usr/bin/env bash
# Builds the admin front end into web/dist when its sources changed since the last build.
set -euo pipefail
cd "$(dirname "$0")/../web"
if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  echo "==> node/npm not found: install Node.js 20.19+ or 22.12+ (Vite 8 needs it) and retry" >&2
  exit 1
fi
# Vite 8 runs on Node ^20.19.0 || >=22.12.0; an older Node fails later with an obscure error.
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit((a===20&&b>=19)||(a===22&&b>=12)||a>22?0:1)'; then
  echo "==> Node.js $(node --version) is too old for the admin front end: Vite 8 needs 20.19+ (or 22.12+)." >&2
  echo "    Debian 12's nodejs package is 18: install Node 20.19+ from NodeSource or nvm, then retry." >&2
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
