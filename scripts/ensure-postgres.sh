#!/usr/bin/env bash
# The store's tests run on PostgreSQL too, a throwaway server from Debian's postgresql package (its own
# cluster in a temporary folder, never the system's); install the package when it is missing.
set -euo pipefail
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  bash "$(dirname "$0")/debian-install.sh" "the PostgreSQL tests" postgresql
fi
