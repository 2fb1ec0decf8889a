// Pure parts of schema_manager.hpp: type mapping and the table compatibility checks.
#include <algorithm>
#include <set>

#include "leadsync/db/identifier.hpp"
#include "leadsync/db/schema_manager.hpp"

namespace leadsync::db {

namespace {

using core::PropertyType;

constexpr std::string_view kAssociationsSuffix = "_associations";
constexpr std::size_t kMaxIdentifierLength = 63;  // PostgreSQL's NAMEDATALEN - 1: longer names are truncated

bool is_text_type(std::string_view t) {
  return t == "text" || t == "character varying" || t == "character" || t == "citext";
}
bool is_integer_type(std::string_view t) {
  return t == "integer" || t == "bigint";
}

std::string display_type(const ColumnShape& c) {
  return c.full_type.empty() ? c.type : c.full_type;
}

bool has_unique_key(const TableShape& t, const std::vector<std::string>& columns, bool primary_only) {
  auto wanted = std::set<std::string>(columns.begin(), columns.end());
  for (const auto& k : t.unique_keys) {
    if (primary_only && !k.primary) continue;
    if (k.columns.size() == columns.size() &&
        std::set<std::string>(k.columns.begin(), k.columns.end()) == wanted)
      return true;
  }
  return false;
}

// Bookkeeping column expectations, shared by both tables.
struct Expected {
  std::string_view name;
  std::string_view declaration;  // for "missing" messages: how leadsync would have created it
  bool (*type_ok)(std::string_view);
  std::string_view expected_types;
  enum class Null { must_be_not_null, must_be_nullable, any } nullability;
  bool needs_default;
};

void check_expected(const TableShape& t, const Expected& e, std::vector<std::string>& out) {
  const ColumnShape* c = t.find(e.name);
  if (!c) {
    out.push_back("column " + std::string(e.name) + " is missing (expected " + std::string(e.declaration) +
                  ")");
    return;
  }
  if (!e.type_ok(c->type))
    out.push_back("column " + std::string(e.name) + " is " + display_type(*c) + " (expected " +
                  std::string(e.expected_types) + ")");
  if (e.nullability == Expected::Null::must_be_not_null && !c->not_null)
    out.push_back("column " + std::string(e.name) + " allows NULL (expected NOT NULL)");
  if (e.nullability == Expected::Null::must_be_nullable && c->not_null)
    out.push_back("column " + std::string(e.name) + " is NOT NULL, but leadsync needs to store NULL in it");
  if (e.needs_default && !c->has_default)
    out.push_back("column " + std::string(e.name) + " has no default (expected " +
                  std::string(e.declaration) + ")");
}

}  // namespace

bool is_reserved_column(std::string_view column) noexcept {
  if (column == "archived") return true;
  for (auto b : kBookkeepingColumns)
    if (column == b) return true;
  return false;
}

std::string associations_table_name(const core::SyncMapping& mapping) {
  return mapping.table + std::string(kAssociationsSuffix);
}

const char* sql_type_for(PropertyType type) noexcept {
  switch (type) {
    case PropertyType::string:
    case PropertyType::enumeration:
      return "text";
    case PropertyType::number:
      return "numeric";
    case PropertyType::boolean:
      return "boolean";
    case PropertyType::date:
      return "date";
    case PropertyType::datetime:
      return "timestamptz";
  }
  return "text";
}

bool is_compatible_type(PropertyType type, std::string_view pg_type) noexcept {
  switch (type) {
    case PropertyType::string:
    case PropertyType::enumeration:
      return is_text_type(pg_type);
    case PropertyType::number:
      return pg_type == "numeric" || pg_type == "integer" || pg_type == "bigint" ||
             pg_type == "double precision" || pg_type == "real";
    case PropertyType::boolean:
      return pg_type == "boolean";
    case PropertyType::date:
      return pg_type == "date";
    case PropertyType::datetime:
      return pg_type == "timestamp with time zone";
  }
  return false;
}

std::string accepted_types(PropertyType type) {
  switch (type) {
    case PropertyType::string:
    case PropertyType::enumeration:
      return "text, character varying, character or citext";
    case PropertyType::number:
      return "numeric, integer, bigint, double precision or real";
    case PropertyType::boolean:
      return "boolean";
    case PropertyType::date:
      return "date";
    case PropertyType::datetime:
      return "timestamp with time zone";
  }
  return "text";
}

const ColumnShape* TableShape::find(std::string_view column) const noexcept {
  for (const auto& c : columns)
    if (c.name == column) return &c;
  return nullptr;
}

std::vector<std::string> check_mapping(const core::SyncMapping& mapping) {
  std::vector<std::string> out;
  if (!is_safe_identifier(mapping.schema))
    out.push_back("schema name '" + mapping.schema +
                  "' is not a plain SQL identifier ([A-Za-z_][A-Za-z0-9_]*, at most 63 characters)");
  if (!is_safe_identifier(mapping.table))
    out.push_back("table name '" + mapping.table +
                  "' is not a plain SQL identifier ([A-Za-z_][A-Za-z0-9_]*, at most 63 characters)");
  else if (mapping.table.size() + kAssociationsSuffix.size() > kMaxIdentifierLength)
    out.push_back("table name '" + mapping.table + "' is too long: '" + associations_table_name(mapping) +
                  "' must fit in 63 characters (use at most " +
                  std::to_string(kMaxIdentifierLength - kAssociationsSuffix.size()) + ")");
  std::set<std::string> columns;
  std::set<std::string> properties;
  for (const auto& p : mapping.properties) {
    if (!is_safe_identifier(p.column)) {
      out.push_back("column name '" + p.column + "' (property " + p.property +
                    ") is not a plain SQL identifier ([A-Za-z_][A-Za-z0-9_]*, at most 63 characters)");
      continue;
    }
    if (is_reserved_column(p.column))
      out.push_back("column " + p.column + " (property " + p.property +
                    ") is one of leadsync's own columns (id, hubspot_id, sync_key, archived, "
                    "hubspot_updated_at, sync_status, sync_error); map the property to another column");
    if (!columns.insert(p.column).second) out.push_back("column " + p.column + " is mapped more than once");
    if (!properties.insert(p.property).second)
      out.push_back("property " + p.property + " is mapped more than once");
  }
  return out;
}

TableCheck check_lead_table(const TableShape& table, const core::SyncMapping& mapping) {
  using Null = Expected::Null;
  TableCheck out;
  auto& diff = out.differences;

  check_expected(table,
                 {"id", "id bigserial PRIMARY KEY", is_integer_type, "bigint", Null::must_be_not_null, true},
                 diff);
  if (table.find("id") && !has_unique_key(table, {"id"}, true))
    diff.push_back("column id is not the primary key (expected PRIMARY KEY (id))");
  check_expected(
      table, {"hubspot_id", "hubspot_id text UNIQUE", is_text_type, "text", Null::must_be_nullable, false},
      diff);
  if (table.find("hubspot_id") && !has_unique_key(table, {"hubspot_id"}, false))
    diff.push_back("column hubspot_id has no unique constraint (expected hubspot_id text UNIQUE)");
  check_expected(table,
                 {"sync_key", "sync_key uuid UNIQUE NOT NULL DEFAULT gen_random_uuid()",
                  [](std::string_view t) { return t == "uuid"; }, "uuid", Null::must_be_not_null, true},
                 diff);
  if (table.find("sync_key") && !has_unique_key(table, {"sync_key"}, false))
    diff.push_back(
        "column sync_key has no unique constraint (expected sync_key uuid UNIQUE NOT NULL DEFAULT "
        "gen_random_uuid())");
  check_expected(table,
                 {"archived", "archived boolean NOT NULL DEFAULT false",
                  [](std::string_view t) { return t == "boolean"; }, "boolean", Null::must_be_not_null, true},
                 diff);
  check_expected(table,
                 {"hubspot_updated_at", "hubspot_updated_at timestamptz",
                  [](std::string_view t) { return t == "timestamp with time zone"; },
                  "timestamp with time zone", Null::must_be_nullable, false},
                 diff);
  check_expected(
      table, {"sync_status", "sync_status text", is_text_type, "text", Null::must_be_nullable, false}, diff);
  check_expected(
      table, {"sync_error", "sync_error text", is_text_type, "text", Null::must_be_nullable, false}, diff);

  for (const auto& p : mapping.properties) {
    const ColumnShape* c = table.find(p.column);
    if (!c) {
      out.missing_columns.push_back(p);
      continue;
    }
    if (!is_compatible_type(p.type, c->type)) {
      std::string msg = "column " + p.column + " is " + display_type(*c) + " but the mapping says " +
                        core::to_string(p.type) + " (expected " + accepted_types(p.type);
      if (p.type == PropertyType::datetime && c->type == "timestamp without time zone")
        msg +=
            ": HubSpot datetimes are instants, and a timestamp without time zone would silently depend on "
            "the "
            "session's TimeZone; convert it with ALTER TABLE ... ALTER COLUMN " +
            p.column + " TYPE timestamptz USING " + p.column + " AT TIME ZONE 'UTC'";
      msg += ")";
      diff.push_back(std::move(msg));
    }
    if (c->not_null && !c->has_default)
      diff.push_back("column " + p.column + " is NOT NULL, but HubSpot property " + p.property +
                     " can be empty (expected a nullable column)");
  }

  // Rows pulled from HubSpot are inserted with bookkeeping and mapped columns only.
  for (const auto& c : table.columns) {
    if (is_reserved_column(c.name) || mapping.find_column(c.name)) continue;
    if (c.not_null && !c.has_default)
      diff.push_back("column " + c.name +
                     " is NOT NULL without a default and is not mapped, so leadsync cannot "
                     "insert leads pulled from HubSpot (give it a default, allow NULL, or map it)");
  }
  return out;
}

std::vector<std::string> check_associations_table(const TableShape& table, const core::SyncMapping& mapping) {
  using Null = Expected::Null;
  std::vector<std::string> diff;
  check_expected(
      table, {"lead_id", "lead_id bigint NOT NULL", is_integer_type, "bigint", Null::must_be_not_null, false},
      diff);
  check_expected(
      table,
      {"to_object_type", "to_object_type text NOT NULL", is_text_type, "text", Null::must_be_not_null, false},
      diff);
  check_expected(
      table,
      {"to_object_id", "to_object_id text NOT NULL", is_text_type, "text", Null::must_be_not_null, false},
      diff);
  check_expected(table,
                 {"association_type_id", "association_type_id int NOT NULL",
                  [](std::string_view t) { return t == "integer" || t == "bigint" || t == "smallint"; },
                  "integer", Null::must_be_not_null, false},
                 diff);
  check_expected(table,
                 {"association_category", "association_category text NOT NULL DEFAULT 'HUBSPOT_DEFINED'",
                  is_text_type, "text", Null::any, false},
                 diff);
  if (!has_unique_key(table, {"lead_id", "to_object_type", "to_object_id", "association_type_id"}, false))
    diff.push_back("there is no primary key on (lead_id, to_object_type, to_object_id, association_type_id)");
  if (table.find("lead_id")) {
    bool fk_ok = false;
    bool fk_without_cascade = false;
    for (const auto& fk : table.foreign_keys) {
      if (fk.columns == std::vector<std::string>{"lead_id"} && fk.references_lead_table &&
          fk.referenced_columns == std::vector<std::string>{"id"}) {
        if (fk.on_delete_cascade)
          fk_ok = true;
        else
          fk_without_cascade = true;
      }
    }
    if (!fk_ok)
      diff.push_back(
          fk_without_cascade
              ? "the foreign key on lead_id is not ON DELETE CASCADE (deleting a lead must remove its "
                "association rows)"
              : "column lead_id has no foreign key to " + mapping.qualified_table() +
                    "(id) (expected lead_id bigint NOT NULL REFERENCES " + mapping.qualified_table() +
                    "(id) ON DELETE CASCADE)");
  }
  for (const auto& c : table.columns) {
    static const std::set<std::string> kKnown = {"lead_id", "to_object_type", "to_object_id",
                                                 "association_type_id", "association_category"};
    if (kKnown.count(c.name)) continue;
    if (c.not_null && !c.has_default)
      diff.push_back("column " + c.name +
                     " is NOT NULL without a default, so leadsync cannot insert association "
                     "rows pulled from HubSpot (give it a default or allow NULL)");
  }
  return diff;
}

}  // namespace leadsync::db
