-- leadsync.base.superseded: values an unconfirmed push of a lead may have sent, since superseded by a
-- confirmed push, and until when such a request may still land in HubSpot.
--
-- Why: a run killed (or timed out) while its PATCH was in flight does not know whether HubSpot applied it. The
-- next run pushes the row as it is then; should the first request land after that, HubSpot holds the older
-- value again, and a pull took it for a change made in HubSpot: the newer local write was lost (found by the
-- convergence test, seed 267). The pull now recognises such a value (written by an integration, per the
-- property's history) as leadsync's own stale write and pushes the row's value again.
-- Format: {"until": "<ISO-8601>", "values": {"<property>": ["<value>" | null, ...]}}; NULL when none.

ALTER TABLE leadsync.base ADD COLUMN superseded jsonb;
