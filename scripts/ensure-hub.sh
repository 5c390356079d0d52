#!/usr/bin/env bash
# The hub tests (and anyone trying deploy/jupyterhub on this machine) need configurable-http-proxy, the
# Node.js proxy JupyterHub puts in front of itself and the single-user servers. It is pinned in
# tests/hub/package-lock.json and installed with `npm ci` into tests/hub/node_modules (Node.js and npm come
# from Debian when missing). Nothing is downloaded while the tests run.
set -euo pipefail
cd "$(dirname "$0")/../tests/hub"
wanted="$(sed -n 's/.*"configurable-http-proxy": "\([0-9.]*\)".*/\1/p' package.json)"
installed="$(sed -n 's/^  "version": "\([0-9.]*\)".*/\1/p' node_modules/configurable-http-proxy/package.json 2>/dev/null || true)"
if [ -x node_modules/.bin/configurable-http-proxy ] && [ "$installed" = "$wanted" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  bash ../../scripts/debian-install.sh "the JupyterHub tests" nodejs npm
fi
echo "Installing configurable-http-proxy $wanted for the JupyterHub tests..."
npm ci --no-audit --no-fund --loglevel=error
