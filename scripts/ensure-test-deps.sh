#!/usr/bin/env bash
# Installs what the test suite needs beyond the Python packages: Debian's chromium for the browser
# tests. Only as root (CI, fresh machines); elsewhere the browser tests skip with a reason.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "ensure-test-deps: /usr/bin/chromium missing and not root: browser tests will skip" >&2
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  echo "ensure-test-deps: installing Debian's chromium for the browser tests" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
