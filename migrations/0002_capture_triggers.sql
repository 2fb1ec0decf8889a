-- Trigger functions that capture local writes into leadsync.changes (the outbox). db::SchemaManager
-- attaches them to the mapped table and <table>_associations, passing the scope as TG_ARGV[0]:
--
--   CREATE TRIGGER leadsync_capture AFTER INSERT OR UPDATE OR DELETE ON <table> FOR EACH ROW
--     WHEN (current_setting('leadsync.origin', true) IS DISTINCT FROM 'sync')
--     EXECUTE FUNCTION leadsync.capture_lead_change('<scope>');
--
-- Improvements over Heroku Connect's _trigger_log (its trigger-based capture): the origin check is an
-- explicit, named setting (leadsync.origin) instead of overloading xmlbinary; txid is kept so the push
-- phase can respect transaction bounds; no-op updates are not logged at all; TRUNCATE is refused
-- instead of silently not propagated.
--
-- The daemon's own writes run with `SET LOCAL leadsync.origin = 'sync'` and are not captured. The
-- WHEN clause above is the fast path (no plpgsql call, no queued trigger event for sync writes); the
-- functions check again so they stay correct when attached without it.

-- Columns that leadsync maintains itself; never captured as local changes.
-- (archived is NOT in this list: setting archived = true locally is a change to push.)
CREATE OR REPLACE FUNCTION leadsync.bookkeeping_columns() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ARRAY['id', 'hubspot_id', 'sync_key', 'hubspot_updated_at', 'sync_status', 'sync_error']::text[] $$;

CREATE OR REPLACE FUNCTION leadsync.capture_lead_change() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  v_scope   text;
  v_changed jsonb;
  v_new     jsonb;
  v_old     jsonb;
BEGIN
  IF current_setting('leadsync.origin', true) IS NOT DISTINCT FROM 'sync' THEN
    RETURN NULL;
  END IF;
  IF TG_NARGS < 1 OR TG_ARGV[0] IS NULL OR TG_ARGV[0] = '' THEN
    RAISE EXCEPTION 'leadsync.capture_lead_change() on %.% needs the scope as its trigger argument',
      TG_TABLE_SCHEMA, TG_TABLE_NAME;
  END IF;
  v_scope := TG_ARGV[0];

  IF TG_OP = 'INSERT' THEN
    v_changed := to_jsonb(NEW) - leadsync.bookkeeping_columns();
    INSERT INTO leadsync.changes (scope, lead_id, hubspot_id, op, changed)
    VALUES (v_scope, NEW.id, NEW.hubspot_id, 'INSERT', v_changed);
  ELSIF TG_OP = 'UPDATE' THEN
    -- Compared as jsonb, not as records: a record comparison fails on column types without an
    -- equality operator (json, point, ...) that an operator's table may have.
    v_new := to_jsonb(NEW) - leadsync.bookkeeping_columns();
    v_old := to_jsonb(OLD) - leadsync.bookkeeping_columns();
    IF v_new = v_old THEN
      RETURN NULL;  -- nothing the sync cares about changed (no-op or bookkeeping-only update)
    END IF;
    SELECT coalesce(jsonb_object_agg(n.key, n.value), '{}'::jsonb)
      INTO v_changed
      FROM jsonb_each(v_new) AS n(key, value)
     WHERE n.value IS DISTINCT FROM v_old -> n.key;
    INSERT INTO leadsync.changes (scope, lead_id, hubspot_id, op, changed)
    VALUES (v_scope, NEW.id, NEW.hubspot_id, 'UPDATE', v_changed);
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO leadsync.changes (scope, lead_id, hubspot_id, op, changed)
    VALUES (v_scope, OLD.id, OLD.hubspot_id, 'DELETE', '{}'::jsonb);
  ELSE
    RETURN NULL;
  END IF;

  -- One payload per scope: PostgreSQL folds identical notifications of a transaction into one, so a
  -- 10,000-row INSERT wakes the daemon once.
  PERFORM pg_notify('leadsync_changes', v_scope);
  RETURN NULL;
END
$$;

-- hubspot_id of a lead, for association changes (NULL when the lead is gone, e.g. during the cascade of
-- a lead's DELETE, or not yet created in HubSpot).
CREATE OR REPLACE FUNCTION leadsync.lead_hubspot_id(p_table regclass, p_lead_id bigint) RETURNS text
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  v_hubspot_id text;
BEGIN
  EXECUTE format('SELECT hubspot_id FROM %s WHERE id = $1', p_table) INTO v_hubspot_id USING p_lead_id;
  RETURN v_hubspot_id;
END
$$;

-- On <table>_associations. TG_ARGV[0] = scope, TG_ARGV[1] (optional) = the mapped table, to record
-- the lead's hubspot_id with the change.
-- INSERT -> ASSOC_ADD; DELETE -> ASSOC_REMOVE; UPDATE -> ASSOC_REMOVE (old row) + ASSOC_ADD (new row).
-- A lead's DELETE cascades to its association rows and logs their ASSOC_REMOVEs before the DELETE;
-- the push phase coalesces per lead, so the DELETE supersedes them.
CREATE OR REPLACE FUNCTION leadsync.capture_association_change() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  v_scope text;
  v_table regclass;
BEGIN
  IF current_setting('leadsync.origin', true) IS NOT DISTINCT FROM 'sync' THEN
    RETURN NULL;
  END IF;
  IF TG_NARGS < 1 OR TG_ARGV[0] IS NULL OR TG_ARGV[0] = '' THEN
    RAISE EXCEPTION 'leadsync.capture_association_change() on %.% needs the scope as its trigger argument',
      TG_TABLE_SCHEMA, TG_TABLE_NAME;
  END IF;
  v_scope := TG_ARGV[0];
  IF TG_NARGS > 1 THEN
    v_table := TG_ARGV[1]::regclass;
  END IF;
  -- Only the association itself matters; other columns an operator may have added are not synced.
  IF TG_OP = 'UPDATE'
     AND (NEW.lead_id, NEW.to_object_type, NEW.to_object_id, NEW.association_type_id, NEW.association_category)
         IS NOT DISTINCT FROM
         (OLD.lead_id, OLD.to_object_type, OLD.to_object_id, OLD.association_type_id, OLD.association_category) THEN
    RETURN NULL;
  END IF;

  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    INSERT INTO leadsync.changes (scope, lead_id, hubspot_id, op, changed)
    VALUES (v_scope, OLD.lead_id,
            CASE WHEN v_table IS NOT NULL THEN leadsync.lead_hubspot_id(v_table, OLD.lead_id) END,
            'ASSOC_REMOVE',
            jsonb_build_object('to_object_type', OLD.to_object_type,
                               'to_object_id', OLD.to_object_id,
                               'association_type_id', OLD.association_type_id,
                               'association_category', OLD.association_category));
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO leadsync.changes (scope, lead_id, hubspot_id, op, changed)
    VALUES (v_scope, NEW.lead_id,
            CASE WHEN v_table IS NOT NULL THEN leadsync.lead_hubspot_id(v_table, NEW.lead_id) END,
            'ASSOC_ADD',
            jsonb_build_object('to_object_type', NEW.to_object_type,
                               'to_object_id', NEW.to_object_id,
                               'association_type_id', NEW.association_type_id,
                               'association_category', NEW.association_category));
  END IF;

  PERFORM pg_notify('leadsync_changes', v_scope);
  RETURN NULL;
END
$$;

-- BEFORE TRUNCATE FOR EACH STATEMENT on the mapped table and its associations table. TRUNCATE fires no
-- row triggers, so the deletes could never reach HubSpot; refusing beats silently diverging.
CREATE OR REPLACE FUNCTION leadsync.refuse_truncate() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF current_setting('leadsync.origin', true) IS NOT DISTINCT FROM 'sync' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'TRUNCATE of %.% refused: leadsync cannot propagate TRUNCATE to HubSpot', TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'feature_not_supported',
          DETAIL = 'TRUNCATE fires no row triggers, so the removed leads would stay in HubSpot and come back on the next full sweep.',
          HINT = 'Use DELETE (each deleted lead is then deleted in HubSpot). To empty the table without touching HubSpot, '
                 'stop leadsync and, in one transaction, SET LOCAL leadsync.origin = ''sync'', TRUNCATE the table and '
                 'its _associations table, and delete this scope''s rows from leadsync.base, leadsync.changes, '
                 'leadsync.sync_state and open leadsync.conflicts (the next run then re-imports from HubSpot; '
                 'see migrations/README.md).';
END
$$;
