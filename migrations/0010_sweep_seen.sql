-- Leads seen by a full sweep in progress (engine: delete detection). A lead synced before (in
-- leadsync.base) but not seen by a complete sweep is confirmed with a batch read and, if HubSpot no
-- longer has it, handled per sync.on_remote_delete. Rows are removed when the sweep ends; UNLOGGED
-- because a crash only costs a re-sweep, never correctness (the sweep id changes).
CREATE UNLOGGED TABLE leadsync.sweep_seen (
  scope      text   NOT NULL,
  sweep_id   bigint NOT NULL,
  hubspot_id text   NOT NULL,
  PRIMARY KEY (scope, sweep_id, hubspot_id)
);
