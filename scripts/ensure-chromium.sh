#!/usr/bin/env bash
# Browser tests drive Debian's Chromium; install it when it is missing (needs root or sudo).
set -euo pipefail
browser="${WORKBOOK_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$browser" ]; then
  bash "$(dirname "$0")/debian-install.sh" "the browser tests" chromium fonts-dejavu-core
fi
