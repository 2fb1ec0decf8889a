#!/usr/bin/env bash
# Steady-state API cost (issue 19): what each activity costs on fake-hubspot at LEADS leads (100,000), and
# a day of a 1,000,000-lead portal projected from it at the default settings. Figures, not assertions.
#   tests/bench/steady_state/run.sh BUILD_DIR     (needs the targets leadsync and fake-hubspot)
# Environment: LEADS (100000), PORTAL (1000000), LEAD_CHANGES (10000/day), ASSOC_CHANGES (1000/day).
#
# Measured, each with `leadsync --sync-now` and its row of leadsync.runs (api_calls_by_activity):
#   full sweep         the first run (the import)
#   association sweep  a run with the association sweep made due (its state row removed): associations of
#                      every lead, by object type, plus the recycle-bin scan
#   poll               a run with 7 leads edited in HubSpot since the previous one (10,000 a day is about
#                      7 a minute): the incremental search that finds them
#   push               a run after one local edit of a lead, and one after one local association removal
# Projection for PORTAL leads, per day: full and association sweeps scale with the lead count (the recycle
# bin does not) and run once per interval; the poll runs every sync.interval; a lead change or association
# change made in PostgreSQL is pushed on its own (sync.debounce is 500 ms, and 7 edits a minute rarely
# share one), one made in HubSpot costs nothing beyond the poll (lead) or the association sweep. Half the
# changes are taken to be local, half remote. Run setup (property reads at each start) is left out: the
# daemon pays it once per start, not per cycle.
# With webhooks on (the defaults in force then: poll every 15 min, association sweep daily, full sweep
# weekly), a change made in HubSpot costs one read when its event is applied (a batch read for a lead, an
# association read for an association; at 7 changes a minute each comes in a cycle of its own, so nothing
# shares a read), and the events of leadsync's own pushes cost nothing (tests/bench/webhooks/run.sh and the
# webhook event tests measure both).
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
source "$root/tests/bench/lib.sh"
LEADS="${LEADS:-100000}"
PORTAL="${PORTAL:-1000000}"
LEAD_CHANGES="${LEAD_CHANGES:-10000}"
ASSOC_CHANGES="${ASSOC_CHANGES:-1000}"
bench_init "${1:-${LEADSYNC_BUILD_DIR:-$root/build}}" steady
log "fake-hubspot with $LEADS leads"
bench_start_fake --seed-leads "$LEADS"

# Default settings, apart from the client-side limiter (off: the calls are counted, not paced).
cat >"$work/leadsync.yaml" <<YAML
hubspot:
  base_url: "http://127.0.0.1:$fport"
  access_token_env: HUBSPOT_ACCESS_TOKEN
  unique_key_property: leadsync_key
  rate_limit: { enabled: false }
database: { dsn_env: LEADSYNC_DATABASE_URL, table: public.hubspot_leads }
mappings:
  - { property: hs_lead_name,  column: lead_name,  type: string }
  - { property: hs_lead_label, column: lead_label, type: enumeration }
associations:
  - { to_object_type: contacts,  association_type_ids: [578] }
  - { to_object_type: companies, association_type_ids: [580] }
metrics: { enabled: false }
logging: { level: warn }
YAML

q() { psql "$dsn" -tAc "$1"; }
run() {  # run NAME: one --sync-now; its calls by activity go to $work/NAME
  "$leadsync" --config "$work/leadsync.yaml" --sync-now >"$work/$1.log" 2>&1 || {
    tail -20 "$work/$1.log" >&2
    die "leadsync --sync-now ($1) failed"
  }
  q "SELECT coalesce(api_calls_by_activity, '{}') FROM leadsync.runs ORDER BY id DESC LIMIT 1" >"$work/$1"
}
calls() {  # calls NAME ACTIVITY
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], 0))' "$work/$1" "$2"
}
patch_remote() {  # patch_remote ID VALUE
  curl -sf -o /dev/null -X PATCH "http://127.0.0.1:$fport/_fake/leads/$1" \
    -d "{\"properties\":{\"hs_lead_name\":\"$2\"}}"
}

log "full sweep (import of $LEADS leads)"
start=$SECONDS
run full
log "  took $((SECONDS - start)) s"
full=$(calls full full_sweep)
log "association sweep"
q "DELETE FROM leadsync.sync_state WHERE key = 'last_maintenance_sweep'" >/dev/null
run assoc
assoc=$(calls assoc association_sweep)
bin=$(calls assoc recycle_bin)
log "poll with 7 leads edited in HubSpot"
for id in $(q "SELECT hubspot_id FROM public.hubspot_leads ORDER BY id LIMIT 7"); do patch_remote "$id" "remote edit $id"; done
sleep 1
run poll
poll=$(calls poll incremental)
pulled=$(q "SELECT pulled FROM leadsync.runs ORDER BY id DESC LIMIT 1")
log "push of one local lead edit"
q "UPDATE public.hubspot_leads SET lead_name = 'local edit' WHERE id = (SELECT max(id) FROM public.hubspot_leads)" >/dev/null
run push
push=$(calls push push)
log "push of one local association removal"
q "DELETE FROM public.hubspot_leads_associations WHERE (lead_id, to_object_type) = (SELECT lead_id, to_object_type FROM public.hubspot_leads_associations ORDER BY lead_id LIMIT 1)" >/dev/null
curl -sf -o /dev/null -X DELETE "http://127.0.0.1:$fport/_fake/stats"
run assocpush
assocpush_run=$(calls assocpush push)
# The label list is read once per process and kept (a daemon reads it at its first association push, not at
# each): a push in a running daemon costs the run's calls without it.
labels=$(curl -sf "http://127.0.0.1:$fport/_fake/stats" | python3 -c 'import json,sys; print(sum(v for k,v in json.load(sys.stdin)["requests"].items() if "labels" in k))')
assocpush=$((assocpush_run - labels))
setup=$(calls push setup)

# day CALLS_PER_FULL_SWEEP ... -> integer calls per day at FULL_H / ASSOC_MIN sweep intervals
project() {  # project FULL_INTERVAL_MIN ASSOC_INTERVAL_MIN -> prints "total full assoc poll push"
  python3 - "$@" <<PY
import math, sys
full_min, assoc_min = float(sys.argv[1]), float(sys.argv[2])
scale = $PORTAL / $LEADS
full_day = $full * scale * 1440 / full_min
assoc_day = ($assoc * scale + $bin) * 1440 / assoc_min
poll_day = $poll * 1440
push_day = ($LEAD_CHANGES / 2) * $push + ($ASSOC_CHANGES / 2) * $assocpush
total = full_day + assoc_day + poll_day + push_day
print(" ".join(str(int(math.ceil(x))) for x in (total, full_day, assoc_day, poll_day, push_day)))
PY
}
read -r total full_day assoc_day poll_day push_day <<<"$(project 1440 60)"
read -r wh_total wh_full wh_assoc wh_poll wh_push wh_events <<<"$(python3 - <<PY
import math
scale = $PORTAL / $LEADS
full_day = $full * scale / 7
assoc_day = $assoc * scale + $bin
poll_day = $poll * 1440 / 15
push_day = ($LEAD_CHANGES / 2) * $push + ($ASSOC_CHANGES / 2) * $assocpush
events_day = $LEAD_CHANGES / 2 + $ASSOC_CHANGES / 2
total = full_day + assoc_day + poll_day + push_day + events_day
print(" ".join(str(int(math.ceil(x))) for x in (total, full_day, assoc_day, poll_day, push_day, events_day)))
PY
)"
read -r old_total _ <<<"$(project 60 15)"

printf '\nsteady-state API cost, measured at %s leads on fake-hubspot, projected to %s leads\n' "$LEADS" "$PORTAL"
printf '  per run at %s leads: full sweep %s, association sweep %s + recycle bin %s, poll with %s changed %s, push of one lead edit %s, of one association change %s (%s in a run of its own, which reads the label list first), setup per start %s\n' \
  "$LEADS" "$full" "$assoc" "$bin" "$pulled" "$poll" "$push" "$assocpush" "$assocpush_run" "$setup"
printf '  per day at defaults (full sweep 24h, association sweep 1h, poll 1m; %s lead and %s association changes, half local):\n' \
  "$LEAD_CHANGES" "$ASSOC_CHANGES"
printf '    full sweep %s, association sweep %s, polls %s, pushes %s\n' "$full_day" "$assoc_day" "$poll_day" "$push_day"
printf '  target: <= 65000 polling only (10 %% of a Professional budget of 650000), associations at most 1 h stale\n'
printf '  the previous defaults (full sweep 1h, association sweep 15m) on the same measurements: %s calls/day\n' "$old_total"
printf '  push latency while a sweep runs: not measured (sweeps do not yield to pushes yet)\n'
printf '  per day with webhooks on (full sweep weekly, association sweep daily, safety poll 15m; HubSpot changes read once each):\n'
printf '    full sweep %s, association sweep %s, polls %s, pushes %s, event reads %s; target <= 6500 (1 %%)\n' \
  "$wh_full" "$wh_assoc" "$wh_poll" "$wh_push" "$wh_events"
printf 'steady-state polling: %s calls/day\n' "$total"
printf 'steady-state webhooks: %s calls/day\n' "$wh_total"
