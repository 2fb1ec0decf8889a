#!/usr/bin/env bash
# Webhook figures (issue 18): HubSpot change -> PostgreSQL latency with webhooks on, the API cost of applying
# a burst of UI edits, and how many events per second the receiver acknowledges with its durable commit.
# Figures, not assertions.
#   tests/bench/webhooks/run.sh BUILD_DIR     (needs the targets leadsync and fake-hubspot)
# Environment: LEADS (3000) seeded leads, EDITS (200) timed edits, BURST (1000) edits of distinct leads,
# EVENTS (50000) events posted to the receiver, SENDERS (4) concurrent senders.
#
# Latency: fake-hubspot delivers signed events to a running daemon (sync.interval 1h, so only events bring
# changes); each edit is made through fake-hubspot's UI route, one every 50 ms, and its latency is the time
# from just before the edit (this script's clock) to the start of the transaction that wrote the lead's
# base (leadsync.base.synced_at, same machine); events start a cycle at once (no sync.debounce). Cost: BURST
# edits of distinct leads made by 8 parallel clients, delivered in batches of up to 100 (a 200 ms batching
# window), and the batch reads and searches fake-hubspot counted while they were applied. Receiver: a Python
# client signs batches of 100 events and POSTs them over keep-alive connections; every 200 is a commit.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
source "$root/tests/bench/lib.sh"
LEADS="${LEADS:-3000}"
EDITS="${EDITS:-200}"
BURST="${BURST:-1000}"
EVENTS="${EVENTS:-50000}"
SENDERS="${SENDERS:-4}"
SECRET=bench-webhook-secret
PUBLIC_URL=https://leadsync.example.com/hubspot/webhooks
PORTAL=12345678
bench_init "${1:-${LEADSYNC_BUILD_DIR:-$root/build}}" webhooks
export LEADSYNC_WEBHOOK_SECRET="$SECRET"
bench_start_fake --seed-leads "$LEADS" --portal-id "$PORTAL"
daemon_pid=""

cat >"$work/leadsync.yaml" <<YAML
hubspot:
  base_url: "$fake_url"
  access_token_env: HUBSPOT_ACCESS_TOKEN
  unique_key_property: leadsync_key
  rate_limit: { enabled: false }
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
webhooks:
  enabled: true
  listen: "127.0.0.1:0"
  public_url: $PUBLIC_URL
  client_secret_env: LEADSYNC_WEBHOOK_SECRET
  portal_id: $PORTAL
YAML

q() { psql "$dsn" -tAc "$1"; }
admin() { curl -sf -X "$1" "$fake_url$2" ${3:+-d "$3"}; }
requests_matching() {  # requests_matching PATTERN: requests fake-hubspot counted on routes matching it
  admin GET /_fake/stats | python3 -c 'import json,re,sys; s=json.load(sys.stdin)["requests"]; print(sum(v for k,v in s.items() if re.search(sys.argv[1], k)))' "$1"
}
now_ms() { date +%s%3N; }
percentiles() {  # percentiles FILE -> "p50 p99" of its numbers
  sort -n "$1" | awk '{a[NR]=$1} END {i=int(NR*0.99); if (i<1) i=1; print a[int((NR+1)/2)], a[i]}'
}

log "leadsync with webhooks on; import of $LEADS leads"
"$leadsync" --config "$work/leadsync.yaml" >"$work/daemon.log" 2>&1 &
daemon_pid=$!
bench_pids+=("$daemon_pid")
for _ in $(seq 6000); do grep -q 'cycle success' "$work/daemon.log" && break; sleep 0.1; done
grep -q 'cycle success' "$work/daemon.log" || die "the daemon's first cycle did not succeed: $(tail -20 "$work/daemon.log")"
wport="$(sed -n 's/.*webhooks listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/daemon.log" | head -1)"
[ -n "$wport" ] || die "no webhook port in the daemon's log"
admin POST /_fake/webhooks "{\"target_url\":\"http://127.0.0.1:$wport/hubspot/webhooks\",\"signed_url\":\"$PUBLIC_URL\",\"client_secret\":\"$SECRET\",\"retry_base_ms\":100}" >/dev/null

mapfile -t ids < <(q "SELECT hubspot_id FROM public.hubspot_leads ORDER BY id")
[ "${#ids[@]}" -ge $((2 * EDITS + 2 * BURST)) ] || die "need at least $((2 * EDITS + 2 * BURST)) leads, have ${#ids[@]}"

# ---- latency: property edits ---------------------------------------------------------------------
log "latency: $EDITS UI edits, one every 50 ms"
: >"$work/edits"
for i in $(seq 0 $((EDITS - 1))); do
  id="${ids[$i]}"
  echo "$id $(now_ms)" >>"$work/edits"
  admin PATCH "/_fake/leads/$id" "{\"properties\":{\"hs_lead_name\":\"webhook edit $i\"}}" >/dev/null
  sleep 0.05
done
for _ in $(seq 600); do
  [ "$(q "SELECT count(*) FROM public.hubspot_leads WHERE lead_name LIKE 'webhook edit %'")" = "$EDITS" ] && break
  sleep 0.1
done
edit_applied=$(q "SELECT count(*) FROM public.hubspot_leads WHERE lead_name LIKE 'webhook edit %'")
q "CREATE TEMP TABLE t(id text, ms bigint)" >/dev/null
latencies() {  # latencies FILE -> one latency (ms) per line
  python3 - "$1" <<'PY' | psql "$dsn" -tA
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
print("SELECT (extract(epoch FROM b.synced_at) * 1000)::bigint - t.ms FROM (VALUES "
      + ",".join(f"('{i}',{ms})" for i, ms in rows)
      + ") AS t(id, ms) JOIN leadsync.base b ON b.hubspot_id = t.id;")
PY
}
latencies "$work/edits" >"$work/edit_ms"
read -r e50 e99 < <(percentiles "$work/edit_ms")

# ---- latency: associations -----------------------------------------------------------------------
log "latency: $EDITS associations added in the UI, one every 50 ms"
company=$(admin POST /_fake/companies '{"properties":{}}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
: >"$work/assocs"
for i in $(seq 0 $((EDITS - 1))); do
  id="${ids[$((EDITS + i))]}"
  echo "$id $(now_ms)" >>"$work/assocs"
  admin PUT "/_fake/leads/$id/associations/companies/$company/580" >/dev/null
  sleep 0.05
done
for _ in $(seq 600); do
  [ "$(q "SELECT count(*) FROM public.hubspot_leads_associations WHERE to_object_id = '$company'")" = "$EDITS" ] && break
  sleep 0.1
done
assoc_applied=$(q "SELECT count(*) FROM public.hubspot_leads_associations WHERE to_object_id = '$company'")
latencies "$work/assocs" >"$work/assoc_ms"
read -r a50 a99 < <(percentiles "$work/assoc_ms")

# ---- cost of edits of distinct leads --------------------------------------------------------------
# HubSpot sends up to 100 events per request; fake-hubspot batches what arrives within 200 ms the same way
# (without a window it sends each event of a burst on its own, one request at a time).
admin POST /_fake/webhooks "{\"target_url\":\"http://127.0.0.1:$wport/hubspot/webhooks\",\"signed_url\":\"$PUBLIC_URL\",\"client_secret\":\"$SECRET\",\"retry_base_ms\":100,\"batch_window_ms\":200}" >/dev/null
burst() {  # burst NAME OFFSET [paused]: BURST edits of distinct leads; sets reads searches edits_ms applied_ms applied
  for _ in $(seq 100); do [ "$(q "SELECT count(*) FROM leadsync.inbox WHERE processed_at IS NULL")" = 0 ] && break; sleep 0.1; done
  local r0 s0 t0
  r0=$(requests_matching 'leads/batch/read')
  s0=$(requests_matching 'search')
  [ -n "${3:-}" ] && admin PATCH /_fake/webhooks '{"enabled":false}' >/dev/null
  t0=$(now_ms)
  printf '%s\n' "${ids[@]:$2:$BURST}" |
    xargs -P 8 -I{} curl -sf -o /dev/null -X PATCH "$fake_url/_fake/leads/{}" -d "{\"properties\":{\"hs_lead_name\":\"$1\"}}"
  edits_ms=$(($(now_ms) - t0))
  [ -n "${3:-}" ] && admin PATCH /_fake/webhooks '{"enabled":true}' >/dev/null
  local t1; t1=$(now_ms)
  for _ in $(seq 1200); do
    [ "$(q "SELECT count(*) FROM public.hubspot_leads WHERE lead_name = '$1'")" = "$BURST" ] && break
    sleep 0.1
  done
  applied_ms=$(($(now_ms) - t1))
  applied=$(q "SELECT count(*) FROM public.hubspot_leads WHERE lead_name = '$1'")
  reads=$(($(requests_matching 'leads/batch/read') - r0))
  searches=$(($(requests_matching 'search') - s0))
}
log "cost: $BURST UI edits of distinct leads as they are made (8 parallel clients)"
burst "trickle edit" $((2 * EDITS))
read -r t_reads t_searches t_edits t_applied_ms t_applied <<<"$reads $searches $edits_ms $applied_ms $applied"
log "cost: $BURST UI edits of distinct leads delivered together (delivery paused while they are made)"
burst "burst edit" $((2 * EDITS + BURST)) paused
kill "$daemon_pid" 2>/dev/null; wait "$daemon_pid" 2>/dev/null || true; daemon_pid=""

# ---- receiver throughput -------------------------------------------------------------------------
log "receiver: $EVENTS events in batches of 100 from $SENDERS senders"
admin DELETE /_fake/webhooks >/dev/null
# A receiver only: the engine is not what is measured, so the sync interval is long and its cycles idle.
"$leadsync" --config "$work/leadsync.yaml" >"$work/daemon2.log" 2>&1 &
daemon_pid=$!
bench_pids+=("$daemon_pid")
for _ in $(seq 600); do grep -q 'webhooks listening on' "$work/daemon2.log" && break; sleep 0.1; done
wport="$(sed -n 's/.*webhooks listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/daemon2.log" | head -1)"
rate=$(python3 - "$wport" "$EVENTS" "$SENDERS" "$SECRET" "$PUBLIC_URL" "$PORTAL" <<'PY'
import base64, hashlib, hmac, http.client, json, sys, threading, time
port, events, senders, secret, url, portal = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], int(sys.argv[6])
batches = events // 100
ok = [0] * senders
def send(k):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for b in range(k, batches, senders):
        body = json.dumps([{"eventId": 10**9 + b * 100 + i, "subscriptionId": 5, "portalId": portal, "appId": 1234001,
                            "occurredAt": 1765000000000, "subscriptionType": "object.propertyChange", "attemptNumber": 0,
                            "objectId": 1, "objectTypeId": "0-136", "propertyName": "hs_unmapped",
                            "propertyValue": "x", "changeSource": "CRM_UI"} for i in range(100)])
        ts = str(int(time.time() * 1000))
        sig = base64.b64encode(hmac.new(secret.encode(), ("POST" + url + body + ts).encode(), hashlib.sha256).digest()).decode()
        c.request("POST", "/hubspot/webhooks", body, {"Content-Type": "application/json",
                  "X-HubSpot-Request-Timestamp": ts, "X-HubSpot-Signature-v3": sig})
        r = c.getresponse(); r.read()
        if r.status == 200: ok[k] += 100
        else: c.close(); c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
t0 = time.time()
ts = [threading.Thread(target=send, args=(k,)) for k in range(senders)]
for t in ts: t.start()
for t in ts: t.join()
print(f"{sum(ok) / (time.time() - t0):.0f} {sum(ok)}")
PY
)
read -r per_s acked <<<"$rate"
stored=$(q "SELECT count(*) FROM leadsync.inbox WHERE event_id >= 1000000000")

printf '\nwebhooks, measured on fake-hubspot with %s leads (%s cores, load %s)\n' "$LEADS" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '  UI edit -> PostgreSQL: p50 %s ms, p99 %s ms over %s edits (%s applied); target p99 < 1000 ms\n' "$e50" "$e99" "$EDITS" "$edit_applied"
printf '  association added in the UI -> PostgreSQL: p50 %s ms, p99 %s ms over %s (%s applied); target p99 < 1000 ms\n' "$a50" "$a99" "$EDITS" "$assoc_applied"
printf '  %s UI edits of distinct leads as made (over %s ms): %s batch reads, %s searches; the last applied %s ms after the last edit (%s applied)\n' \
  "$BURST" "$t_edits" "$t_reads" "$t_searches" "$t_applied_ms" "$t_applied"
printf '  %s UI edits of distinct leads delivered together: %s batch reads, %s searches; all applied %s ms after delivery resumed (%s applied); target <= 10 batch reads, 0 searches\n' \
  "$BURST" "$reads" "$searches" "$applied_ms" "$applied"
printf '  receiver: %s events/s acknowledged (%s acknowledged, %s stored, %s senders, batches of 100); target >= 5000 events/s\n' \
  "$per_s" "$acked" "$stored" "$SENDERS"
