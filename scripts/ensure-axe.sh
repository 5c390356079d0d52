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
  bash ../../scripts/debian-install.sh "the accessibility checks" nodejs npm
fi
echo "Installing axe-core $wanted for the accessibility checks..."
npm ci --no-audit --no-fund --loglevel=error
