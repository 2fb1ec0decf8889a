#!/usr/bin/env bash
# Benchmark: list pages of 100 leads per second served by fake-hubspot (one I/O thread = one core)
# with 1,000,000 leads loaded, and its memory (VmHWM/VmRSS). Builds nothing.
#   tests/bench/fake_hubspot/run.sh BUILD_DIR            (or LEADSYNC_BUILD_DIR=... run.sh)
# Needs the targets fake-hubspot and fake_hubspot_loadgen built in BUILD_DIR:
#   cmake --build BUILD_DIR --target fake-hubspot fake_hubspot_loadgen
# Environment: LEADS (default 1000000), SECONDS_PER_RUN (10), CONNECTIONS (4).
set -euo pipefail
build="${1:-${LEADSYNC_BUILD_DIR:-}}"
[ -n "$build" ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
fake="$build/tests/fake_hubspot/fake-hubspot"
loadgen="$build/tests/bench/fake_hubspot/fake_hubspot_loadgen"
for b in "$fake" "$loadgen"; do
  [ -x "$b" ] || { echo "missing $b (build the targets fake-hubspot and fake_hubspot_loadgen)" >&2; exit 2; }
done
leads="${LEADS:-1000000}"
secs="${SECONDS_PER_RUN:-10}"
conns="${CONNECTIONS:-4}"
out="$(mktemp)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -f "$out"; }
trap cleanup EXIT INT TERM

mem() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"; }

echo "== fake-hubspot --seed-leads $leads (1 I/O thread)"
t0=$(date +%s.%N)
"$fake" --port 0 --token bench-token --seed-leads "$leads" --threads 1 >"$out" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  grep -q "listening on" "$out" && break
  kill -0 "$pid" 2>/dev/null || { cat "$out"; exit 1; }
  sleep 0.1
done
port="$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$out")"
[ -n "$port" ] || { echo "fake-hubspot did not start"; cat "$out"; exit 1; }
t1=$(date +%s.%N)
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
echo "seed_time_s        $(calc %.2f "$t1 - $t0")"
rss_kb="$(mem VmRSS)"; hwm_kb="$(mem VmHWM)"
echo "rss_after_seed_mb  $(calc %.1f "$rss_kb / 1024")"
echo "hwm_after_seed_mb  $(calc %.1f "$hwm_kb / 1024")"
echo "bytes_per_lead     $(calc %.0f "$rss_kb * 1024 / $leads") (whole process RSS / leads)"

# The first lead id: the seed creates contacts and companies first, so ask the server.
first="$(curl -s -H 'Authorization: Bearer bench-token' "http://127.0.0.1:$port/crm/v3/objects/leads?limit=1&properties=hs_object_id" \
         | sed -n 's/^{"results":\[{"id":"\([0-9]*\)".*/\1/p')"
[ -n "$first" ] || { echo "could not read the first lead id"; exit 1; }

cpu0="$(awk '{print $14 + $15}' "/proc/$pid/stat")"
echo "== GET /crm/v3/objects/leads?limit=100&properties=(4)&associations=contacts,companies, $conns keep-alive connections, ${secs}s"
"$loadgen" "$port" bench-token "$secs" "$conns" "$first" "$leads" | tee "$out.load"
cpu1="$(awk '{print $14 + $15}' "/proc/$pid/stat")"
hz="$(getconf CLK_TCK)"
pages="$(awk '$1 == "pages" { print $2 }' "$out.load")"
rm -f "$out.load"
echo "server_cpu_s       $(calc %.2f "($cpu1 - $cpu0) / $hz") (in ${secs}s wall; one I/O thread = one core at most)"
# On a shared machine the wall-clock rate understates what one core does; this is the per-core rate.
echo "pages_per_cpu_s    $(calc %.0f "$pages / (($cpu1 - $cpu0) / $hz)")"
# One search over all leads (filter + sort), to show the cost of the linear index scan.
search_s="$(curl -s -o /dev/null -w '%{time_total}' -H 'Authorization: Bearer bench-token' -H 'Content-Type: application/json' \
  -d '{"filterGroups":[{"filters":[{"propertyName":"hs_lastmodifieddate","operator":"GTE","value":"0"},{"propertyName":"hs_lead_label","operator":"EQ","value":"HOT"}]}],"sorts":[{"propertyName":"hs_lastmodifieddate","direction":"DESCENDING"}],"limit":200}' \
  "http://127.0.0.1:$port/crm/v3/objects/leads/search")"
echo "search_1_of_${leads}_ms $(calc %.0f "$search_s * 1000")"
echo "rss_mb             $(calc %.1f "$(mem VmRSS) / 1024")"
echo "hwm_mb             $(calc %.1f "$(mem VmHWM) / 1024")"
