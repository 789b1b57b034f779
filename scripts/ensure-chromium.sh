#!/usr/bin/env bash
# Makes sure Debian's Chromium is present for the report test (headless rendering of the HTML report).
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the report test..."
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "Chromium is needed by tests/integration/report.test.ts: install it (Debian: sudo apt-get install chromium)" >&2
exit 1
