#!/usr/bin/env bash
# Browser tests drive Debian's Chromium; install it when it is missing (needs root or sudo).
set -euo pipefail
browser="${WORKBOOK_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$browser" ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1; then
  sudo="sudo"
else
  echo "Chromium is missing and cannot be installed without root: install Debian's 'chromium' package." >&2
  exit 1
fi
echo "Installing Debian's chromium for the browser tests..."
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
