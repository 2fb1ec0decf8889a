#!/usr/bin/env bash
# Packaging: `cmake --install` into a temporary prefix and `cpack -G DEB` from the build directory; checks
# what lands where (dpkg-deb -c / -I). As root, and when no leadsync package or /usr/bin/leadsync is on
# the machine already, also installs the .deb (dpkg -i), runs the installed binary and verifies the
# installed units, then purges the package again.
# usage: package_test.sh BUILD_DIR
set -euo pipefail
build="$1"
tmp="$(mktemp -d /tmp/leadsync-package.XXXXXX)"
installed=0
cleanup() {
  if [ "$installed" = 1 ]; then dpkg -P leadsync >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# ---- cmake --install --------------------------------------------------------------------------------------
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
for f in bin/leadsync lib/systemd/system/leadsync.service lib/systemd/system/leadsync@.service \
         share/leadsync/migrations/0001_bookkeeping.sql etc/leadsync/leadsync.example.yaml; do
  [ -f "$tmp/prefix/$f" ] || fail "cmake --install did not install $f"
done
grep -q "^ExecStart=$tmp/prefix/bin/leadsync --config /etc/leadsync/leadsync.yaml$" "$tmp/prefix/lib/systemd/system/leadsync.service" \
  || fail "the installed unit does not start the installed binary"
"$tmp/prefix/bin/leadsync" --version | grep -q '^leadsync ' || fail "installed binary does not run"
# No core dumps (secrets in memory), and one dynamic user per template instance (no instance can read another
# instance's credentials).
for u in leadsync.service leadsync@.service; do
  grep -qx 'LimitCORE=0' "$tmp/prefix/lib/systemd/system/$u" || fail "$u allows core dumps"
done
grep -qx 'User=leadsync-%i' "$tmp/prefix/lib/systemd/system/leadsync@.service" \
  || fail "leadsync@.service does not run each instance as a user of its own"
echo "ok   cmake --install: binary, units (ExecStart rewritten for the prefix, no core dumps, a user per instance), migrations, example config"

# ---- cpack -G DEB -----------------------------------------------------------------------------------------
(cd "$build" && cpack -G DEB -B "$tmp/deb" --config "$build/CPackConfig.cmake" >"$tmp/cpack.log" 2>&1) \
  || { cat "$tmp/cpack.log" >&2; fail "cpack failed"; }
deb="$(ls "$tmp"/deb/leadsync_*.deb)"
dpkg-deb -c "$deb" | awk '{print $6}' >"$tmp/contents"
for f in ./usr/bin/leadsync ./usr/lib/systemd/system/leadsync.service ./usr/lib/systemd/system/leadsync@.service \
         ./usr/share/leadsync/migrations/0001_bookkeeping.sql ./etc/leadsync/leadsync.example.yaml; do
  grep -qx "$f" "$tmp/contents" || { cat "$tmp/contents" >&2; fail "$f missing from the package"; }
done
if grep -q '^./usr/local' "$tmp/contents"; then fail "package installs under /usr/local"; fi
dpkg-deb -I "$deb" >"$tmp/info"
grep -q '^ Package: leadsync$' "$tmp/info" || fail "package name"
grep -q '^ Depends: .*libpqxx' "$tmp/info" || fail "no shared library dependencies"
dpkg-deb -I "$deb" conffiles | grep -qx /etc/leadsync/leadsync.example.yaml || fail "example config is not a conffile"
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/lib/systemd/system/leadsync.service | grep -q '^ExecStart=/usr/bin/leadsync ' \
  || fail "packaged unit does not start /usr/bin/leadsync"
echo "ok   cpack: $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB), contents and control fields"

# ---- dpkg -i (root only, never over an existing installation) ---------------------------------------------
if [ "$(id -u)" != 0 ]; then echo "skip dpkg -i: not root"; exit 0; fi
if dpkg -s leadsync >/dev/null 2>&1 || [ -e /usr/bin/leadsync ]; then echo "skip dpkg -i: leadsync already installed here"; exit 0; fi
installed=1
dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log" >&2; fail "dpkg -i failed"; }
/usr/bin/leadsync --version | grep -q '^leadsync ' || fail "installed leadsync --version"
# The installed binary finds its migrations next to itself: with both services unreachable the online
# check fails to connect (69), not on a missing migrations directory (78).
cat >"$tmp/check.yaml" <<YAML
hubspot: { base_url: "http://127.0.0.1:9", access_token_env: PKG_TEST_TOKEN, retry: { max_attempts: 1 } }
database: { dsn: "host=127.0.0.1 port=9 dbname=x connect_timeout=2" }
mappings: [ { property: hs_lead_name, column: lead_name } ]
metrics: { enabled: false }
YAML
set +e
PKG_TEST_TOKEN=t /usr/bin/leadsync --config "$tmp/check.yaml" --check-config --online >"$tmp/check.out" 2>&1
code=$?
set -e
[ "$code" = 69 ] || { cat "$tmp/check.out" >&2; fail "installed binary: expected exit 69, got $code"; }
(cd /tmp && systemd-analyze verify /usr/lib/systemd/system/leadsync.service /usr/lib/systemd/system/leadsync@.service) \
  || fail "installed units do not verify"
dpkg -P leadsync >/dev/null
installed=0
[ ! -e /usr/bin/leadsync ] || fail "dpkg -P left /usr/bin/leadsync behind"
echo "ok   dpkg -i: installed, leadsync --version, migrations found, units verify; purged again"
