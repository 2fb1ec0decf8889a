-- leadsync bookkeeping tables (docs/design.md#data-model). Applied by db::MigrationRunner in one transaction
-- together with its leadsync.schema_migrations row. Forward-only: never edit this file once released;
-- add a new NNNN_name.sql instead (the runner refuses a changed checksum).
--
-- Every row carries `scope` = the mapped table's qualified name ("public.hubspot_leads"), so several
-- leadsync instances (one per portal, leadsync@.service) can share one database.

CREATE SCHEMA IF NOT EXISTS leadsync;

-- The outbox. Filled by leadsync.capture_lead_change() / capture_association_change() (0002), drained
-- by the push phase (coalesced per lead, in id order).
CREATE TABLE leadsync.changes (
  id              bigserial   PRIMARY KEY,
  scope           text        NOT NULL,
  txid            bigint      NOT NULL DEFAULT txid_current(),
  lead_id         bigint      NOT NULL,
  hubspot_id      text,                                   -- as known at capture time (needed after DELETE)
  op              text        NOT NULL
                  CHECK (op IN ('INSERT', 'UPDATE', 'DELETE', 'ASSOC_ADD', 'ASSOC_REMOVE')),
  -- INSERT/UPDATE: column -> new value (only changed columns, bookkeeping columns excluded);
  -- ASSOC_*: {"to_object_type", "to_object_id", "association_type_id", "association_category"}.
  -- Added: the CHECK keeps a hand-written row from breaking the push phase's parser.
  changed         jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(changed) = 'object'),
  state           text        NOT NULL DEFAULT 'NEW'
                  CHECK (state IN ('NEW', 'PENDING', 'SUCCESS', 'FAILED', 'MERGED', 'IGNORED')),
  attempts        int         NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  http_status     int,
  correlation_id  text,
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  processed_at    timestamptz
);
-- The push phase's queue scan: only open rows, oldest due first.
CREATE INDEX changes_open_idx ON leadsync.changes (scope, next_attempt_at, id)
  WHERE state IN ('NEW', 'PENDING');
-- Coalescing per lead and a lead's history.
CREATE INDEX changes_lead_idx ON leadsync.changes (scope, lead_id, id);
-- Added: `leadsync --status` counts and `--retry-failed` requeues FAILED rows without scanning the
-- (mostly SUCCESS) history.
CREATE INDEX changes_failed_idx ON leadsync.changes (scope, id) WHERE state = 'FAILED';

-- Last synced state per lead: the "base" of the three-way reconcile (docs/design.md#reconciliation).
CREATE TABLE leadsync.base (
  scope             text        NOT NULL,
  hubspot_id        text        NOT NULL,
  lead_id           bigint,                               -- local row id when linked
  vals              jsonb       NOT NULL DEFAULT '{}',    -- HubSpot property -> normalised text or null
  stamps            jsonb       NOT NULL DEFAULT '{}',    -- HubSpot property -> HubSpot timestamp (ISO)
  associations      jsonb,                                -- [{"type","id","type_id"}]; NULL = never synced
  remote_updated_at timestamptz,
  synced_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, hubspot_id)
);
CREATE INDEX base_lead_idx ON leadsync.base (scope, lead_id);

-- Watermarks and cursors (and the recorded mapping, see db::SchemaManager).
CREATE TABLE leadsync.sync_state (
  scope      text        NOT NULL,
  key        text        NOT NULL,
  value      text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);

-- Conflicts: both values, both timestamps, the policy and what it decided. A `manual` conflict stays
-- open (resolved_at NULL) until an operator sets `resolve` to 'local' or 'remote'.
CREATE TABLE leadsync.conflicts (
  id                bigserial   PRIMARY KEY,
  scope             text        NOT NULL,
  lead_id           bigint,
  hubspot_id        text,
  property          text        NOT NULL,
  base_value        text,
  local_value       text,
  remote_value      text,
  local_changed_at  timestamptz,
  remote_changed_at timestamptz,
  policy            text        NOT NULL
                    CHECK (policy IN ('remote_wins', 'local_wins', 'newest_wins', 'manual')),
  resolution        text        CHECK (resolution IN ('local', 'remote', 'none')),
  resolve           text        CHECK (resolve IN ('local', 'remote')),
  created_at        timestamptz NOT NULL DEFAULT now(),
  resolved_at       timestamptz
);
-- At most one open conflict per lead and property.
CREATE UNIQUE INDEX conflicts_open_uidx ON leadsync.conflicts (scope, hubspot_id, property)
  WHERE resolved_at IS NULL;

-- One row per cycle.
CREATE TABLE leadsync.runs (
  id                bigserial   PRIMARY KEY,
  scope             text        NOT NULL,
  mode              text        NOT NULL CHECK (mode IN ('incremental', 'full', 'push', 'dry_run')),
  status            text        NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running', 'success', 'partial', 'failed', 'cancelled')),
  started_at        timestamptz NOT NULL DEFAULT now(),
  finished_at       timestamptz,
  duration_ms       bigint,
  pulled            integer     NOT NULL DEFAULT 0,
  pushed            integer     NOT NULL DEFAULT 0,
  created_remote    integer     NOT NULL DEFAULT 0,
  created_local     integer     NOT NULL DEFAULT 0,
  updated_local     integer     NOT NULL DEFAULT 0,
  updated_remote    integer     NOT NULL DEFAULT 0,
  deleted_local     integer     NOT NULL DEFAULT 0,
  deleted_remote    integer     NOT NULL DEFAULT 0,
  conflicts         integer     NOT NULL DEFAULT 0,
  failed            integer     NOT NULL DEFAULT 0,
  echoes_suppressed integer     NOT NULL DEFAULT 0,
  api_calls         integer     NOT NULL DEFAULT 0,
  error             text
);
-- Added: `leadsync --status` shows the last runs of its scope.
CREATE INDEX runs_scope_idx ON leadsync.runs (scope, id);
