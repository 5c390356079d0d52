#!/usr/bin/env bash
# Install Debian packages the tests need: debian-install.sh "what they are for" PACKAGE...
# Uses root, or sudo when there is one; otherwise says which packages to install and fails.
set -euo pipefail
purpose="$1"
shift
if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1; then
  sudo="sudo"
else
  echo "$* missing for $purpose and cannot be installed without root: install Debian's '$*'." >&2
  exit 1
fi
echo "Installing Debian's $* for $purpose..."
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
