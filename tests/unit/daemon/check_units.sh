#!/usr/bin/env bash
# Checks leadsync's systemd units: `systemd-analyze verify` must pass without a single complaint, and
# `systemd-analyze security --offline=yes` must rate the exposure 2.0 or lower.
# usage: check_units.sh LEADSYNC_BINARY UNIT_FILE...
# verify insists that ExecStart= points at an existing executable, so it checks a copy whose ExecStart
# names the freshly built binary instead of /usr/bin/leadsync (nothing else is changed). A template unit
# (name@.service) is checked as an instance (name@test.service).
set -euo pipefail
bin="$1"; shift
command -v systemd-analyze >/dev/null || { echo "systemd-analyze not installed" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
status=0
for unit in "$@"; do
  name="$(basename "$unit")"
  instance="${name/@./@test.}"
  sed "s|^ExecStart=/usr/bin/leadsync |ExecStart=$bin |" "$unit" >"$tmp/$instance"
  if ! grep -q "^ExecStart=$bin " "$tmp/$instance"; then
    echo "FAIL $name: ExecStart does not start /usr/bin/leadsync" >&2; status=1; continue
  fi
  out="$(cd "$tmp" && systemd-analyze verify "$tmp/$instance" 2>&1)" || { echo "FAIL $name: verify failed:" >&2; echo "$out" >&2; status=1; continue; }
  if [ -n "$out" ]; then echo "FAIL $name: verify complained:" >&2; echo "$out" >&2; status=1; continue; fi
  sec="$(systemd-analyze security --offline=yes "$unit" 2>&1 || true)"
  level="$(printf '%s\n' "$sec" | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p' | tail -1)"
  if [ -z "$level" ]; then echo "FAIL $name: no exposure level in:" >&2; echo "$sec" >&2; status=1; continue; fi
  if awk -v l="$level" 'BEGIN { exit !(l <= 2.0) }'; then
    echo "ok   $name: verify clean, exposure $level"
  else
    echo "FAIL $name: exposure $level > 2.0" >&2
    printf '%s\n' "$sec" | grep -v '^✓' >&2 || true
    status=1
  fi
done
exit "$status"
