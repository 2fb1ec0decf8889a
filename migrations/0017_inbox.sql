-- Webhook events HubSpot delivered, stored by the receiver before it acknowledges them (so an
-- acknowledged event is never lost) and deduplicated on HubSpot's eventId (so a redelivered batch is
-- stored once). The receiver inserts a verified batch in one transaction with
-- ON CONFLICT (scope, event_id) DO NOTHING and NOTIFY leadsync_inbox, '<scope>'; only after COMMIT does it
-- answer 2xx. processed_at is set when the engine has applied the event; NULL = still to apply.
-- Keyed by scope like every bookkeeping table: instances of several portals may share a database.
CREATE TABLE leadsync.inbox (
  scope             text        NOT NULL,
  event_id          bigint      NOT NULL,
  received_at       timestamptz NOT NULL DEFAULT now(),
  occurred_at       timestamptz,
  subscription_type text        NOT NULL,
  object_id         bigint      NOT NULL,
  payload           jsonb       NOT NULL,
  processed_at      timestamptz,
  PRIMARY KEY (scope, event_id)
);

-- The engine's drain reads the unprocessed events of its scope in arrival order.
CREATE INDEX inbox_unprocessed ON leadsync.inbox (scope, received_at) WHERE processed_at IS NULL;

-- Bookkeeping: nobody but leadsync's role (the owner) may read or forge events (as 0015 does for the rest of schema leadsync).
REVOKE ALL ON TABLE leadsync.inbox FROM PUBLIC;
