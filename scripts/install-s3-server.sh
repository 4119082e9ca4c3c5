#!/usr/bin/env bash
# Makes sure an S3-compatible test server is available: moto's server (PyPI `moto[server]`) in the
# project's venv .tools/venv, the same venv as the Temporal CLI (scripts/install-temporal-cli.sh).
# Idempotent: returns at once when the pinned version is already installed.
set -euo pipefail
cd "$(dirname "$0")/.."
MOTO_VERSION=5.2.5
installed_version() {
  .tools/venv/bin/python -c 'import importlib.metadata as m; print(m.version("moto"))' 2>/dev/null || true
}
if [ -x .tools/venv/bin/moto_server ] && [ "$(installed_version)" = "$MOTO_VERSION" ]; then exit 0; fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "python3 is needed to install the S3 test server (moto[server] $MOTO_VERSION)" >&2
  exit 1
fi
echo "installing the S3 test server (PyPI moto[server] $MOTO_VERSION) into .tools/venv ..."
[ -x .tools/venv/bin/python ] || python3 -m venv .tools/venv
.tools/venv/bin/pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
echo "moto_server $(installed_version) in .tools/venv/bin"
