-- A local DELETE records the row's sync_key in leadsync.changes.changed ({"sync_key": "..."}).
--
-- Why: a lead inserted locally, whose create was sent to HubSpot but not confirmed (the process was killed
-- after the POST), and then deleted locally, left nothing to find the HubSpot copy by; the push dropped the
-- DELETE as "never reached HubSpot" and the next pull imported the HubSpot copy as a new row, resurrecting
-- the delete (convergence seed 19). With the sync_key the push reads the lead back by the unique key
-- property and deletes it, and the pull does not import it meanwhile.
--
-- Same function as in 0002 otherwise (0002 itself is never edited: see README.md).

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
    -- The row's sync_key goes with the DELETE: once the row is gone it is the only way to find a lead whose
    -- create reached HubSpot but was never confirmed (the process died after the POST).
    INSERT INTO leadsync.changes (scope, lead_id, hubspot_id, op, changed)
    VALUES (v_scope, OLD.id, OLD.hubspot_id, 'DELETE',
            jsonb_strip_nulls(jsonb_build_object('sync_key', to_jsonb(OLD) -> 'sync_key')));
  ELSE
    RETURN NULL;
  END IF;

  -- One payload per scope: PostgreSQL folds identical notifications of a transaction into one, so a
  -- 10,000-row INSERT wakes the daemon once.
  PERFORM pg_notify('leadsync_changes', v_scope);
  RETURN NULL;
END
$$;
