#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "db_test_util.hpp"
#include "leadsync/db/migrations.hpp"
#include "leadsync/testing/test_database.hpp"

namespace leadsync::db {
namespace {

using test::error_from;
using test::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using testing::TestDatabase;

std::vector<std::string> repo_migration_names() {
  std::vector<std::string> names;
  for (const auto& f : load_migration_files(LEADSYNC_MIGRATIONS_DIR)) names.push_back(f.name);
  return names;
}

TEST(DbMigrationsTest, AppliesEveryFileOnAFreshDatabase) {
  LEADSYNC_REQUIRE_DATABASE();
  TestDatabase db;
  auto report = MigrationRunner(db.dsn(), LEADSYNC_MIGRATIONS_DIR).run();
  EXPECT_EQ(report.applied, repo_migration_names());
  EXPECT_THAT(report.applied, ::testing::Contains("0001_bookkeeping.sql"));
  EXPECT_EQ(report.already, 0u);

  // Recorded with the sha256 of the file bytes.
  for (const auto& f : load_migration_files(LEADSYNC_MIGRATIONS_DIR))
    EXPECT_EQ(db.query_value("SELECT checksum FROM leadsync.schema_migrations WHERE version = " +
                             std::to_string(f.version) + " AND name = '" + f.name + "'"),
              f.checksum);
  EXPECT_EQ(db.query_value("SELECT count(*) FROM leadsync.schema_migrations"),
            std::to_string(report.applied.size()));
  for (auto table : {"changes", "base", "sync_state", "conflicts", "runs"})
    EXPECT_EQ(db.query_value(std::string("SELECT to_regclass('leadsync.") + table + "') IS NOT NULL"), "t")
        << table;
  for (auto fn : {"capture_lead_change()", "capture_association_change()", "refuse_truncate()"})
    EXPECT_EQ(db.query_value(std::string("SELECT to_regprocedure('leadsync.") + fn + "') IS NOT NULL"), "t")
        << fn;
}

TEST(DbMigrationsTest, RerunIsANoOp) {
  LEADSYNC_REQUIRE_DATABASE();
  TestDatabase db;
  MigrationRunner runner(db.dsn(), LEADSYNC_MIGRATIONS_DIR);
  auto first = runner.run();
  auto applied_at = db.query_value(
      "SELECT string_agg(applied_at::text, ',' ORDER BY version) FROM leadsync.schema_migrations");
  auto second = runner.run();
  EXPECT_THAT(second.applied, IsEmpty());
  EXPECT_EQ(second.already, first.applied.size());
  EXPECT_EQ(db.query_value(
                "SELECT string_agg(applied_at::text, ',' ORDER BY version) FROM leadsync.schema_migrations"),
            applied_at);
}

TEST(DbMigrationsTest, TamperedAppliedFileIsRefusedWithBothChecksums) {
  LEADSYNC_REQUIRE_DATABASE();
  TestDatabase db;
  TempDir dir;
  TempDir::copy_repo_migrations(dir);
  MigrationRunner(db.dsn(), dir.path()).run();
  const auto recorded = db.query_value("SELECT checksum FROM leadsync.schema_migrations WHERE version = 1");

  dir.append("0001_bookkeeping.sql", "\n-- an innocent-looking edit\n");
  dir.write("0900_new.sql", "CREATE TABLE leadsync.should_not_exist (x int);");
  const auto current = sha256_hex(load_migration_files(dir.path()).front().sql);
  ASSERT_NE(recorded, current);

  auto e = error_from([&] { MigrationRunner(db.dsn(), dir.path()).run(); });
  EXPECT_TRUE(e.is_fatal());
  EXPECT_THAT(e.what(), HasSubstr("0001_bookkeeping.sql was changed after it was applied"));
  EXPECT_THAT(e.what(), HasSubstr("recorded checksum " + recorded));
  EXPECT_THAT(e.what(), HasSubstr("current checksum " + current));
  EXPECT_THAT(e.what(), HasSubstr("new migration"));
  // Refused before applying anything.
  EXPECT_EQ(db.query_value("SELECT to_regclass('leadsync.should_not_exist') IS NULL"), "t");
}

TEST(DbMigrationsTest, BadFileNameIsRefusedBeforeTouchingTheDatabase) {
  LEADSYNC_REQUIRE_DATABASE();
  TestDatabase db;
  TempDir dir;
  TempDir::copy_repo_migrations(dir);
  dir.write("3_add_column.sql", "SELECT 1;");
  auto e = error_from([&] { MigrationRunner(db.dsn(), dir.path()).run(); });
  EXPECT_TRUE(e.is_fatal());
  EXPECT_THAT(e.what(), HasSubstr("NNNN_name.sql"));
  EXPECT_THAT(e.what(), HasSubstr("3_add_column.sql"));
  EXPECT_EQ(db.query_value("SELECT to_regnamespace('leadsync') IS NULL"), "t");
}

TEST(DbMigrationsTest, DuplicateVersionIsRefused) {
  LEADSYNC_REQUIRE_DATABASE();
  TestDatabase db;
  TempDir dir;
  TempDir::copy_repo_migrations(dir);
  dir.write("0001_other.sql", "SELECT 1;");
  auto e = error_from([&] { MigrationRunner(db.dsn(), dir.path()).run(); });
  EXPECT_TRUE(e.is_fatal());
  EXPECT_THAT(e.what(), HasSubstr("duplicate migration versions"));
}

TEST(DbMigrationsTest, DatabaseNewerThanTheFilesIsRefused) {
  LEADSYNC_REQUIRE_DATABASE();
  TestDatabase db;
  TempDir newer;
  TempDir::copy_repo_migrations(newer);
  newer.write("0999_future.sql", "CREATE TABLE leadsync.future (x int);");
  MigrationRunner(db.dsn(), newer.path()).run();

  auto e = error_from([&] { MigrationRunner(db.dsn(), LEADSYNC_MIGRATIONS_DIR).run(); });
  EXPECT_TRUE(e.is_fatal());
  EXPECT_THAT(e.what(), HasSubstr("the database is newer than this leadsync"));
  EXPECT_THAT(e.what(), HasSubstr("0999_future.sql"));
}

TEST(DbMigrationsTest, FailingMigrationRollsBackOnlyItselfAndNamesTheFile) {
  LEADSYNC_REQUIRE_DATABASE();
  TestDatabase db;
  TempDir dir;
  TempDir::copy_repo_migrations(dir);
  dir.write("0900_broken.sql",
            "CREATE TABLE leadsync.half_done (x int);\n"
            "INSERT INTO leadsync.no_such_table VALUES (1);\n");
  auto e = error_from([&] { MigrationRunner(db.dsn(), dir.path()).run(); });
  EXPECT_TRUE(e.is_fatal());
  EXPECT_THAT(e.what(), HasSubstr("applying migration 0900_broken.sql"));
  EXPECT_THAT(e.what(), HasSubstr("no_such_table"));
  EXPECT_EQ(e.details().category, "42P01");  // undefined_table
  // The earlier files are committed; the broken one left nothing behind and is not recorded.
  EXPECT_EQ(db.query_value("SELECT max(version) FROM leadsync.schema_migrations"),
            std::to_string(load_migration_files(LEADSYNC_MIGRATIONS_DIR).back().version));
  EXPECT_EQ(db.query_value("SELECT to_regclass('leadsync.half_done') IS NULL"), "t");

  // Fixing the (never applied) file is allowed.
  dir.write("0900_broken.sql", "CREATE TABLE leadsync.half_done (x int);\n");
  auto report = MigrationRunner(db.dsn(), dir.path()).run();
  EXPECT_THAT(report.applied, ElementsAre("0900_broken.sql"));
}

TEST(DbMigrationsTest, ConcurrentRunnersApplyEachFileExactlyOnce) {
  LEADSYNC_REQUIRE_DATABASE();
  TestDatabase db;
  TempDir dir;
  TempDir::copy_repo_migrations(dir);
  // Not idempotent on purpose (a second CREATE TABLE would fail), and slow enough that the runners overlap.
  dir.write("0900_slow.sql", "CREATE TABLE leadsync.once (x int); SELECT pg_sleep(0.3);");

  constexpr int kRunners = 4;
  std::vector<MigrationReport> reports(kRunners);
  std::vector<std::string> errors(kRunners);
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  for (int i = 0; i < kRunners; ++i) {
    threads.emplace_back([&, i] {
      ++ready;
      while (ready.load() < kRunners) std::this_thread::yield();
      try {
        reports[i] = MigrationRunner(db.dsn(), dir.path()).run();
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();

  std::multiset<std::string> applied;
  for (int i = 0; i < kRunners; ++i) {
    EXPECT_EQ(errors[i], "") << "runner " << i;
    applied.insert(reports[i].applied.begin(), reports[i].applied.end());
  }
  const auto files = load_migration_files(dir.path());
  EXPECT_EQ(applied.size(), files.size());
  for (const auto& f : files) EXPECT_EQ(applied.count(f.name), 1u) << f.name;
  EXPECT_EQ(db.query_value("SELECT count(*) FROM leadsync.schema_migrations"), std::to_string(files.size()));
  // Every runner that applied nothing saw all files as already applied.
  for (const auto& r : reports)
    if (r.applied.empty()) {
      EXPECT_EQ(r.already, files.size());
    }
}

TEST(DbMigrationsTest, UpToDateCheckNeedsNoCreatePrivilege) {
  LEADSYNC_REQUIRE_DATABASE();
  TestDatabase db;
  MigrationRunner(db.dsn(), LEADSYNC_MIGRATIONS_DIR).run();
  const std::string role = db.name() + "_app";
  db.exec("CREATE ROLE " + role +
          " LOGIN; REVOKE CREATE ON SCHEMA public FROM PUBLIC;"
          "REVOKE CREATE ON DATABASE " +
          db.name() +
          " FROM PUBLIC;"
          "GRANT USAGE ON SCHEMA leadsync TO " +
          role + "; GRANT SELECT ON leadsync.schema_migrations TO " + role);
  std::string error;
  try {
    auto report = MigrationRunner(db.dsn() + " user=" + role, LEADSYNC_MIGRATIONS_DIR).run();
    EXPECT_THAT(report.applied, IsEmpty());
  } catch (const std::exception& e) {
    error = e.what();
  }
  db.exec("DROP OWNED BY " + role + "; DROP ROLE " + role);
  EXPECT_EQ(error, "");
}

TEST(DbMigrationsTest, UnreachableServerIsTransient) {
  // Port 1 on loopback: connection refused immediately. No database needed.
  auto e = error_from([] {
    MigrationRunner("host=127.0.0.1 port=1 dbname=x connect_timeout=5", LEADSYNC_MIGRATIONS_DIR).run();
  });
  EXPECT_TRUE(e.is_transient()) << e.what();
  EXPECT_THAT(e.what(), HasSubstr("connecting to PostgreSQL"));
}

TEST(DbMigrationsTest, SecretsInTheDsnStayOutOfErrors) {
  auto e = error_from([] {
    MigrationRunner("host=127.0.0.1 port=1 dbname=x user=u password=s3cr3t-pw connect_timeout=5",
                    LEADSYNC_MIGRATIONS_DIR)
        .run();
  });
  EXPECT_THAT(e.what(), Not(HasSubstr("s3cr3t-pw")));
}

}  // namespace
}  // namespace leadsync::db
