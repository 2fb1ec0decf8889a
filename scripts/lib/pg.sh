# Throwaway PostgreSQL cluster for tests and the demo. Source it, then:
#   pg_start          # starts a cluster on a free loopback port; exports LEADSYNC_PG_DIR, LEADSYNC_PG_PORT,
#                     # LEADSYNC_TEST_DSN (a superuser DSN to database "postgres")
#   pg_stop           # stops it and removes its directory (safe to call twice; use it in a trap)
# Works as root (initdb refuses root, so the cluster runs as user "postgres") and as a normal user.

pg_bindir() {
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then pg_config --bindir; return 0; fi
  local d; for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return 0; }; done
  return 1
}

_pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else (cd / && "$@"); fi
}

pg_start() {
  local bindir; bindir="$(pg_bindir)" || { echo "PostgreSQL server binaries not found (install package postgresql)" >&2; return 1; }
  LEADSYNC_PG_DIR="$(mktemp -d /tmp/leadsync-pg.XXXXXX)"
  chmod 755 "$LEADSYNC_PG_DIR"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$LEADSYNC_PG_DIR"; fi
  LEADSYNC_PG_PORT="${LEADSYNC_PG_PORT:-$(free_port)}"
  _pg_as_owner "$bindir/initdb" -D "$LEADSYNC_PG_DIR/data" -A trust -E UTF8 --no-sync -U postgres >"$LEADSYNC_PG_DIR/initdb.log" 2>&1 \
    || { cat "$LEADSYNC_PG_DIR/initdb.log" >&2; return 1; }
  _pg_as_owner "$bindir/pg_ctl" -D "$LEADSYNC_PG_DIR/data" -l "$LEADSYNC_PG_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $LEADSYNC_PG_PORT -k $LEADSYNC_PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$LEADSYNC_PG_DIR/server.log" >&2; return 1; }
  LEADSYNC_TEST_DSN="host=127.0.0.1 port=$LEADSYNC_PG_PORT user=postgres dbname=postgres"
  export LEADSYNC_PG_DIR LEADSYNC_PG_PORT LEADSYNC_TEST_DSN
}

pg_stop() {
  [ -n "${LEADSYNC_PG_DIR:-}" ] && [ -d "$LEADSYNC_PG_DIR/data" ] || return 0
  local bindir; bindir="$(pg_bindir)" || return 0
  _pg_as_owner "$bindir/pg_ctl" -D "$LEADSYNC_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$LEADSYNC_PG_DIR"
  unset LEADSYNC_PG_DIR
}
