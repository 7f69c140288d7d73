#!/usr/bin/env bash
# Installs what the test suite needs beyond the Python packages: Debian's chromium for the browser
# tests, PostgreSQL + PostGIS for the PostGIS store tests (tests/postgres_server.py starts a
# throw-away server on 127.0.0.1). Only as root (CI, fresh machines); elsewhere those tests skip
# with a reason.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium fonts-dejavu-core)
if ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
  need+=(postgresql postgresql-postgis)  # the server and its PostGIS extension (Debian: postgresql-NN-postgis-3)
fi
if [ "${#need[@]}" -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "ensure-test-deps: missing ${need[*]} and not root: browser / PostGIS tests will skip" >&2
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  echo "ensure-test-deps: installing ${need[*]} for the tests" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
