#!/usr/bin/env bash
# `npm test`: the whole suite. Installs what is missing, type-checks, then runs unit and integration
# tests (the integration tests start a real Temporal dev server and use a real PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund
fi
bash scripts/install-temporal-cli.sh
bash scripts/install-s3-server.sh
bash scripts/install-chromium.sh
echo "== lint, type check and web page build"
npx eslint .
npx prettier --check . --log-level warn
npx tsc -p tsconfig.json --noEmit
npx tsc -p web/tsconfig.json --noEmit
npx vite build web --logLevel warn
echo "== tests"
# One test file at a time: the integration tests share 2 cores with a Temporal server and PostgreSQL.
# --forceExit: the Temporal native runtime keeps handles open after the last test (sdk-typescript #928).
mkdir -p test-output
status=0
npx jest --runInBand --forceExit --json --outputFile=test-output/jest-results.json "$@" || status=$?
# The plain closing line CI reads: "N passed, N failed".
node -e 'const r = require("./test-output/jest-results.json"); console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`)' || true
exit "$status"
