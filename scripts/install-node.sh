#!/usr/bin/env bash
# Installs a pinned Node.js binary of the given major version (24 or 22) into .tools/node<major>/ from the
# npm registry (package node-<os>-<arch>) and prints the folder holding its `node`, for PATH.
# CI runs the whole suite on Node 24 (the LTS users run) and the unit suite on Node 22 (engines: >=22).
set -euo pipefail
cd "$(dirname "$0")/.."
major="${1:?usage: install-node.sh 24|22}"
case "$major" in
  24) version=24.21.0 ;;
  22) version=22.23.3 ;;
  *) echo "no pinned Node $major" >&2; exit 2 ;;
esac
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "no Node binary package for $(uname -m)" >&2; exit 1 ;;
esac
package="node-$(uname -s | tr '[:upper:]' '[:lower:]')-$arch"
prefix=".tools/node$major"
bin="$PWD/$prefix/node_modules/$package/bin"
if [ ! -x "$bin/node" ] || [ "$("$bin/node" --version)" != "v$version" ]; then
  npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel error "$package@$version" >&2
fi
echo "$bin"
