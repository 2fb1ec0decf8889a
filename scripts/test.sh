#!/usr/bin/env bash
# Builds leadsync and runs every test against a throwaway PostgreSQL cluster and fake-hubspot.
#   scripts/test.sh                 # everything: unit, integration, conformance
#   scripts/test.sh -L unit         # extra arguments go to every ctest call (e.g. -R ConfigTest)
# Environment: LEADSYNC_BUILD_DIR (default ./build), LEADSYNC_JOBS, LEADSYNC_SANITIZE=address,undefined.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/pg.sh"

bash "$LEADSYNC_ROOT/scripts/setup.sh"

cmake_args=()
[ -n "${LEADSYNC_SANITIZE:-}" ] && cmake_args+=("-DLEADSYNC_SANITIZE=$LEADSYNC_SANITIZE")
build_project "${cmake_args[@]}"
BUILD="$(build_dir)"

# Conformance tests drive fake-hubspot with the official Node SDK (pinned in package-lock.json).
conf="$LEADSYNC_ROOT/tests/conformance"
if [ -f "$conf/package-lock.json" ]; then
  stamp="$conf/node_modules/.leadsync-lock"
  if ! cmp -s "$conf/package-lock.json" "$stamp" 2>/dev/null; then
    log "installing conformance-test npm packages (npm ci)"
    (cd "$conf" && npm ci --no-audit --no-fund --loglevel=error) && cp "$conf/package-lock.json" "$stamp"
  fi
fi

cleanup() { pg_stop; }
trap cleanup EXIT INT TERM
log "starting a throwaway PostgreSQL cluster"
pg_start
log "PostgreSQL on 127.0.0.1:$LEADSYNC_PG_PORT (data in $LEADSYNC_PG_DIR)"
export CI="${CI:-}"

status=0
declare -A results
for label in unit integration conformance; do
  log "running ctest -L $label"
  if (cd "$BUILD" && ctest -L "^${label}\$" --output-on-failure --no-tests=error -j "${LEADSYNC_TEST_JOBS:-2}" --timeout 900 "$@"); then
    results[$label]=passed
  else
    results[$label]=FAILED; status=1
  fi
done

printf '\n==== test summary ====\n'
for label in unit integration conformance; do printf '  %-12s %s\n' "$label" "${results[$label]}"; done
[ $status -eq 0 ] && printf 'all tests passed\n' || printf 'some tests FAILED (see output above)\n'
exit $status
