// Read-only schema inspection (see schema_inspector.hpp). The catalog queries mirror the ones
// schema_manager.cpp uses before it changes anything, so both judge a table the same way.
#include "leadsync/db/schema_inspector.hpp"

#include <map>
#include <pqxx/pqxx>

#include "leadsync/db/identifier.hpp"
#include "leadsync/db/migrations.hpp"
#include "leadsync/db/schema_manager.hpp"
#include "pg_error.hpp"
#include "pg_session.hpp"

namespace leadsync::db {

namespace {

std::optional<std::string> find_relation(pqxx::read_transaction& tx, const std::string& schema,
                                         const std::string& table, std::vector<std::string>& differences) {
  auto r = tx.exec_params(
      "SELECT c.oid::text, c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = $1 AND c.relname = $2",
      schema, table);
  if (r.empty()) return std::nullopt;
  const auto kind = r[0][1].as<std::string>();
  if (kind != "r" && kind != "p") {
    differences.push_back(schema + "." + table + " exists but is not a table (relkind '" + kind + "')");
    return std::nullopt;
  }
  return r[0][0].as<std::string>();
}

TableShape introspect(pqxx::read_transaction& tx, const std::string& oid,
                      const std::optional<std::string>& lead_oid) {
  TableShape shape;
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

void check_triggers(pqxx::read_transaction& tx, const std::string& oid, const std::string& table_plain,
                    std::vector<std::string>& missing) {
  for (std::string_view name : {kCaptureTrigger, kTruncateTrigger}) {
    auto r = tx.exec_params(
        "SELECT tgenabled::text FROM pg_trigger WHERE tgrelid = $1::oid AND tgname = $2 "
        "AND NOT tgisinternal",
        oid, std::string(name));
    if (r.empty())
      missing.push_back(table_plain + "." + std::string(name) + " (missing)");
    else if (r[0][0].as<std::string>() != "O")
      missing.push_back(table_plain + "." + std::string(name) + " (disabled)");
  }
}

}  // namespace

SchemaInspection inspect_schema(const std::string& dsn, const core::SyncMapping& mapping,
                                const std::filesystem::path& migrations_dir) {
  SchemaInspection out;
  const auto files = load_migration_files(migrations_dir);
  out.differences = check_mapping(mapping);
  std::string doing = "connecting to PostgreSQL";
  try {
    detail::PgSession session(dsn, "leadsync check");
    pqxx::read_transaction tx(session.conn, "leadsync_inspect");
    doing = "inspecting the database";
    out.server_version = tx.exec("SHOW server_version")[0][0].c_str();
    out.bookkeeping_schema =
        tx.exec("SELECT to_regclass('leadsync.schema_migrations') IS NOT NULL")[0][0].as<bool>();
    std::vector<AppliedMigration> applied;
    if (out.bookkeeping_schema) {
      for (const auto& row :
           tx.exec("SELECT version, name, checksum FROM leadsync.schema_migrations ORDER BY version"))
        applied.push_back({row[0].as<int>(), row[1].as<std::string>(), row[2].as<std::string>()});
    }
    for (const auto& a : applied) out.applied.push_back(a.name);
    try {
      for (const auto& f : plan_migrations(files, applied).pending) out.pending.push_back(f.name);
    } catch (const core::Error& e) {
      out.migration_problems.push_back(e.what());
    }

    if (!out.differences.empty()) return out;  // an unusable mapping: no table can fit it
    const std::string scope = mapping.schema + "." + mapping.table;
    const std::string assoc_table = associations_table_name(mapping);
    auto lead_oid = find_relation(tx, mapping.schema, mapping.table, out.differences);
    auto assoc_oid = find_relation(tx, mapping.schema, assoc_table, out.differences);
    out.table_exists = lead_oid.has_value();
    out.associations_table_exists = assoc_oid.has_value();
    if (lead_oid) {
      auto check = check_lead_table(introspect(tx, *lead_oid, lead_oid), mapping);
      out.differences.insert(out.differences.end(), check.differences.begin(), check.differences.end());
      for (const auto& p : check.missing_columns) out.missing_columns.push_back(p.column);
      check_triggers(tx, *lead_oid, scope, out.missing_triggers);
    }
    if (assoc_oid) {
      auto diffs = check_associations_table(introspect(tx, *assoc_oid, lead_oid), mapping);
      for (auto& d : diffs) out.differences.push_back(mapping.schema + "." + assoc_table + ": " + d);
      check_triggers(tx, *assoc_oid, mapping.schema + "." + assoc_table, out.missing_triggers);
    }
  } catch (...) {
    detail::rethrow_as_core_error(doing);
  }
  return out;
}

}  // namespace leadsync::db
