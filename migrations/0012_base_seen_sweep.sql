-- leadsync.base.seen_sweep: the last full sweep that wrote this lead's base.
--
-- Why: a full sweep records every lead it sees, so that a lead it did not see can be confirmed deleted
-- (0010). Most of the leads a first import sees have their base written in the same transaction anyway; a
-- row in leadsync.sweep_seen for each of them cost an import about a tenth of its time. The pull now marks
-- those in the base row it writes and records only the others in sweep_seen; a lead counts as seen by a
-- sweep when either says so.

ALTER TABLE leadsync.base ADD COLUMN seen_sweep bigint;
