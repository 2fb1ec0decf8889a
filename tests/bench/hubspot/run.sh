#!/usr/bin/env bash
# Benchmark of the HubSpot client against fake-hubspot (issue 4, "Benchmark").
#   tests/bench/hubspot/run.sh [BUILD_DIR] [extra hubspot_bench options]
# Starts fake-hubspot --rate-limit-per-10s 190 --seed-leads 20000 on a free port, runs hubspot_bench
# (60 s with the limiter at 190 per 10 s, then 15 s with limiter and server limit off) and prints the figures.
# Exit status: 0 when the limited phase reached >= 95 % of the budget with zero 429s.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
build="${1:-$root/build}"
shift || true
fake="$build/tests/fake_hubspot/fake-hubspot"
bench="$build/tests/bench/hubspot/hubspot_bench"
for b in "$fake" "$bench"; do
  [ -x "$b" ] || { echo "missing $b: cmake --build $build --target fake-hubspot hubspot_bench" >&2; exit 2; }
done

log="$(mktemp)"
"$fake" --port 0 --token bench-token --rate-limit-per-10s 190 --seed-leads 20000 >"$log" 2>&1 &
fake_pid=$!
trap 'kill "$fake_pid" 2>/dev/null; wait "$fake_pid" 2>/dev/null; rm -f "$log"' EXIT
port=""
for _ in $(seq 1 300); do
  port="$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -n1)"
  [ -n "$port" ] && break
  kill -0 "$fake_pid" 2>/dev/null || { cat "$log" >&2; exit 2; }
  sleep 0.1
done
[ -n "$port" ] || { echo "fake-hubspot did not start" >&2; cat "$log" >&2; exit 2; }
echo "fake-hubspot on port $port (--rate-limit-per-10s 190 --seed-leads 20000)"
"$bench" --base-url "http://127.0.0.1:$port" --token bench-token --rate 190 "$@"
