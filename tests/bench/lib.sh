# Shared by the benchmark scripts that run the leadsync binary against their own PostgreSQL and
# fake-hubspot (steady_state/, webhooks/). Source it after setting `root`:
#   bench_init BUILD_DIR NAME   binaries ($leadsync, $fake), a work dir ($work), PostgreSQL with database NAME
#                               ($dsn, exported as LEADSYNC_DATABASE_URL), and clean-up of all of it on exit
#   bench_start_fake ARGS...    fake-hubspot with the bench token ($TOKEN) and ARGS; sets $fport, $fake_url
# Processes a script starts itself go in the array bench_pids, which the clean-up stops.
source "$root/scripts/lib/common.sh"
source "$root/scripts/lib/pg.sh"
TOKEN=bench-token
bench_pids=()

bench_cleanup() {
  local p
  for p in "${bench_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pg_stop
  rm -rf "$work"
}

bench_init() {
  local build="$1" name="$2" b
  leadsync="$build/daemon/leadsync"
  fake="$build/tests/fake_hubspot/fake-hubspot"
  for b in "$leadsync" "$fake"; do
    [ -x "$b" ] || die "missing $b (cmake --build $build --target leadsync fake-hubspot)"
  done
  work="$(mktemp -d "/tmp/leadsync-$name-bench.XXXXXX")"
  trap bench_cleanup EXIT INT TERM
  pg_start
  psql "$LEADSYNC_TEST_DSN" -qc "CREATE DATABASE $name" >/dev/null
  dsn="host=127.0.0.1 port=$LEADSYNC_PG_PORT user=postgres dbname=$name"
  export LEADSYNC_DATABASE_URL="$dsn" HUBSPOT_ACCESS_TOKEN="$TOKEN" LEADSYNC_MIGRATIONS_DIR="$root/migrations"
}

bench_start_fake() {
  "$fake" --port 0 --token "$TOKEN" "$@" >"$work/fake.log" 2>&1 &
  bench_pids+=($!)
  for _ in $(seq 3000); do grep -q 'listening on' "$work/fake.log" && break; sleep 0.1; done
  fport="$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/fake.log" | head -1)"
  [ -n "$fport" ] || die "fake-hubspot did not start: $(cat "$work/fake.log")"
  fake_url="http://127.0.0.1:$fport"
}
