#!/usr/bin/env bash
# Every test, in two processes side by side (the machine has two cores): the real-browser tests one after
# the other in one process, the logic tests and the notebooks in the other, followed there by the JupyterHub
# tier (tests/hub: a real hub and Chromium; the logic run ends minutes before the browser run). Playwright's
# event loop never runs under a logic test. Each run has its own data folder. The browser run's output
# follows the others'; the exit status fails if any fails (pytest's 5, no tests collected, counts as a
# failure).
set -uo pipefail
cd "$(dirname "$0")/.."
python="${1:-.venv/bin/python}"  # the virtual environment's Python, given by make
data="$(mktemp -d)"
browser_log="$data/browser.log"
mkdir -p "$data/browser" "$data/logic" "$data/hub"

WORKBOOK_DATA_DIR="$data/browser" "$python" -m pytest tests -m "browser and not hub" --durations=15 -p no:cacheprovider >"$browser_log" 2>&1 &
browser_pid=$!

echo "== logic tests and notebooks"
WORKBOOK_DATA_DIR="$data/logic" "$python" -m pytest tests notebooks -m "not browser and not hub" --nbval-lax --durations=25 -p no:cacheprovider
logic_status=$?

echo
echo "== JupyterHub tier"
WORKBOOK_DATA_DIR="$data/hub" "$python" -m pytest tests/hub -m hub --durations=10 -p no:cacheprovider
hub_status=$?

wait "$browser_pid"
browser_status=$?
echo
echo "== real-browser tests"
cat "$browser_log"

echo
echo "logic tests and notebooks: exit status $logic_status; JupyterHub tier: exit status $hub_status;" \
  "real-browser tests: exit status $browser_status"
[ "$logic_status" -eq 0 ] && [ "$hub_status" -eq 0 ] && [ "$browser_status" -eq 0 ]
