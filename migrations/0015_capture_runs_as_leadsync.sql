-- The capture trigger functions run as leadsync's role, not as the writer, and only leadsync's role may
-- skip capture with leadsync.origin.
--
-- Why: the functions of 0002/0011 ran with the rights and the search_path of whoever wrote the table. An
-- application role granted only SELECT/INSERT/UPDATE/DELETE on the mapped table could not write it at all
-- ("permission denied for schema leadsync"); granted enough on leadsync's bookkeeping to write it, it could
-- also forge change rows (and so make leadsync push anything to HubSpot); and any session could
-- `SET leadsync.origin = 'sync'` to write without capture, so its edits never reached HubSpot.
--
-- Now: the functions are SECURITY DEFINER, owned by the role that runs leadsync's migrations (leadsync's
-- role), with `search_path = pg_catalog, leadsync` so that no object of the writer's search_path is picked
-- up; leadsync.origin is honoured only in sessions of that role (session_user = the owner); the
-- bookkeeping schema, its tables, sequences and functions are revoked from PUBLIC. db::SchemaManager also
-- puts the role into the triggers' WHEN clause (the fast path that skips leadsync's own writes).
-- docs/database-roles.md lists the grants an application role needs: none on schema leadsync.
--
-- Same function bodies as in 0002/0011 otherwise (those files are never edited: see README.md).

CREATE OR REPLACE FUNCTION leadsync.capture_lead_change() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, leadsync
AS $$
DECLARE
  v_scope   text;
  v_changed jsonb;
  v_new     jsonb;
  v_old     jsonb;
BEGIN
  -- Inside SECURITY DEFINER current_user is the function's owner, leadsync's role: only leadsync's own
  -- sessions may skip capture; anybody else setting leadsync.origin is captured all the same.
  IF current_setting('leadsync.origin', true) IS NOT DISTINCT FROM 'sync' AND session_user = current_user THEN
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

CREATE OR REPLACE FUNCTION leadsync.lead_hubspot_id(p_table regclass, p_lead_id bigint) RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, leadsync
AS $$
DECLARE
  v_hubspot_id text;
BEGIN
  EXECUTE format('SELECT hubspot_id FROM %s WHERE id = $1', p_table) INTO v_hubspot_id USING p_lead_id;
  RETURN v_hubspot_id;
END
$$;

CREATE OR REPLACE FUNCTION leadsync.capture_association_change() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, leadsync
AS $$
DECLARE
  v_scope text;
  v_table regclass;
BEGIN
  -- Inside SECURITY DEFINER current_user is the function's owner, leadsync's role: only leadsync's own
  -- sessions may skip capture; anybody else setting leadsync.origin is captured all the same.
  IF current_setting('leadsync.origin', true) IS NOT DISTINCT FROM 'sync' AND session_user = current_user THEN
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

CREATE OR REPLACE FUNCTION leadsync.refuse_truncate() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, leadsync
AS $$
BEGIN
  -- Inside SECURITY DEFINER current_user is the function's owner, leadsync's role: only leadsync's own
  -- sessions may skip capture; anybody else setting leadsync.origin is captured all the same.
  IF current_setting('leadsync.origin', true) IS NOT DISTINCT FROM 'sync' AND session_user = current_user THEN
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

-- leadsync.lead_hubspot_id() reads any table its caller names: only the capture functions (running as the
-- owner) call it.
REVOKE ALL ON SCHEMA leadsync FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA leadsync FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA leadsync FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA leadsync FROM PUBLIC;
-- Functions are executable by PUBLIC by default; later migrations' functions are not.
ALTER DEFAULT PRIVILEGES IN SCHEMA leadsync REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
