#!/usr/bin/env bash
# The browser tests check every page with axe-core, the accessibility engine, pinned in
# tests/browser/package-lock.json. Installs Node.js and npm from Debian when missing (needs root or
# sudo), then the pinned axe-core with `npm ci`. Nothing is downloaded while the tests run.
set -euo pipefail
cd "$(dirname "$0")/../tests/browser"
wanted="$(sed -n 's/.*"axe-core": "\([0-9.]*\)".*/\1/p' package.json)"
installed="$(sed -n 's/.*"version": "\([0-9.]*\)".*/\1/p' node_modules/axe-core/package.json 2>/dev/null || true)"
if [ -f node_modules/axe-core/axe.min.js ] && [ "$installed" = "$wanted" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    sudo=""
  elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "npm is missing and cannot be installed without root: install Debian's 'nodejs' and 'npm'." >&2
    exit 1
  fi
  echo "Installing Debian's nodejs and npm for the accessibility checks..."
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nodejs npm >/dev/null
fi
echo "Installing axe-core $wanted for the accessibility checks..."
npm ci --no-audit --no-fund --loglevel=error
