#pragma once
// Read-only look at a database before leadsync touches it: which migrations are applied or pending, whether
// the mapped table and <table>_associations exist and fit the mapping, which columns and triggers
// ensure_schema would still add. For `leadsync --check-config --online` and for --dry-run, which must not
// change anything (so it cannot run the migrations or ensure_schema itself).
// Runs in one READ ONLY transaction; takes no lock that could block the daemon.
//
// Errors: core::Error, transient when PostgreSQL cannot be reached, fatal for other SQL errors and an
// unreadable migrations directory. Problems found are values (SchemaInspection), not exceptions.
// Thread-safety: a free function holding no state; call it from any thread.
#include <filesystem>
#include <string>
#include <vector>

#include "leadsync/core/mapping.hpp"

namespace leadsync::db {

struct SchemaInspection {
  bool bookkeeping_schema = false;              // schema leadsync with schema_migrations exists
  std::vector<std::string> applied;             // migration file names recorded as applied
  std::vector<std::string> pending;             // files not applied yet
  std::vector<std::string> migration_problems;  // changed checksums, missing files, ... (would be refused)
  bool table_exists = false;
  bool associations_table_exists = false;
  std::vector<std::string> differences;       // the table does not fit (ensure_schema would refuse)
  std::vector<std::string> missing_columns;   // mapped columns ensure_schema would add
  std::vector<std::string> missing_triggers;  // capture/truncate triggers absent or disabled
  std::string server_version;                 // e.g. "15.5"

  // Everything exists and fits: leadsync could sync without changing the schema.
  bool ready() const {
    return bookkeeping_schema && pending.empty() && migration_problems.empty() && table_exists &&
           associations_table_exists && differences.empty() && missing_columns.empty() &&
           missing_triggers.empty();
  }
  // ensure_schema and the migrations would refuse (the operator has to act).
  bool refused() const { return !migration_problems.empty() || !differences.empty(); }
};

SchemaInspection inspect_schema(const std::string& dsn, const core::SyncMapping& mapping,
                                const std::filesystem::path& migrations_dir);

}  // namespace leadsync::db
