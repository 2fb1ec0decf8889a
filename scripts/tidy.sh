#!/usr/bin/env bash
# Runs clang-tidy (the repository's .clang-tidy) over the product translation units: netaddr/, sync/,
# db/, config/, webhooks/, daemon/. Tests, fake-hubspot and benchmarks are not product code and are left out.
#   scripts/tidy.sh                 # every product .cpp
#   scripts/tidy.sh db/src/*.cpp    # only these files
# Environment: LEADSYNC_BUILD_DIR (default ./build; needs its compile_commands.json, which the root
# CMakeLists.txt always exports), LEADSYNC_TIDY_JOBS (default 2), CLANG_TIDY (default clang-tidy).
# Exit status: 0 clean (readability-function-size findings are printed but do not fail), 1 findings.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

BUILD="$(build_dir)"
db="$BUILD/compile_commands.json"
[ -f "$db" ] || die "$db is missing: configure the build first (scripts/test.sh or cmake -S . -B build)"
tidy="${CLANG_TIDY:-clang-tidy}"
command -v "$tidy" >/dev/null || die "$tidy is not installed (Debian package clang-tidy)"

cd "$LEADSYNC_ROOT"
if [ $# -gt 0 ]; then
  files=("$@")
else
  # asio_impl.cpp and beast_impl.cpp only compile Asio's and Beast's own sources (separate
  # compilation): nothing of ours to check there, and they are the slowest units to parse.
  mapfile -t files < <(git ls-files 'netaddr/*.cpp' 'sync/*.cpp' 'db/*.cpp' 'config/*.cpp' 'webhooks/*.cpp' 'daemon/*.cpp' |
    grep -v -e '^sync/core/src/asio_impl\.cpp$' -e '^sync/http/src/beast_impl\.cpp$')
fi
[ ${#files[@]} -gt 0 ] || die "no translation units to check"

out="$(mktemp)"
trap 'rm -f "$out"' EXIT
log "clang-tidy over ${#files[@]} translation units with ${LEADSYNC_TIDY_JOBS:-2} jobs"
# The compile commands are GCC's: clang does not know some of its warning flags, and -Werror would
# turn clang's own (unrequested) diagnostics into errors. GCC's build already enforces warnings.
status=0
# clang-tidy's own chatter ("N warnings generated", "Suppressed N warnings") goes; its errors stay.
printf '%s\n' "${files[@]}" |
  xargs -P "${LEADSYNC_TIDY_JOBS:-2}" -I{} sh -c '
    res=$("$0" -p "$1" --quiet --extra-arg=-Wno-unknown-warning-option --extra-arg=-Wno-error "$2" 2>&1)
    rc=$?
    printf "%s\n" "$res" | grep -v -E "^[0-9]+ (warning|error)s? (and [0-9]+ errors? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter=|^$"
    [ $rc -eq 0 ] || echo "clang-tidy failed on $2"' "$tidy" "$BUILD" {} >"$out" || status=1
cat "$out"
grep -q -e ': error: ' -e '^clang-tidy failed on ' "$out" && status=1
if [ $status -eq 0 ]; then
  log "clang-tidy: clean ($(grep -c 'warning: .*readability-function-size' "$out" || true) long-function warnings)"
else
  log "clang-tidy: findings above"
fi
exit $status
