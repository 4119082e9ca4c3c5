#!/usr/bin/env bash
# `npm start`: installs what is missing, then brings the platform up (scripts/up.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund
fi
bash scripts/install-temporal-cli.sh
if [ ! -f web/dist/index.html ]; then npx vite build web --logLevel warn; fi
exec node --import tsx scripts/up.ts
