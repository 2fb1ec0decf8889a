#pragma once
// Versioned SQL migrations (migrations/NNNN_name.sql), forward-only.
//
// MigrationRunner::run() creates schema `leadsync` and `leadsync.schema_migrations` when missing, takes
// the session advisory lock kDdlLockKey (a second process migrating at the same time waits, then finds
// nothing to do), checks every applied migration against its file, and applies the pending files in
// version order, each in its own transaction together with its schema_migrations row.
//
// Rules (all violations throw core::Error of kind fatal, before anything is applied):
//   - every *.sql file in the directory is named NNNN_name.sql (4 digits, version >= 1; name of
//     [A-Za-z0-9_]); other files (README, editor backups without .sql) are ignored;
//   - versions are unique; gaps are allowed;
//   - an applied file must keep its name and checksum (sha256 of the file bytes): never edit an
//     applied migration, add a new one (the only exceptions are the comment-only edits whose earlier
//     checksums migrations.cpp lists in kCommentOnlyEdits);
//   - a version recorded in the database must still exist on disk ("database is newer");
//   - a pending file must be newer than every applied one (no out-of-order back-filling).
// A migration file must not contain BEGIN/COMMIT or statements that cannot run in a transaction.
// PostgreSQL failures are classified at this edge: lost connection -> transient; in-doubt commit and
// SQL errors -> fatal (SQLSTATE in ErrorDetails::category).
//
// Thread-safety: the free functions are pure; a MigrationRunner holds no connection between calls, so
// one instance may be used from several threads, and several instances (threads or processes) may
// run against the same database at once.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leadsync::db {

// Serializes all leadsync DDL in one database: MigrationRunner (session lock) and SchemaManager
// (transaction lock). The value is "leadsync" in ASCII, 0x6c65616473796e63, so it is recognisable in
// pg_locks (classid = 1818583393, objid = 1937337955, objsubid = 1).
inline constexpr std::int64_t kDdlLockKey = 0x6c65616473796e63;

struct MigrationFile {
  int version = 0;
  std::string name;  // file name, e.g. "0001_bookkeeping.sql"
  std::filesystem::path path;
  std::string checksum;  // lowercase hex sha256 of the file bytes
  std::string sql;       // the bytes the checksum was computed from (what gets executed)
};

// A row of leadsync.schema_migrations.
struct AppliedMigration {
  int version = 0;
  std::string name;
  std::string checksum;
};

struct MigrationPlan {
  std::vector<MigrationFile> pending;  // in version order
  std::size_t already = 0;             // applied files that matched their record
};

struct MigrationReport {
  std::vector<std::string> applied;  // file names applied by this call, in order
  std::size_t already = 0;           // migrations that were applied before this call
};

// Lowercase hex SHA-256 of bytes.
std::string sha256_hex(std::string_view bytes);

// The version of a file named NNNN_name.sql, or nullopt if the name does not have that form.
std::optional<int> parse_migration_file_name(std::string_view file_name);

// Reads every NNNN_name.sql in dir, sorted by version. Throws fatal: directory missing or unreadable,
// a *.sql file with a bad name, duplicate versions.
std::vector<MigrationFile> load_migration_files(const std::filesystem::path& dir);

// Decides what to apply. Throws fatal on a changed checksum or name, a recorded version without a file,
// or a pending file older than an applied one. Pure: unit-tested without a database.
MigrationPlan plan_migrations(const std::vector<MigrationFile>& files,
                              const std::vector<AppliedMigration>& applied);

class MigrationRunner {
 public:
  // dsn: libpq connection string (never logged). dir: the migrations directory.
  MigrationRunner(std::string dsn, std::filesystem::path dir);

  // Applies what is pending. Throws core::Error (see the header comment).
  MigrationReport run() const;

 private:
  std::string dsn_;
  std::filesystem::path dir_;
};

}  // namespace leadsync::db
