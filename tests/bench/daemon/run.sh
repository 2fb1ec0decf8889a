#!/usr/bin/env bash
# Benchmark of the running daemon (issue 6): idle CPU and memory, wake-up latency of local edits, and
# failover time. Figures, not assertions. Builds nothing; starts its own PostgreSQL (scripts/lib/pg.sh) and
# fake-hubspot, stops everything on exit.
#   tests/bench/daemon/run.sh BUILD_DIR        (needs the targets leadsync and fake-hubspot)
# Environment: IDLE_SECONDS (60), LEADS (1000), EDITS (10).
#   idle      the daemon after its first sync, sync.interval 60s, nothing changing: CPU time of all its
#             threads from /proc/PID/task/*/schedstat (ns) over IDLE_SECONDS (so it includes about one
#             incremental cycle), VmRSS/VmHWM/threads from /proc/PID/status,
#             and the HubSpot requests it made meanwhile (fake-hubspot /_fake/stats)
#   wake-up   UPDATE of one row -> value visible through fake-hubspot's API (polled every 10 ms),
#             EDITS times, default sync.debounce (500 ms), sync.interval 1h (so only LISTEN can explain it)
#   failover  a standby next to the active daemon; kill -9 of the active -> "active:" in the standby's log
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
source "$root/scripts/lib/common.sh"
source "$root/scripts/lib/pg.sh"
build="${1:-${LEADSYNC_BUILD_DIR:-$root/build}}"
leadsync="$build/daemon/leadsync"
fake="$build/tests/fake_hubspot/fake-hubspot"
for b in "$leadsync" "$fake"; do [ -x "$b" ] || die "missing $b (cmake --build $build --target leadsync fake-hubspot)"; done
IDLE_SECONDS="${IDLE_SECONDS:-60}"
LEADS="${LEADS:-1000}"
EDITS="${EDITS:-10}"
TOKEN=bench-token

work="$(mktemp -d /tmp/leadsync-daemon-bench.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pg_stop
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

pg_start
psql "$LEADSYNC_TEST_DSN" -qc "CREATE DATABASE bench" >/dev/null
export LEADSYNC_DATABASE_URL="host=127.0.0.1 port=$LEADSYNC_PG_PORT user=postgres dbname=bench"
export HUBSPOT_ACCESS_TOKEN="$TOKEN" LEADSYNC_MIGRATIONS_DIR="$root/migrations"
"$fake" --port 0 --token "$TOKEN" --seed-leads "$LEADS" >"$work/fake.log" 2>&1 &
pids+=($!)
for _ in $(seq 600); do grep -q 'listening on' "$work/fake.log" && break; sleep 0.1; done
fport="$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/fake.log" | head -1)"

config() {  # config INTERVAL > file
  cat <<YAML
hubspot: { base_url: "http://127.0.0.1:$fport", access_token_env: HUBSPOT_ACCESS_TOKEN, unique_key_property: leadsync_key }
database: { dsn_env: LEADSYNC_DATABASE_URL, table: public.hubspot_leads }
sync: { interval: $1 }
mappings:
  - { property: hs_lead_name,  column: lead_name,  type: string }
  - { property: hs_lead_label, column: lead_label, type: enumeration }
associations:
  - { to_object_type: contacts,  association_type_ids: [578] }
  - { to_object_type: companies, association_type_ids: [580] }
metrics: { listen: "127.0.0.1:0" }
YAML
}
config 60s >"$work/idle.yaml"
config 1h >"$work/wake.yaml"
sql() { psql "$LEADSYNC_DATABASE_URL" -X -qtA -c "$1"; }
wait_log() {  # wait_log FILE TEXT SECONDS
  for _ in $(seq $(($3 * 20))); do grep -q "$2" "$1" && return 0; sleep 0.05; done
  echo "timed out waiting for '$2' in $1:" >&2; tail -20 "$1" >&2; return 1
}
cpu_ns() { cat /proc/"$1"/task/*/schedstat | awk '{ s += $1 } END { printf "%d\n", s }'; }
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
requests() {
  curl -fsS "http://127.0.0.1:$fport/_fake/stats" |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["requests"]; print(sum(v for k,v in r.items() if "/_fake/" not in k))'
}

echo "leadsync daemon benchmark: $(nproc) cores, $(uname -r), $LEADS leads in fake-hubspot"
echo

# ---- idle ---------------------------------------------------------------------------------------------------
"$leadsync" --config "$work/idle.yaml" >"$work/idle.log" 2>&1 &
dpid=$!
pids+=("$dpid")
wait_log "$work/idle.log" "cycle success: mode=full" 120
sleep 2  # let the first cycle's buffers settle
r0="$(requests)"
t0="$(cpu_ns "$dpid")"
start=$(date +%s.%N)
sleep "$IDLE_SECONDS"
t1="$(cpu_ns "$dpid")"
elapsed="$(echo "$(date +%s.%N) - $start" | bc -l)"
r1="$(requests)"
cpu_ms="$(echo "($t1 - $t0) / 1000000" | bc -l)"
printf 'idle (%s s, sync.interval 60s, %s leads synced)\n' "$IDLE_SECONDS" "$LEADS"
printf '  CPU           %.1f ms in %.1f s = %.3f %% of one core\n' "$cpu_ms" "$elapsed" "$(echo "$cpu_ms / ($elapsed * 10)" | bc -l)"
printf '  memory        VmRSS %s KiB, VmHWM %s KiB (peak incl. the first full sync), %s threads\n' \
  "$(status_kb "$dpid" VmRSS)" "$(status_kb "$dpid" VmHWM)" "$(status_kb "$dpid" Threads)"
printf '  HubSpot       %s requests while idle (one incremental search per sync.interval)\n' "$((r1 - r0))"
kill -TERM "$dpid"
wait "$dpid" || true

# ---- wake-up latency ----------------------------------------------------------------------------------------
"$leadsync" --config "$work/wake.yaml" >"$work/wake.log" 2>&1 &
dpid=$!
pids+=("$dpid")
wait_log "$work/wake.log" "cycle success" 60
lat=()
for i in $(seq "$EDITS"); do
  hid="$(sql "SELECT hubspot_id FROM public.hubspot_leads ORDER BY id OFFSET $i LIMIT 1")"
  t_start=$(date +%s%N)
  sql "UPDATE public.hubspot_leads SET lead_name = 'bench wake $i' WHERE hubspot_id = '$hid'" >/dev/null
  ok=""
  for _ in $(seq 1000); do
    if curl -fsS -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$fport/crm/v3/objects/leads/$hid?properties=hs_lead_name" \
         | grep -q "bench wake $i\""; then ok=1; break; fi
    sleep 0.01
  done
  [ -n "$ok" ] || die "edit $i never arrived"
  lat+=($(( ($(date +%s%N) - t_start) / 1000000 )))
  sleep 0.7
done
sorted=($(printf '%s\n' "${lat[@]}" | sort -n))
n=${#sorted[@]}
printf '\nwake-up latency (local UPDATE -> visible in HubSpot), %s edits, sync.debounce 500ms\n' "$n"
printf '  min %s ms, median %s ms, max %s ms   (all: %s)\n' "${sorted[0]}" "${sorted[$((n / 2))]}" "${sorted[$((n - 1))]}" "${lat[*]}"

# ---- failover -----------------------------------------------------------------------------------------------
"$leadsync" --config "$work/wake.yaml" >"$work/standby.log" 2>&1 &
spid=$!
pids+=("$spid")
wait_log "$work/standby.log" "standby:" 60
{ kill -9 "$dpid"; wait "$dpid"; } 2>/dev/null || true
f0=$(date +%s%N)
wait_log "$work/standby.log" "active: holding the leader lock" 60
f1=$(date +%s%N)
printf '\nfailover: kill -9 of the active daemon -> standby active after %s ms (standby polls the lock every 1 s)\n' \
  "$(( (f1 - f0) / 1000000 ))"
kill -TERM "$spid"
wait "$spid" || true
