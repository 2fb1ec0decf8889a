#!/usr/bin/env bash
# Runs the fake-hubspot conformance test (ctest label conformance).
#   run.sh PATH/TO/fake-hubspot
# Installs the pinned npm packages of tests/conformance (npm ci, offline from the cache when possible)
# if node_modules is missing or stale, then runs conformance.test.mjs.
# Exit codes: 0 passed, 1 failed, 77 skipped (specs or Node/npm packages unavailable outside CI).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
conf="$(cd "$here/.." && pwd)"
binary="${1:?usage: run.sh PATH/TO/fake-hubspot}"
skip() {
  if [ -n "${CI:-}" ]; then echo "FAIL: $* (required under CI)"; exit 1; fi
  echo "SKIP: $*"; exit 77
}
command -v node >/dev/null || skip "node is not installed"
command -v npm >/dev/null || skip "npm is not installed"

# Same stamp as scripts/test.sh: reinstall only when package-lock.json changed. The lock file
# serialises concurrent ctest runs.
stamp="$conf/node_modules/.leadsync-lock"
if ! cmp -s "$conf/package-lock.json" "$stamp" 2>/dev/null; then
  (
    flock 9
    if ! cmp -s "$conf/package-lock.json" "$stamp" 2>/dev/null; then
      echo "installing conformance npm packages (npm ci)"
      (cd "$conf" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error) && cp "$conf/package-lock.json" "$stamp"
    fi
  ) 9>"$conf/.npm-install.lock"
  cmp -s "$conf/package-lock.json" "$stamp" 2>/dev/null || skip "npm ci failed in $conf"
fi
cd "$here" && exec node conformance.test.mjs "$binary"
