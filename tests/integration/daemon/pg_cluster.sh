#!/usr/bin/env bash
# A dedicated throwaway PostgreSQL cluster that a test can stop and start again on the same port
# (scripts/lib/pg.sh starts clusters; this adds stop/start without deleting the data).
#   pg_cluster.sh start            -> prints "DIR PORT" of a new cluster (running)
#   pg_cluster.sh stop DIR         -> fast shutdown, data kept
#   pg_cluster.sh restart DIR PORT -> start the stopped cluster again on PORT
#   pg_cluster.sh destroy DIR      -> immediate stop and removal
set -euo pipefail
source "$(dirname "$0")/../../../scripts/lib/common.sh"
source "$LEADSYNC_ROOT/scripts/lib/pg.sh"

case "${1:-}" in
  start)
    unset LEADSYNC_PG_PORT
    pg_start >&2
    echo "$LEADSYNC_PG_DIR $LEADSYNC_PG_PORT"
    ;;
  stop)
    _pg_as_owner "$(pg_bindir)/pg_ctl" -D "$2/data" -m fast -w stop >/dev/null
    ;;
  restart)
    # The same options as pg_start uses.
    _pg_as_owner "$(pg_bindir)/pg_ctl" -D "$2/data" -l "$2/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $3 -k $2 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null
    ;;
  destroy)
    LEADSYNC_PG_DIR="$2" pg_stop
    ;;
  *)
    echo "usage: $0 start | stop DIR | restart DIR PORT | destroy DIR" >&2
    exit 2
    ;;
esac
