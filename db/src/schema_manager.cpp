#include "leadsync/db/schema_manager.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <set>

#include "leadsync/core/error.hpp"
#include "leadsync/db/identifier.hpp"
#include "leadsync/db/migrations.hpp"
#include "pg_error.hpp"
#include "pg_session.hpp"

namespace leadsync::db {

namespace {

// A table busy with a long transaction must not hang startup forever: fail (transient) and retry later.
constexpr const char* kDdlLockTimeout = "30s";

// pg_trigger.tgtype bits: ROW 1, BEFORE 2, INSERT 4, DELETE 8, UPDATE 16, TRUNCATE 32.
constexpr int kCaptureTgType = 1 | 4 | 8 | 16;  // AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW
constexpr int kTruncateTgType = 2 | 32;         // BEFORE TRUNCATE FOR EACH STATEMENT

constexpr const char* kNotSyncWrite = "current_setting('leadsync.origin', true) IS DISTINCT FROM 'sync'";

std::string quote_literal(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

std::string bullet_list(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += "\n  - " + l;
  return out;
}

struct Names {
  std::string scope;        // public.hubspot_leads (bookkeeping key, trigger argument)
  std::string lead;         // "public"."hubspot_leads"
  std::string assoc;        // "public"."hubspot_leads_associations"
  std::string assoc_plain;  // public.hubspot_leads_associations (messages)
};

Names names_for(const core::SyncMapping& m) {
  return {m.qualified_table(), quote_qualified(m.schema, m.table),
          quote_qualified(m.schema, associations_table_name(m)), m.schema + "." + associations_table_name(m)};
}

std::string create_lead_table_sql(const core::SyncMapping& m, const Names& n) {
  std::string sql = "CREATE TABLE " + n.lead +
                    " (\n"
                    "  id bigserial PRIMARY KEY,\n"
                    "  hubspot_id text UNIQUE,\n"
                    "  sync_key uuid UNIQUE NOT NULL DEFAULT gen_random_uuid(),\n";
  for (const auto& p : m.properties)
    sql += "  " + quote_identifier(p.column) + " " + sql_type_for(p.type) + ",\n";
  sql +=
      "  archived boolean NOT NULL DEFAULT false,\n"
      "  hubspot_updated_at timestamptz,\n"
      "  sync_status text,\n"
      "  sync_error text\n"
      ")";
  return sql;
}

std::string create_associations_table_sql(const Names& n) {
  return "CREATE TABLE " + n.assoc +
         " (\n"
         "  lead_id bigint NOT NULL REFERENCES " +
         n.lead +
         " (id) ON DELETE CASCADE,\n"
         "  to_object_type text NOT NULL,\n"
         "  to_object_id text NOT NULL,\n"
         "  association_type_id int NOT NULL,\n"
         "  association_category text NOT NULL DEFAULT 'HUBSPOT_DEFINED',\n"
         "  PRIMARY KEY (lead_id, to_object_type, to_object_id, association_type_id)\n"
         ")";
}

// Returns the table's oid, nullopt if there is no such relation; throws fatal for a non-table.
std::optional<std::string> find_table(pqxx::work& tx, const std::string& schema, const std::string& table) {
  auto r = tx.exec_params(
      "SELECT c.oid::text, c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = $1 AND c.relname = $2",
      schema, table);
  if (r.empty()) return std::nullopt;
  auto kind = r[0][1].as<std::string>();
  if (kind != "r" && kind != "p")
    throw core::fatal_error(schema + "." + table + " exists but is not a table (relkind '" + kind +
                            "'); leadsync needs an ordinary table there, or another database.table");
  return r[0][0].as<std::string>();
}

TableShape introspect(pqxx::work& tx, const std::string& oid, const std::optional<std::string>& lead_oid) {
  TableShape shape;
  // Domains are judged by their base type (a `email` domain over text is text).
  for (const auto& row :
       tx.exec_params("SELECT a.attname, format_type(CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE "
                      "a.atttypid END, NULL),"
                      "       format_type(a.atttypid, a.atttypmod), a.attnotnull,"
                      "       a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> ''"
                      "  FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
                      " WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
                      oid)) {
    shape.columns.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                             row[3].as<bool>(), row[4].as<bool>()});
  }
  // Unique keys usable by ON CONFLICT: valid, no predicate, no expressions; key columns only.
  std::map<std::string, UniqueKeyShape> keys;
  std::vector<std::string> key_order;
  for (const auto& row :
       tx.exec_params("SELECT i.indexrelid::text, i.indisprimary, a.attname"
                      "  FROM pg_index i"
                      "  CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)"
                      "  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
                      " WHERE i.indrelid = $1::oid AND i.indisunique AND i.indisvalid AND i.indpred IS NULL"
                      "   AND i.indexprs IS NULL AND k.ord <= i.indnkeyatts"
                      " ORDER BY i.indexrelid, k.ord",
                      oid)) {
    auto id = row[0].as<std::string>();
    auto [it, inserted] = keys.try_emplace(id);
    if (inserted) key_order.push_back(id);
    it->second.primary = row[1].as<bool>();
    it->second.columns.push_back(row[2].as<std::string>());
  }
  for (const auto& id : key_order) shape.unique_keys.push_back(keys[id]);

  std::map<std::string, ForeignKeyShape> fks;
  std::vector<std::string> fk_order;
  for (const auto& row : tx.exec_params(
           "SELECT c.oid::text, c.confrelid::text, c.confdeltype = 'c', a.attname, fa.attname"
           "  FROM pg_constraint c"
           "  CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(attnum, refattnum, ord)"
           "  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum"
           "  JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = k.refattnum"
           " WHERE c.conrelid = $1::oid AND c.contype = 'f'"
           " ORDER BY c.oid, k.ord",
           oid)) {
    auto id = row[0].as<std::string>();
    auto [it, inserted] = fks.try_emplace(id);
    if (inserted) fk_order.push_back(id);
    it->second.references_lead_table = lead_oid && row[1].as<std::string>() == *lead_oid;
    it->second.on_delete_cascade = row[2].as<bool>();
    it->second.columns.push_back(row[3].as<std::string>());
    it->second.referenced_columns.push_back(row[4].as<std::string>());
  }
  for (const auto& id : fk_order) shape.foreign_keys.push_back(fks[id]);
  return shape;
}

struct TriggerSpec {
  std::string_view name;
  int tgtype;
  std::string function;  // regprocedure text, e.g. leadsync.capture_lead_change()
  std::vector<std::string> args;
  bool with_when;             // capture triggers skip leadsync's own writes in the WHEN clause
  std::string timing_events;  // "AFTER INSERT OR UPDATE OR DELETE"
  std::string level;          // "FOR EACH ROW"
};

// Creates or replaces a trigger unless it is already exactly as specified (enabled, same function,
// events and arguments): CREATE OR REPLACE TRIGGER locks out writers, no need to do it on every start.
// `own_role` is the owner of leadsync's capture functions (leadsync's role): the WHEN clause skips writes
// marked leadsync.origin = 'sync' only in its sessions, as the functions themselves do (migration 0015).
bool ensure_trigger(pqxx::work& tx, const std::string& table_oid, const std::string& table_sql,
                    const std::string& table_plain, const TriggerSpec& spec, int server_version,
                    const std::string& own_role) {
  std::string expected_args;
  for (const auto& a : spec.args) expected_args += a + "\\000";
  // The role check as PostgreSQL prints the WHEN clause back; a trigger of before 0015 lacks it.
  const std::string role_check = "(SESSION_USER <> " + quote_literal(own_role) + "::name)";
  auto r = tx.exec_params(
      "SELECT t.tgfoid = $3::regprocedure AND t.tgtype = $4 AND t.tgenabled = 'O'"
      "       AND encode(t.tgargs, 'escape') = $5 AND (t.tgqual IS NOT NULL) = $6"
      "       AND (NOT $6 OR strpos(pg_get_triggerdef(t.oid), $7) > 0),"
      "       t.tgenabled::text"
      "  FROM pg_trigger t WHERE t.tgrelid = $1::oid AND t.tgname = $2 AND NOT t.tgisinternal",
      table_oid, std::string(spec.name), spec.function, spec.tgtype, expected_args, spec.with_when,
      role_check);
  if (!r.empty() && r[0][0].as<bool>()) return false;
  if (!r.empty() && r[0][1].as<std::string>() != "O")
    spdlog::warn(
        "trigger {} on {} was disabled; leadsync re-creates it enabled (changes written while it was "
        "disabled were not captured)",
        spec.name, table_plain);

  std::string args;
  for (const auto& a : spec.args) args += (args.empty() ? "" : ", ") + quote_literal(a);
  std::string body =
      quote_identifier(spec.name) + " " + spec.timing_events + " ON " + table_sql + " " + spec.level +
      (spec.with_when
           ? std::string(" WHEN (") + kNotSyncWrite + " OR session_user <> " + quote_literal(own_role) + ")"
           : std::string()) +
      " EXECUTE FUNCTION " + spec.function.substr(0, spec.function.find('(')) + "(" + args + ")";
  if (server_version >= 140000) {
    tx.exec("CREATE OR REPLACE TRIGGER " + body);
  } else {
    tx.exec("DROP TRIGGER IF EXISTS " + quote_identifier(spec.name) + " ON " + table_sql);
    tx.exec("CREATE TRIGGER " + body);
  }
  return true;
}

std::optional<std::string> read_state(pqxx::work& tx, const std::string& scope, std::string_view key) {
  auto r = tx.exec_params("SELECT value FROM leadsync.sync_state WHERE scope = $1 AND key = $2", scope,
                          std::string(key));
  if (r.empty() || r[0][0].is_null()) return std::nullopt;
  return r[0][0].as<std::string>();
}

void write_state(pqxx::work& tx, const std::string& scope, std::string_view key, const std::string& value) {
  tx.exec_params(
      "INSERT INTO leadsync.sync_state (scope, key, value) VALUES ($1, $2, $3) "
      "ON CONFLICT (scope, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now() "
      "WHERE leadsync.sync_state.value IS DISTINCT FROM EXCLUDED.value",
      scope, std::string(key), value);
}

void delete_state(pqxx::work& tx, const std::string& scope, std::string_view key) {
  tx.exec_params("DELETE FROM leadsync.sync_state WHERE scope = $1 AND key = $2", scope, std::string(key));
}

std::string mapping_json(const core::SyncMapping& m) {
  auto props = m.properties;
  std::sort(props.begin(), props.end(), [](const core::PropertyMapping& a, const core::PropertyMapping& b) {
    return a.property < b.property;
  });
  nlohmann::json j = nlohmann::json::array();
  for (const auto& p : props)
    j.push_back({{"property", p.property}, {"column", p.column}, {"type", core::to_string(p.type)}});
  return j.dump();
}

// property -> column of the recorded mapping; nullopt when none was recorded or it is unreadable.
std::optional<std::map<std::string, std::string>> parse_mapping_json(const std::optional<std::string>& text,
                                                                     const std::string& scope) {
  if (!text) return std::nullopt;
  try {
    std::map<std::string, std::string> out;
    for (const auto& e : nlohmann::json::parse(*text))
      out[e.at("property").get<std::string>()] = e.at("column").get<std::string>();
    return out;
  } catch (const std::exception& e) {
    spdlog::warn("ignoring unreadable leadsync.sync_state '{}' for {}: {}", kMappingColumnsKey, scope,
                 e.what());
    return std::nullopt;
  }
}

std::set<std::string> parse_name_list(const std::optional<std::string>& text, const std::string& scope) {
  std::set<std::string> out;
  if (!text) return out;
  try {
    for (const auto& e : nlohmann::json::parse(*text)) out.insert(e.get<std::string>());
  } catch (const std::exception& e) {
    spdlog::warn("ignoring unreadable leadsync.sync_state '{}' for {}: {}", kBackfillPendingKey, scope,
                 e.what());
  }
  return out;
}

void write_name_list(pqxx::work& tx, const std::string& scope, std::string_view key,
                     const std::set<std::string>& names) {
  if (names.empty()) {
    delete_state(tx, scope, key);
    return;
  }
  nlohmann::json j = nlohmann::json::array();
  for (const auto& n : names) j.push_back(n);
  write_state(tx, scope, key, j.dump());
}

void lock_ddl(pqxx::work& tx) {
  tx.exec("SET LOCAL client_min_messages = warning");
  tx.exec_params("SELECT pg_advisory_xact_lock($1)", kDdlLockKey);
  tx.exec(std::string("SET LOCAL lock_timeout = '") + kDdlLockTimeout + "'");
}

void require_migrations(pqxx::work& tx) {
  auto r = tx.exec(
      "SELECT to_regclass('leadsync.sync_state') IS NOT NULL AND to_regclass('leadsync.changes') IS NOT NULL"
      "   AND to_regprocedure('leadsync.capture_lead_change()') IS NOT NULL"
      "   AND to_regprocedure('leadsync.capture_association_change()') IS NOT NULL"
      "   AND to_regprocedure('leadsync.refuse_truncate()') IS NOT NULL");
  if (!r[0][0].as<bool>())
    throw core::fatal_error(
        "the leadsync bookkeeping schema is missing or incomplete in this database: run the "
        "migrations first (leadsync does so at startup from its migrations directory)");
}

// Refuses, with every difference listed at once, tables that exist but do not fit.
void refuse_misfits(const TableCheck& lead_check, const std::vector<std::string>& assoc_diffs,
                    const Names& n) {
  if (lead_check.fits() && assoc_diffs.empty()) return;
  std::string msg;
  if (!lead_check.fits())
    msg += "table " + n.scope + " does not fit the mapping:" + bullet_list(lead_check.differences);
  if (!assoc_diffs.empty())
    msg += std::string(msg.empty() ? "" : "\n") + "table " + n.assoc_plain +
           " does not fit what leadsync needs:" + bullet_list(assoc_diffs);
  msg +=
      "\nleadsync never drops or alters existing columns: change the table (or the mapping) and start "
      "again.";
  throw core::fatal_error(msg);
}

// The table is gone but leadsync synced leads into it: it was dropped (or renamed). An empty new table
// would not match leadsync's records (every lead would look deleted locally with no captured delete), so
// refuse and let the operator choose: restore it, or forget it and re-import from HubSpot.
void refuse_recreating_a_synced_table(pqxx::work& tx, const Names& n) {
  const auto synced = tx.exec_params(
                            "SELECT (SELECT count(*) FROM leadsync.base WHERE scope = $1) + "
                            "(SELECT count(*) FROM leadsync.changes WHERE scope = $1)",
                            n.scope)[0][0]
                          .as<long>();
  if (synced == 0) return;
  const std::string sc = quote_literal(n.scope);
  throw core::fatal_error(
      "table " + n.scope +
          " is missing, but leadsync has synced leads into it before (dropped or renamed?); leadsync does "
          "not "
          "recreate it on its own. Restore the table (e.g. from a backup) and start again, or, to start over "
          "with a new table imported from HubSpot (anything not yet pushed is lost), remove leadsync's "
          "records "
          "of it: DELETE FROM leadsync.base WHERE scope = " +
          sc + "; DELETE FROM leadsync.changes WHERE scope = " + sc +
          "; DELETE FROM leadsync.sync_state WHERE scope = " + sc +
          "; DELETE FROM leadsync.conflicts WHERE scope = " + sc +
          "; DELETE FROM leadsync.sweep_seen WHERE scope = " + sc + ";",
      core::ErrorDetails{.category = "CONFIG"});
}

struct TableOids {  // as find_table gives them: nullopt while the table does not exist
  std::optional<std::string> lead;
  std::optional<std::string> assoc;
};

// Creates what is missing (tables, columns); checked to fit before, so nothing existing is altered.
TableOids create_missing_tables(pqxx::work& tx, const core::SyncMapping& mapping, const Names& n,
                                TableOids oids, const TableCheck& lead_check, SchemaReport& report,
                                std::string& doing) {
  if (!oids.lead) {
    refuse_recreating_a_synced_table(tx, n);
    doing = "creating table " + n.scope;
    tx.exec(create_lead_table_sql(mapping, n));
    report.created_table = true;
    oids.lead = find_table(tx, mapping.schema, mapping.table);
  } else {
    for (const auto& p : lead_check.missing_columns) {
      doing = "adding column " + p.column + " to " + n.scope;
      tx.exec("ALTER TABLE " + n.lead + " ADD COLUMN " + quote_identifier(p.column) + " " +
              sql_type_for(p.type));
      report.added_columns.push_back(p.column);
    }
  }
  if (!oids.assoc) {
    doing = "creating table " + n.assoc_plain;
    tx.exec(create_associations_table_sql(n));
    report.created_associations_table = true;
    oids.assoc = find_table(tx, mapping.schema, associations_table_name(mapping));
  }
  return oids;
}

void ensure_triggers(pqxx::work& tx, const Names& n, const TableOids& oids, int server_version,
                     const std::string& own_role, SchemaReport& report) {
  const TriggerSpec refuse_truncate{
      kTruncateTrigger,  kTruncateTgType,     "leadsync.refuse_truncate()", {}, false,
      "BEFORE TRUNCATE", "FOR EACH STATEMENT"};
  const std::vector<std::pair<TriggerSpec, bool>> triggers = {
      {{kCaptureTrigger,
        kCaptureTgType,
        "leadsync.capture_lead_change()",
        {n.scope},
        true,
        "AFTER INSERT OR UPDATE OR DELETE",
        "FOR EACH ROW"},
       true},
      {refuse_truncate, true},
      {{kCaptureTrigger,
        kCaptureTgType,
        "leadsync.capture_association_change()",
        {n.scope, n.lead},
        true,
        "AFTER INSERT OR UPDATE OR DELETE",
        "FOR EACH ROW"},
       false},
      {refuse_truncate, false},
  };
  for (const auto& [spec, on_lead] : triggers) {
    const auto& oid = on_lead ? *oids.lead : *oids.assoc;
    const auto& table_sql = on_lead ? n.lead : n.assoc;
    const auto& table_plain = on_lead ? n.scope : n.assoc_plain;
    if (ensure_trigger(tx, oid, table_sql, table_plain, spec, server_version, own_role))
      report.triggers_created.push_back(table_plain + "." + std::string(spec.name));
  }
}

// Records the mapping, and which properties need a backfill from HubSpot: those whose column was just
// added or that are newly mapped (a new table gets the initial import instead).
void record_mapping(pqxx::work& tx, const core::SyncMapping& mapping, const Names& n, SchemaReport& report) {
  const auto previous = parse_mapping_json(read_state(tx, n.scope, kMappingColumnsKey), n.scope);
  auto pending = parse_name_list(read_state(tx, n.scope, kBackfillPendingKey), n.scope);
  if (report.created_table) {
    pending.clear();
  } else {
    for (const auto& p : mapping.properties) {
      const bool column_added = std::find(report.added_columns.begin(), report.added_columns.end(),
                                          p.column) != report.added_columns.end();
      bool newly_mapped = false;
      if (previous) {
        auto it = previous->find(p.property);
        newly_mapped = it == previous->end() || it->second != p.column;
      }
      if (column_added || newly_mapped) {
        report.added_properties.push_back(p.property);
        pending.insert(p.property);
      }
    }
  }
  // Only properties still mapped can be backfilled.
  for (auto it = pending.begin(); it != pending.end();)
    it = mapping.find_property(*it) ? std::next(it) : pending.erase(it);
  report.pending_backfill.assign(pending.begin(), pending.end());
  write_state(tx, n.scope, kMappingColumnsKey, mapping_json(mapping));
  write_name_list(tx, n.scope, kBackfillPendingKey, pending);
}

void log_report(const SchemaReport& report, const Names& n) {
  if (report.created_table) spdlog::info("created table {}", n.scope);
  if (report.created_associations_table) spdlog::info("created table {}", n.assoc_plain);
  for (const auto& c : report.added_columns) spdlog::info("added column {} to {}", c, n.scope);
  for (const auto& t : report.triggers_created) spdlog::info("created trigger {}", t);
  if (!report.pending_backfill.empty())
    spdlog::info("{}: properties to backfill from HubSpot: {}", n.scope,
                 fmt::join(report.pending_backfill, ", "));
}

}  // namespace

SchemaManager::SchemaManager(std::string dsn) : dsn_(std::move(dsn)) {}

SchemaReport SchemaManager::ensure_schema(const core::SyncMapping& mapping) const {
  if (auto problems = check_mapping(mapping); !problems.empty())
    throw core::fatal_error("the mapping for " + mapping.qualified_table() +
                            " cannot be used:" + bullet_list(problems));
  const Names n = names_for(mapping);
  SchemaReport report;
  std::string doing = "connecting to PostgreSQL to check " + n.scope;
  try {
    detail::PgSession session(dsn_, "leadsync schema");
    pqxx::work tx(session.conn, "leadsync_schema");
    doing = "waiting for the leadsync DDL lock";
    lock_ddl(tx);
    doing = "checking " + n.scope;
    require_migrations(tx);
    const int server_version = tx.exec("SHOW server_version_num")[0][0].as<int>();
    const std::string own_role = tx.exec(
                                       "SELECT pg_get_userbyid(proowner) FROM pg_proc "
                                       "WHERE oid = 'leadsync.capture_lead_change()'::regprocedure")[0][0]
                                     .as<std::string>();
    if (tx.exec_params("SELECT to_regnamespace($1) IS NULL", quote_identifier(mapping.schema))[0][0]
            .as<bool>()) {
      doing = "creating schema " + mapping.schema;
      tx.exec("CREATE SCHEMA " + quote_identifier(mapping.schema));
    }

    // Check everything before changing anything, so one refusal lists every difference.
    TableOids oids{find_table(tx, mapping.schema, mapping.table),
                   find_table(tx, mapping.schema, associations_table_name(mapping))};
    TableCheck lead_check;
    std::vector<std::string> assoc_diffs;
    if (oids.lead) lead_check = check_lead_table(introspect(tx, *oids.lead, oids.lead), mapping);
    if (oids.assoc) assoc_diffs = check_associations_table(introspect(tx, *oids.assoc, oids.lead), mapping);
    refuse_misfits(lead_check, assoc_diffs, n);

    oids = create_missing_tables(tx, mapping, n, oids, lead_check, report, doing);
    doing = "creating the leadsync triggers on " + n.scope;
    ensure_triggers(tx, n, oids, server_version, own_role, report);
    doing = "recording the mapping of " + n.scope;
    record_mapping(tx, mapping, n, report);
    doing = "committing the schema of " + n.scope;
    tx.commit();
  } catch (...) {
    detail::rethrow_as_core_error(doing);
  }
  log_report(report, n);
  return report;
}

void SchemaManager::mark_backfilled(const core::SyncMapping& mapping,
                                    const std::vector<std::string>& properties) const {
  const std::string scope = mapping.qualified_table();
  std::string doing = "recording the backfill of " + scope;
  try {
    detail::PgSession session(dsn_, "leadsync schema");
    pqxx::work tx(session.conn, "leadsync_backfill_done");
    lock_ddl(tx);
    auto pending = parse_name_list(read_state(tx, scope, kBackfillPendingKey), scope);
    for (const auto& p : properties) pending.erase(p);
    write_name_list(tx, scope, kBackfillPendingKey, pending);
    tx.commit();
  } catch (...) {
    detail::rethrow_as_core_error(doing);
  }
}

SchemaReport ensure_schema(const std::string& dsn, const core::SyncMapping& mapping) {
  return SchemaManager(dsn).ensure_schema(mapping);
}

}  // namespace leadsync::db
