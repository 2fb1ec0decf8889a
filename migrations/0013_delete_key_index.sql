-- An index for the pull's question "was a row with this unique key deleted locally?".
--
-- Why: a HubSpot lead carrying the unique key of a row deleted locally is either the row's unconfirmed create
-- (its DELETE still open, 0011) or a late copy of it: a create request that timed out, was given up once the
-- copy it made was read back, and reached HubSpot after the row was deleted (found by the convergence test
-- with a long-running daemon). The pull asks this for every page of leads that carry unique keys, across the
-- whole outbox history, not only the open rows.

CREATE INDEX changes_delete_key_idx ON leadsync.changes (scope, (changed ->> 'sync_key')) WHERE op = 'DELETE';
