#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, -fsanitize=fuzzer,address,undefined, in a build
# directory of their own) and runs them.
#   scripts/fuzz.sh TARGET SECONDS    # one target for SECONDS: json_scan | lead_page | json_codec | config
#   scripts/fuzz.sh all SECONDS       # each target in turn, SECONDS each; a summary at the end
#   scripts/fuzz.sh build             # only build
# Each run starts from the seed corpus tests/fuzz/corpus/TARGET (read only) and from what earlier runs found
# (BUILD/corpus/TARGET, where new inputs go). A crash, leak, sanitizer report, timeout or broken invariant
# stops the target and leaves the input in BUILD/findings/TARGET/: add it to tests/fuzz/regressions/TARGET/
# (replayed by the unit test fuzz.TARGET.replay) together with the fix.
# Exit status: 0 when every target ran its time without a finding.
# Environment: LEADSYNC_FUZZ_BUILD_DIR (default ./build-fuzz), LEADSYNC_JOBS (default 2),
#   LEADSYNC_FUZZ_ARGS (extra libFuzzer flags, e.g. "-max_len=100000" or "-jobs=2").
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

TARGETS=(json_scan lead_page json_codec config)
BUILD="${LEADSYNC_FUZZ_BUILD_DIR:-$LEADSYNC_ROOT/build-fuzz}"
FUZZ_DIR="$LEADSYNC_ROOT/tests/fuzz"

usage() { die "usage: $(basename "$0") {$(IFS='|'; echo "${TARGETS[*]}")|all} SECONDS | build"; }

build() {
  bash "$LEADSYNC_ROOT/scripts/setup.sh" --fuzz
  if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    log "configuring the fuzz build in $BUILD"
    local cxx; cxx="$(command -v clang++-14 || command -v clang++)"
    local launcher=(); command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    # -O1 -g with assertions on (no NDEBUG): an assertion that fails under fuzzing is a finding too.
    cmake -S "$LEADSYNC_ROOT" -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" "${launcher[@]}" \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
      -DLEADSYNC_FUZZ=ON -DLEADSYNC_BUILD_TESTS=OFF >/dev/null
  fi
  log "building the fuzz targets in $BUILD"
  cmake --build "$BUILD" -j "${LEADSYNC_JOBS:-2}" --target "${TARGETS[@]/#/fuzz_}"
}

# Runs one target; prints its summary line to stdout; returns non-zero on a finding.
run_target() {
  local target="$1" seconds="$2"
  local work="$BUILD/corpus/$target" findings="$BUILD/findings/$target" logfile="$BUILD/logs/$target.log"
  mkdir -p "$work" "$findings" "$(dirname "$logfile")"
  local dict=()
  case "$target" in
    config) dict=(-dict="$FUZZ_DIR/yaml.dict") ;;
    *)      dict=(-dict="$FUZZ_DIR/json.dict") ;;
  esac
  log "fuzzing $target for ${seconds}s (log: $logfile)"
  local status=0 started; started=$(date +%s)
  # shellcheck disable=SC2086  # LEADSYNC_FUZZ_ARGS is a list of flags
  "$BUILD/tests/fuzz/fuzz_$target" "$work" "$FUZZ_DIR/corpus/$target" "${dict[@]}" \
    -max_total_time="$seconds" -timeout=25 -print_final_stats=1 -artifact_prefix="$findings/" \
    ${LEADSYNC_FUZZ_ARGS:-} >"$logfile" 2>&1 || status=$?
  local execs; execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$logfile" | tail -1)"
  local took=$(( $(date +%s) - started ))
  if [ "$status" -eq 0 ]; then
    printf '  %-11s passed  %9s executions in %ss, corpus %s inputs\n' "$target" "${execs:-?}" "$took" \
      "$(find "$work" -type f | wc -l)"
  else
    printf '  %-11s FAILED  (exit %s after %ss; input in %s, details at the end of %s)\n' "$target" "$status" \
      "$took" "$findings" "$logfile"
    tail -n 40 "$logfile" >&2
  fi
  return "$status"
}

[ $# -ge 1 ] || usage
case "$1" in
  build) build; exit 0 ;;
  all) targets=("${TARGETS[@]}") ;;
  *)
    printf '%s\n' "${TARGETS[@]}" | grep -qx -- "$1" || usage
    targets=("$1") ;;
esac
[ $# -eq 2 ] && [[ "$2" =~ ^[1-9][0-9]*$ ]] || usage
seconds="$2"

build
summary=() status=0
for t in "${targets[@]}"; do
  if line="$(run_target "$t" "$seconds")"; then summary+=("$line"); else summary+=("$line"); status=1; fi
done
printf '\n==== fuzz summary (%ss per target) ====\n' "$seconds"
printf '%s\n' "${summary[@]}"
[ $status -eq 0 ] && printf 'no findings\n' || printf 'some targets FAILED (see above)\n'
exit $status
