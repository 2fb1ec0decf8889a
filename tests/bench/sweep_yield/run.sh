#!/usr/bin/env bash
# Local-edit latency while a full sweep runs (issue 19, point 3): the daemon imports LEADS leads (100,000)
# under HubSpot's ten-secondly limit (RATE requests per 10 s, 190 by default: leadsync's limiter and
# fake-hubspot's both), and meanwhile EDITS rows it already imported are edited, one every EVERY seconds.
# A sweep stops between two batches (eight list pages) to push what is waiting, so each edit should reach
# HubSpot within about sync.debounce plus one batch, not at the end of the sweep. Figures, not assertions.
#   tests/bench/sweep_yield/run.sh BUILD_DIR     (needs the targets leadsync and fake-hubspot)
# Latency: from the capture of the edit (leadsync.changes.created_at) to HubSpot's confirmed answer
# (processed_at), both PostgreSQL's clock. Edits stop once the sweep is done; only edits made during it
# count.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
source "$root/tests/bench/lib.sh"
LEADS="${LEADS:-100000}"
RATE="${RATE:-190}"
EDITS="${EDITS:-40}"
EVERY="${EVERY:-1}"
bench_init "${1:-${LEADSYNC_BUILD_DIR:-$root/build}}" sweepyield
log "fake-hubspot with $LEADS leads, $RATE requests per 10 s"
bench_start_fake --seed-leads "$LEADS" --rate-limit-per-10s "$RATE"

cat >"$work/leadsync.yaml" <<YAML
hubspot:
  base_url: "$fake_url"
  access_token_env: HUBSPOT_ACCESS_TOKEN
  unique_key_property: leadsync_key
  rate_limit: { requests_per_10s: $RATE }
database: { dsn_env: LEADSYNC_DATABASE_URL, table: public.hubspot_leads }
sync: { interval: 1h }
mappings:
  - { property: hs_lead_name,  column: lead_name,  type: string }
  - { property: hs_lead_label, column: lead_label, type: enumeration }
associations:
  - { to_object_type: contacts,  association_type_ids: [578] }
  - { to_object_type: companies, association_type_ids: [580] }
metrics: { enabled: false }
logging: { level: info }
YAML

q() { psql "$dsn" -tAc "$1"; }
"$leadsync" --config "$work/leadsync.yaml" >"$work/daemon.log" 2>&1 &
bench_pids+=($!)
for _ in $(seq 600); do grep -q 'full sweep started' "$work/daemon.log" && break; sleep 0.1; done
grep -q 'full sweep started' "$work/daemon.log" || die "no sweep started: $(tail -20 "$work/daemon.log")"
start_ms=$(date +%s%3N)
for _ in $(seq 600); do [ "$(q "SELECT count(*) FROM public.hubspot_leads")" -ge 1000 ] && break; sleep 0.1; done

log "$EDITS edits, one every $EVERY s, while the sweep runs"
made=0
for i in $(seq 1 "$EDITS"); do
  grep -q 'full sweep done' "$work/daemon.log" && break
  q "UPDATE public.hubspot_leads SET lead_name = 'edit during sweep $i' WHERE id = $((i * 7))" >/dev/null
  made=$i
  sleep "$EVERY"
done
for _ in $(seq 3000); do grep -q 'cycle success: mode=full' "$work/daemon.log" && break; sleep 0.1; done
grep -q 'cycle success: mode=full' "$work/daemon.log" || die "the sweep did not end: $(tail -20 "$work/daemon.log")"
sweep_s=$(( ($(date +%s%3N) - start_ms) / 1000 ))

q "SELECT (extract(epoch FROM processed_at - created_at) * 1000)::bigint FROM leadsync.changes
   WHERE op = 'UPDATE' AND changed->>'lead_name' LIKE 'edit during sweep %' AND state = 'SUCCESS'" >"$work/ms"
pushed=$(wc -l <"$work/ms")
read -r p50 p99 max < <(sort -n "$work/ms" | awk '{a[NR]=$1} END {i=int(NR*0.99); if (i<1) i=1; print a[int((NR+1)/2)], a[i], a[NR]}')
paused=$(sed -n 's/.*full sweep done: .*(paused \([0-9]*\) time.*/\1/p' "$work/daemon.log")
calls=$(sed -n 's/.*cycle success: mode=full .*api_calls=\([0-9]*\).*/\1/p' "$work/daemon.log" | head -1)
printf '\nlocal edits during a full sweep of %s leads at %s requests/10 s (%s cores, load %s)\n' \
  "$LEADS" "$RATE" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '  sweep (import) took about %s s, %s API calls, paused %s time(s) for pushes\n' "$sweep_s" "$calls" "${paused:-0}"
printf '  edits made during it: %s, pushed: %s\n' "$made" "$pushed"
printf '  latency capture -> HubSpot confirmed: p50 %s ms, p99 %s ms, max %s ms (target p99 < 2000 ms)\n' \
  "$p50" "$p99" "$max"
printf '  push-only cycles during the sweep: %s (the sweep pushed the rest)\n' \
  "$(grep -c 'cycle success: mode=push' "$work/daemon.log" || true)"
