#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh machine, then runs all of it.
# Extra arguments go to pytest, e.g. `bash scripts/run_tests.sh tests/engine -x`.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -r requirements-test.txt

# Browser tests drive Debian's chromium through Playwright (Playwright's own browser
# download needs internet that classrooms and CI machines may not have); the cluster test
# (tests/browser/test_cluster.py) puts Debian's nginx in front of two app replicas.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then as_root=(); else as_root=(sudo); fi
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python3 -m pytest "$@"
