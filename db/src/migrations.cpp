#include "leadsync/db/migrations.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <iterator>
#include <map>
#include <pqxx/pqxx>
#include <sstream>
#include <system_error>

#include "database_encoding.hpp"
#include "leadsync/core/error.hpp"
#include "pg_error.hpp"
#include "pg_session.hpp"

namespace leadsync::db {

namespace {

constexpr std::string_view kNeverEdit =
    "Never edit, rename or delete a migration that has been applied: restore the original file "
    "(e.g. with git checkout) and put the change into a new migration with a higher number.";

std::string read_file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw core::fatal_error("cannot read migration file " + path.string());
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw core::fatal_error("error while reading migration file " + path.string());
  return bytes;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += "\n  - " + l;
  return out;
}

}  // namespace

std::optional<int> parse_migration_file_name(std::string_view file_name) {
  constexpr std::string_view kSuffix = ".sql";
  // NNNN _ name .sql
  if (file_name.size() < 4 + 1 + 1 + kSuffix.size()) return std::nullopt;
  if (file_name.substr(file_name.size() - kSuffix.size()) != kSuffix) return std::nullopt;
  int version = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    char c = file_name[i];
    if (c < '0' || c > '9') return std::nullopt;
    version = version * 10 + (c - '0');
  }
  if (file_name[4] != '_') return std::nullopt;
  auto name = file_name.substr(5, file_name.size() - 5 - kSuffix.size());
  if (name.empty()) return std::nullopt;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return std::nullopt;
  }
  if (version < 1) return std::nullopt;
  return version;
}

std::vector<MigrationFile> load_migration_files(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw core::fatal_error("migrations directory " + dir.string() + " does not exist or is not a directory");

  std::vector<MigrationFile> files;
  std::vector<std::string> bad_names;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) throw core::fatal_error("cannot list migrations directory " + dir.string() + ": " + ec.message());
  for (const auto& entry : it) {
    const auto file_name = entry.path().filename().string();
    if (file_name.empty() || file_name.front() == '.') continue;
    if (!entry.is_regular_file(ec)) continue;
    // .SQL too: a migration silently skipped for its spelling would be worse than a refusal.
    auto ext = entry.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext != ".sql") continue;
    auto version = parse_migration_file_name(file_name);
    if (!version) {
      bad_names.push_back(file_name);
      continue;
    }
    MigrationFile f;
    f.version = *version;
    f.name = file_name;
    f.path = entry.path();
    f.sql = read_file_bytes(entry.path());
    f.checksum = sha256_hex(f.sql);
    files.push_back(std::move(f));
  }
  if (!bad_names.empty()) {
    std::sort(bad_names.begin(), bad_names.end());
    throw core::fatal_error(
        "migration file names must look like NNNN_name.sql (four digits from 0001, an "
        "underscore, then letters, digits or underscores) in " +
        dir.string() + "; rename these:" + join_lines(bad_names));
  }
  std::sort(files.begin(), files.end(), [](const MigrationFile& a, const MigrationFile& b) {
    return a.version != b.version ? a.version < b.version : a.name < b.name;
  });
  std::vector<std::string> duplicates;
  for (std::size_t i = 1; i < files.size(); ++i)
    if (files[i].version == files[i - 1].version)
      duplicates.push_back(files[i - 1].name + " and " + files[i].name);
  if (!duplicates.empty())
    throw core::fatal_error("duplicate migration versions in " + dir.string() +
                            " (every version number may be used once):" + join_lines(duplicates));
  return files;
}

namespace {

// Checksums of earlier texts of released migrations whose later edits changed comment lines only
// (references to design documents that are now in docs/). A database that recorded one of these ran
// exactly the SQL of today's file, so it is accepted; any other difference is still refused.
struct CommentOnlyEdit {
  int version;
  std::string_view earlier_checksum;
};
constexpr CommentOnlyEdit kCommentOnlyEdits[] = {
    {1, "07c5a94df2fa50d546588b1c22428c577fca67f43ccbde76082ba9b4890609fc"},
    {2, "b4e60471899858584da64ee0973468b57b38a6c0821fc563c78955d7e23d3773"},
};

bool checksum_matches(const MigrationFile& f, const std::string& recorded) {
  if (f.checksum == recorded) return true;
  for (const auto& e : kCommentOnlyEdits)
    if (e.version == f.version && e.earlier_checksum == recorded) return true;
  return false;
}

}  // namespace

MigrationPlan plan_migrations(const std::vector<MigrationFile>& files,
                              const std::vector<AppliedMigration>& applied) {
  std::map<int, const MigrationFile*> by_version;
  for (const auto& f : files) by_version.emplace(f.version, &f);

  std::vector<std::string> missing;
  std::vector<std::string> changed;
  std::map<int, bool> applied_versions;
  int newest_applied = 0;
  std::string newest_applied_name;
  for (const auto& a : applied) {
    applied_versions[a.version] = true;
    if (a.version > newest_applied) {
      newest_applied = a.version;
      newest_applied_name = a.name;
    }
    auto it = by_version.find(a.version);
    if (it == by_version.end()) {
      missing.push_back(a.name);
      continue;
    }
    const MigrationFile& f = *it->second;
    if (f.name != a.name) {
      changed.push_back("migration version " + std::to_string(a.version) + " was applied as " + a.name +
                        " but the file is now named " + f.name);
    } else if (!checksum_matches(f, a.checksum)) {
      changed.push_back("migration " + f.name + " was changed after it was applied: recorded checksum " +
                        a.checksum + ", current checksum " + f.checksum + " (" + f.path.string() + ")");
    }
  }
  if (!missing.empty()) {
    std::sort(missing.begin(), missing.end());
    throw core::fatal_error(
        "the database is newer than this leadsync: these applied migrations are not in the migrations "
        "directory:" +
        join_lines(missing) +
        "\nInstall the leadsync version that applied them (or point it at its migrations directory); "
        "migrations are forward-only.");
  }
  if (!changed.empty()) {
    if (changed.size() == 1) throw core::fatal_error(changed.front() + ". " + std::string(kNeverEdit));
    throw core::fatal_error("applied migrations were changed:" + join_lines(changed) + "\n" +
                            std::string(kNeverEdit));
  }

  MigrationPlan plan;
  std::vector<std::string> out_of_order;
  for (const auto& f : files) {
    if (applied_versions.count(f.version)) {
      ++plan.already;
      continue;
    }
    if (f.version < newest_applied) out_of_order.push_back(f.name);
    plan.pending.push_back(f);
  }
  if (!out_of_order.empty())
    throw core::fatal_error(
        "migrations are forward-only, but these pending files are older than the newest "
        "applied migration " +
        newest_applied_name + ":" + join_lines(out_of_order) + "\nRenumber them after " +
        newest_applied_name + ".");
  return plan;
}

MigrationRunner::MigrationRunner(std::string dsn, std::filesystem::path dir)
    : dsn_(std::move(dsn)), dir_(std::move(dir)) {}

MigrationReport MigrationRunner::run() const {
  // Read and validate the files first: a bad directory fails before touching the database.
  const auto files = load_migration_files(dir_);

  std::string doing = "connecting to PostgreSQL to run migrations";
  try {
    detail::PgSession session(dsn_, "leadsync migrations");
    auto& conn = session.conn;

    doing = "checking the database's encoding";
    detail::require_utf8(conn);  // before anything is created in a database leadsync cannot use

    doing = "taking the migration lock";
    {
      pqxx::nontransaction tx(conn);
      auto got = tx.exec_params("SELECT pg_try_advisory_lock($1)", kDdlLockKey);
      if (!got[0][0].as<bool>()) {
        spdlog::info("another process is changing the leadsync schema; waiting for advisory lock {}",
                     kDdlLockKey);
        tx.exec_params("SELECT pg_advisory_lock($1)", kDdlLockKey);
      }
    }

    doing = "creating leadsync.schema_migrations";
    {
      pqxx::work tx(conn, "leadsync_bootstrap");
      tx.exec("SET LOCAL client_min_messages = warning");
      // Existence is checked first (not IF NOT EXISTS, which checks the CREATE privilege before
      // existence) so a role without CREATE can run once everything exists.
      if (tx.exec("SELECT to_regnamespace('leadsync') IS NULL")[0][0].as<bool>())
        tx.exec("CREATE SCHEMA leadsync");
      if (tx.exec("SELECT to_regclass('leadsync.schema_migrations') IS NULL")[0][0].as<bool>())
        tx.exec(
            "CREATE TABLE leadsync.schema_migrations ("
            " version int PRIMARY KEY,"
            " name text NOT NULL,"
            " checksum text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())");
      tx.commit();
    }

    doing = "reading leadsync.schema_migrations";
    std::vector<AppliedMigration> applied;
    {
      pqxx::nontransaction tx(conn);
      for (const auto& row : tx.exec("SELECT version, name, checksum FROM leadsync.schema_migrations "
                                     "ORDER BY version"))
        applied.push_back({row[0].as<int>(), row[1].as<std::string>(), row[2].as<std::string>()});
    }

    auto plan = plan_migrations(files, applied);
    MigrationReport report;
    report.already = plan.already;
    for (const auto& f : plan.pending) {
      doing = "applying migration " + f.name;
      const auto started = std::chrono::steady_clock::now();
      pqxx::work tx(conn, "leadsync_migration");
      tx.exec(f.sql);
      tx.exec_params("INSERT INTO leadsync.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                     f.version, f.name, f.checksum);
      tx.commit();
      const auto ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
              .count();
      spdlog::info("applied migration {} ({} ms, sha256 {})", f.name, ms, f.checksum);
      report.applied.push_back(f.name);
    }
    if (report.applied.empty())
      spdlog::debug("leadsync schema up to date ({} migrations applied before)", report.already);

    doing = "releasing the migration lock";
    {
      pqxx::nontransaction tx(conn);
      tx.exec_params("SELECT pg_advisory_unlock($1)", kDdlLockKey);
    }
    return report;
  } catch (...) {
    // The session lock goes with the connection, which the unwinding just closed.
    detail::rethrow_as_core_error(doing);
  }
}

}  // namespace leadsync::db
