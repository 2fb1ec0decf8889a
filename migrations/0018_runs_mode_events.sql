-- leadsync.runs.mode 'events': a cycle that webhook events woke (it applies the inbox and pushes the
-- outbox, without a search), told apart from 'push', which a local change woke.

ALTER TABLE leadsync.runs DROP CONSTRAINT runs_mode_check;
ALTER TABLE leadsync.runs ADD CONSTRAINT runs_mode_check
  CHECK (mode IN ('incremental', 'full', 'push', 'events', 'dry_run'));
