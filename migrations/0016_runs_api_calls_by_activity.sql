-- leadsync.runs.api_calls_by_activity: a run's API calls split by what they were for, e.g.
-- {"push": 3, "incremental": 1, "association_sweep": 20, "recycle_bin": 1} (activities with no call are left
-- out). `leadsync --status` sums the last 24 hours of it and projects the next 24 hours; NULL on runs recorded
-- before this column existed.

ALTER TABLE leadsync.runs ADD COLUMN api_calls_by_activity jsonb;

-- `--status` and the daemon's budget gauge read the runs of the last day of a scope.
CREATE INDEX runs_scope_started_idx ON leadsync.runs (scope, started_at);
