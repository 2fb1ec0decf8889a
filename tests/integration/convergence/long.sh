#!/usr/bin/env bash
# Long mode of the randomized convergence test: thousands of seeds, split into parallel shards.
#
#   tests/integration/convergence/long.sh              # 2000 seeds from seed 1, 2 shards
#   SEEDS=500 FIRST_SEED=10001 JOBS=2 ROUNDS=15 tests/integration/convergence/long.sh
#
# Builds leadsync, fake-hubspot and convergence_tests in the build directory (LEADSYNC_BUILD_DIR, default
# ./build) unless LEADSYNC_NO_BUILD=1, uses the PostgreSQL in LEADSYNC_TEST_DSN or starts a throwaway one,
# and ends with the list of failing seeds and the command that replays each. Exit status 1 if any failed.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/lib" && pwd)/common.sh"
source "$LEADSYNC_ROOT/scripts/lib/pg.sh"

SEEDS="${SEEDS:-2000}"
FIRST_SEED="${FIRST_SEED:-1}"
JOBS="${JOBS:-2}"
ROUNDS="${ROUNDS:-10}"
build="$(build_dir)"
bin="$build/tests/integration/convergence/convergence_tests"

if [ "${LEADSYNC_NO_BUILD:-0}" != 1 ]; then
  [ -f "$build/CMakeCache.txt" ] || cmake -S "$LEADSYNC_ROOT" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" --target leadsync fake-hubspot convergence_tests -j "${LEADSYNC_JOBS:-2}" >/dev/null
fi
[ -x "$bin" ] || die "$bin is missing; build the convergence_tests target"

if [ -z "${LEADSYNC_TEST_DSN:-}" ]; then
  pg_start
  trap pg_stop EXIT
fi
export CI=1  # no database must fail, not skip

out="$(mktemp -d /tmp/leadsync-convergence-long.XXXXXX)"
per=$(( (SEEDS + JOBS - 1) / JOBS ))
log "$SEEDS seeds from $FIRST_SEED in $JOBS shard(s) of $per, $ROUNDS rounds each; logs in $out"
start=$(date +%s)
pids=()
for ((j = 0; j < JOBS; j++)); do
  first=$((FIRST_SEED + j * per))
  count=$per
  last=$((FIRST_SEED + SEEDS - 1))
  (( first > last )) && break
  (( first + count - 1 > last )) && count=$((last - first + 1))
  LEADSYNC_CONVERGENCE_FIRST_SEED=$first LEADSYNC_CONVERGENCE_SEEDS=$count LEADSYNC_CONVERGENCE_ROUNDS=$ROUNDS \
    "$bin" --gtest_filter='Seeds/*' >"$out/shard-$j.log" 2>&1 &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || true; done

passed=$(cat "$out"/shard-*.log | grep -c '^\[       OK \] Seeds/' || true)
failed=$(cat "$out"/shard-*.log | sed -n 's/^\[  FAILED  \] Seeds\/.*seed_\([0-9]*\), where.*/\1/p' | sort -n | uniq)
elapsed=$(( $(date +%s) - start ))
echo "convergence long mode: $passed passed, $(echo -n "$failed" | grep -c . || true) failed, in ${elapsed}s ($out)"
if [ -n "$failed" ]; then
  for seed in $failed; do
    echo "  seed $seed failed; replay: LEADSYNC_CONVERGENCE_SEED=$seed LEADSYNC_CONVERGENCE_ROUNDS=$ROUNDS" \
         "LEADSYNC_TEST_DSN=<superuser DSN> $bin"
  done
  grep -h '^  - ' "$out"/shard-*.log | sort | uniq -c | sort -rn | head -20
  exit 1
fi
