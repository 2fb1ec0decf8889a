#pragma once
// Mapping-driven DDL for the operator's table (docs/design.md#data-model).
//
// SchemaManager::ensure_schema(mapping), in one transaction holding the advisory lock kDdlLockKey:
//   - creates <table> and <table>_associations when missing (typed columns per mapping type);
//   - for existing tables, adds missing mapped columns (ALTER TABLE ADD COLUMN) and never drops or
//     alters anything; refuses (fatal) a table that does not fit, listing every difference;
//   - (re)creates the capture triggers on both tables and the TRUNCATE refusal, leaving triggers that
//     are already exactly right untouched (no needless table locks on every start);
//   - records the mapping in leadsync.sync_state (scope = "schema.table", key 'mapping.columns') and
//     reports the properties that need a backfill from HubSpot.
// The bookkeeping schema (migrations) must be applied first; otherwise ensure_schema throws fatal.
//
// Errors: core::Error. fatal for a table that does not fit, an unsafe identifier, missing migrations
// or SQL errors (SQLSTATE in ErrorDetails::category); transient for a lost connection or a lock wait
// longer than lock_timeout (the table is busy: retry later).
// Thread-safety: the free functions are pure; SchemaManager holds no connection between calls and may be
// used from several threads and processes at once (the advisory lock serializes them).
#include <string>
#include <string_view>
#include <vector>

#include "leadsync/core/mapping.hpp"

namespace leadsync::db {

// ---- names -------------------------------------------------------------------------------------------
inline constexpr std::string_view kCaptureTrigger = "leadsync_capture";
inline constexpr std::string_view kTruncateTrigger = "leadsync_refuse_truncate";
inline constexpr std::string_view kNotifyChannel = "leadsync_changes";  // payload: the scope
inline constexpr std::string_view kOriginSetting = "leadsync.origin";   // 'sync' = written by leadsync
inline constexpr std::string_view kMappingColumnsKey = "mapping.columns";
inline constexpr std::string_view kBackfillPendingKey = "mapping.backfill_pending";

// Columns leadsync maintains in the mapped table (never captured as local changes; see 0002).
// "archived" is also leadsync's but IS captured: archiving a row locally is a change.
inline constexpr std::string_view kBookkeepingColumns[] = {
    "id", "hubspot_id", "sync_key", "hubspot_updated_at", "sync_status", "sync_error"};
bool is_reserved_column(std::string_view column) noexcept;  // bookkeeping columns and "archived"

// "<table>_associations"
std::string associations_table_name(const core::SyncMapping& mapping);

// ---- types -------------------------------------------------------------------------------------------
// The column type leadsync creates: string/enumeration -> text, number -> numeric, bool -> boolean,
// date -> date, datetime -> timestamptz.
const char* sql_type_for(core::PropertyType type) noexcept;
// Whether an existing column of PostgreSQL type `pg_type` (format_type without modifiers, e.g.
// "character varying", "timestamp with time zone") can hold values of the mapping type.
bool is_compatible_type(core::PropertyType type, std::string_view pg_type) noexcept;
// What is accepted, for messages: "numeric, integer, bigint, double precision or real".
std::string accepted_types(core::PropertyType type);

// ---- compatibility check (pure) ------------------------------------------------------------------------
struct ColumnShape {
  std::string name;
  std::string type;       // format_type(atttypid, NULL): "text", "character varying", "numeric", ...
  std::string full_type;  // with modifiers, for messages: "character varying(40)"
  bool not_null = false;
  bool has_default = false;  // DEFAULT expression or identity
};

// A unique index or constraint without predicate or expressions.
struct UniqueKeyShape {
  std::vector<std::string> columns;
  bool primary = false;
};

struct ForeignKeyShape {
  std::vector<std::string> columns;
  bool references_lead_table = false;  // confrelid is the mapped table
  std::vector<std::string> referenced_columns;
  bool on_delete_cascade = false;
};

struct TableShape {
  std::vector<ColumnShape> columns;  // in attnum order
  std::vector<UniqueKeyShape> unique_keys;
  std::vector<ForeignKeyShape> foreign_keys;

  const ColumnShape* find(std::string_view column) const noexcept;
};

struct TableCheck {
  std::vector<std::string> differences;                // each a full sentence about one column or key
  std::vector<core::PropertyMapping> missing_columns;  // mapped columns to ADD (not a difference)
  bool fits() const noexcept { return differences.empty(); }
};

// Problems with the mapping itself that make any table impossible (unsafe or duplicate columns,
// a column named like a bookkeeping column, a table name too long for "_associations"). Empty = fine.
std::vector<std::string> check_mapping(const core::SyncMapping& mapping);
TableCheck check_lead_table(const TableShape& table, const core::SyncMapping& mapping);
std::vector<std::string> check_associations_table(const TableShape& table, const core::SyncMapping& mapping);

// ---- the manager ---------------------------------------------------------------------------------------
struct SchemaReport {
  bool created_table = false;
  bool created_associations_table = false;
  std::vector<std::string> added_columns;  // columns added by ALTER TABLE in this call
  // Mapped properties whose column was just added, or that were not in (or were mapped to another
  // column in) the previously recorded mapping: values the engine must backfill from HubSpot.
  // Empty when the table was just created (the initial import covers everything).
  std::vector<std::string> added_properties;
  // added_properties plus those reported by earlier calls and not yet acknowledged with
  // mark_backfilled(): survives a crash between ensure_schema and the backfill.
  std::vector<std::string> pending_backfill;
  std::vector<std::string> triggers_created;  // "public.hubspot_leads.leadsync_capture", ...
};

class SchemaManager {
 public:
  explicit SchemaManager(std::string dsn);  // libpq connection string (never logged)

  SchemaReport ensure_schema(const core::SyncMapping& mapping) const;

  // The engine calls this after it backfilled `properties` from HubSpot; removes them from
  // pending_backfill. Unknown names are ignored.
  void mark_backfilled(const core::SyncMapping& mapping, const std::vector<std::string>& properties) const;

 private:
  std::string dsn_;
};

// Convenience: SchemaManager(dsn).ensure_schema(mapping).
SchemaReport ensure_schema(const std::string& dsn, const core::SyncMapping& mapping);

}  // namespace leadsync::db
