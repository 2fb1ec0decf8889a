#!/usr/bin/env bash
# Builds leadsync and runs every test against a throwaway PostgreSQL cluster and fake-hubspot.
#   scripts/test.sh                 # everything: unit, integration, conformance
#   scripts/test.sh -L unit         # extra arguments go to every ctest call (e.g. -R ConfigTest)
# Style checks run too and fail the run: clang-format over the tracked C++ files, clang-tidy over the
# product code (scripts/tidy.sh).
# Environment: LEADSYNC_BUILD_DIR (default ./build), LEADSYNC_JOBS, LEADSYNC_SANITIZE=address,undefined,
# LEADSYNC_TIDY=0 (skip clang-tidy), LEADSYNC_TIDY_JOBS (default 2).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/pg.sh"

bash "$LEADSYNC_ROOT/scripts/setup.sh"

status=0
declare -A results
checks=()

# Formatting first: it needs no build. The repository's .clang-format is written for clang-format 14.
checks+=(format)
fmt="$(command -v clang-format-14 || command -v clang-format || true)"
if [ -z "$fmt" ]; then
  log "clang-format is not installed (scripts/setup.sh installs it)"
  results[format]=FAILED; status=1
elif ! git -C "$LEADSYNC_ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  log "not a git checkout: no list of tracked files to check the formatting of"
  results[format]=skipped
else
  log "checking formatting: $fmt --dry-run -Werror over the tracked C++ files"
  if git -C "$LEADSYNC_ROOT" ls-files -z '*.cpp' '*.hpp' '*.h' |
      (cd "$LEADSYNC_ROOT" && xargs -0 "$fmt" --dry-run -Werror); then
    results[format]=passed
  else
    log "formatting differs from .clang-format: run $fmt -i on the files named above"
    results[format]=FAILED; status=1
  fi
fi

cmake_args=()
[ -n "${LEADSYNC_SANITIZE:-}" ] && cmake_args+=("-DLEADSYNC_SANITIZE=$LEADSYNC_SANITIZE")
build_project "${cmake_args[@]}"
BUILD="$(build_dir)"

# clang-tidy needs the build's compile_commands.json. About 8 CPU-minutes for the product code (so
# about 4 minutes at -j2 when both cores are free); LEADSYNC_TIDY=0 skips it.
checks+=(tidy)
if [ "${LEADSYNC_TIDY:-1}" = 0 ]; then
  log "clang-tidy skipped (LEADSYNC_TIDY=0)"
  results[tidy]=skipped
elif bash "$LEADSYNC_ROOT/scripts/tidy.sh"; then
  results[tidy]=passed
else
  results[tidy]=FAILED; status=1
fi

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

for label in unit integration conformance; do
  checks+=("$label")
  log "running ctest -L $label"
  if (cd "$BUILD" && ctest -L "^${label}\$" --output-on-failure --no-tests=error -j "${LEADSYNC_TEST_JOBS:-2}" --timeout 900 "$@"); then
    results[$label]=passed
  else
    results[$label]=FAILED; status=1
  fi
done

printf '\n==== test summary ====\n'
for check in "${checks[@]}"; do printf '  %-12s %s\n' "$check" "${results[$check]}"; done
[ $status -eq 0 ] && printf 'all tests passed\n' || printf 'some tests FAILED (see output above)\n'
exit $status
