#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "leadsync/core/error.hpp"
#include "leadsync/db/migrations.hpp"

namespace leadsync::db {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "leadsync-db-unit-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  void write(const std::string& name, const std::string& content) const {
    std::ofstream(path_ / name, std::ios::binary) << content;
  }

 private:
  fs::path path_;
};

// The fatal core::Error message thrown by f, or "" (and a test failure) when it throws nothing else.
template <typename F>
std::string fatal_message(F&& f) {
  try {
    f();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_fatal()) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "expected a fatal core::Error";
  return {};
}

MigrationFile file(int version, std::string name, std::string checksum) {
  MigrationFile f;
  f.version = version;
  f.name = std::move(name);
  f.checksum = std::move(checksum);
  return f;
}

TEST(DbMigrationFilesTest, Sha256MatchesKnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(std::string("a\0b", 3)).size(), 64u);
}

TEST(DbMigrationFilesTest, ParsesFileNames) {
  EXPECT_EQ(parse_migration_file_name("0001_bookkeeping.sql"), 1);
  EXPECT_EQ(parse_migration_file_name("0042_Add_lead_score2.sql"), 42);
  EXPECT_EQ(parse_migration_file_name("9999_x.sql"), 9999);
  for (auto bad :
       {"1_x.sql", "001_x.sql", "00001_x.sql", "0001-x.sql", "0001_.sql", "0001_x.SQL", "0001_x.sql.bak",
        "0001_a-b.sql", "0001_a b.sql", "0000_zero.sql", "abcd_x.sql", "0001x.sql", ".sql", ""})
    EXPECT_FALSE(parse_migration_file_name(bad).has_value()) << bad;
}

TEST(DbMigrationFilesTest, LoadsInVersionOrderWithChecksumsAndIgnoresOtherFiles) {
  TempDir dir;
  dir.write("0010_later.sql", "SELECT 10;");
  dir.write("0002_second.sql", "SELECT 2;");
  dir.write("0001_first.sql", "SELECT 1;");
  dir.write("README.md", "not a migration");
  dir.write(".0003_hidden.sql", "editor swap file");
  dir.write("0004_backup.sql~", "editor backup");
  fs::create_directory(dir.path() / "0005_dir.sql");
  auto files = load_migration_files(dir.path());
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].name, "0001_first.sql");
  EXPECT_EQ(files[1].name, "0002_second.sql");
  EXPECT_EQ(files[2].name, "0010_later.sql");
  EXPECT_EQ(files[2].version, 10);
  EXPECT_EQ(files[0].sql, "SELECT 1;");
  EXPECT_EQ(files[0].checksum, sha256_hex("SELECT 1;"));
}

TEST(DbMigrationFilesTest, RefusesBadNamesListingThemAll) {
  TempDir dir;
  dir.write("0001_ok.sql", "SELECT 1;");
  dir.write("2_short.sql", "");
  dir.write("0003-dash.sql", "");
  dir.write("0004_upper.SQL", "");  // would otherwise be silently skipped
  auto msg = fatal_message([&] { load_migration_files(dir.path()); });
  EXPECT_THAT(msg, HasSubstr("NNNN_name.sql"));
  EXPECT_THAT(msg, HasSubstr("2_short.sql"));
  EXPECT_THAT(msg, HasSubstr("0003-dash.sql"));
  EXPECT_THAT(msg, HasSubstr("0004_upper.SQL"));
  EXPECT_THAT(msg, Not(HasSubstr("0001_ok.sql")));
}

TEST(DbMigrationFilesTest, RefusesDuplicateVersions) {
  TempDir dir;
  dir.write("0001_a.sql", "SELECT 1;");
  dir.write("0001_b.sql", "SELECT 2;");
  auto msg = fatal_message([&] { load_migration_files(dir.path()); });
  EXPECT_THAT(msg, HasSubstr("duplicate migration versions"));
  EXPECT_THAT(msg, HasSubstr("0001_a.sql and 0001_b.sql"));
}

TEST(DbMigrationFilesTest, RefusesMissingDirectory) {
  auto msg = fatal_message([] { load_migration_files("/nonexistent/leadsync/migrations"); });
  EXPECT_THAT(msg, HasSubstr("/nonexistent/leadsync/migrations does not exist"));
}

TEST(DbMigrationFilesTest, EmptyDirectoryHasNothingToApply) {
  TempDir dir;
  EXPECT_TRUE(load_migration_files(dir.path()).empty());
}

TEST(DbMigrationPlanTest, PendingAreTheUnappliedInOrderAndGapsAreFine) {
  std::vector<MigrationFile> files = {file(1, "0001_a.sql", "c1"), file(3, "0003_c.sql", "c3"),
                                      file(7, "0007_g.sql", "c7")};
  auto plan = plan_migrations(files, {});
  ASSERT_EQ(plan.pending.size(), 3u);
  EXPECT_EQ(plan.already, 0u);
  EXPECT_EQ(plan.pending[2].name, "0007_g.sql");

  plan = plan_migrations(files, {{1, "0001_a.sql", "c1"}, {3, "0003_c.sql", "c3"}});
  ASSERT_EQ(plan.pending.size(), 1u);
  EXPECT_EQ(plan.pending[0].version, 7);
  EXPECT_EQ(plan.already, 2u);

  plan = plan_migrations(files, {{1, "0001_a.sql", "c1"}, {3, "0003_c.sql", "c3"}, {7, "0007_g.sql", "c7"}});
  EXPECT_TRUE(plan.pending.empty());
  EXPECT_EQ(plan.already, 3u);
}

TEST(DbMigrationPlanTest, ChangedChecksumIsFatalWithBothChecksums) {
  std::vector<MigrationFile> files = {file(1, "0001_a.sql", "newsum"), file(2, "0002_b.sql", "c2")};
  auto msg = fatal_message([&] { plan_migrations(files, {{1, "0001_a.sql", "oldsum"}}); });
  EXPECT_THAT(msg, HasSubstr("0001_a.sql was changed after it was applied"));
  EXPECT_THAT(msg, HasSubstr("recorded checksum oldsum"));
  EXPECT_THAT(msg, HasSubstr("current checksum newsum"));
  EXPECT_THAT(msg, HasSubstr("new migration"));
}

TEST(DbMigrationPlanTest, RenamedAppliedFileIsFatal) {
  std::vector<MigrationFile> files = {file(1, "0001_renamed.sql", "c1")};
  auto msg = fatal_message([&] { plan_migrations(files, {{1, "0001_a.sql", "c1"}}); });
  EXPECT_THAT(msg, HasSubstr("applied as 0001_a.sql but the file is now named 0001_renamed.sql"));
}

TEST(DbMigrationPlanTest, DatabaseNewerThanFilesIsFatal) {
  std::vector<MigrationFile> files = {file(1, "0001_a.sql", "c1")};
  auto msg = fatal_message([&] {
    plan_migrations(files, {{1, "0001_a.sql", "c1"}, {2, "0002_future.sql", "c2"}});
  });
  EXPECT_THAT(msg, HasSubstr("the database is newer than this leadsync"));
  EXPECT_THAT(msg, HasSubstr("0002_future.sql"));
}

TEST(DbMigrationPlanTest, PendingFileOlderThanAppliedIsFatal) {
  std::vector<MigrationFile> files = {file(1, "0001_a.sql", "c1"), file(2, "0002_late.sql", "c2"),
                                      file(3, "0003_c.sql", "c3")};
  auto msg = fatal_message([&] {
    plan_migrations(files, {{1, "0001_a.sql", "c1"}, {3, "0003_c.sql", "c3"}});
  });
  EXPECT_THAT(msg, HasSubstr("forward-only"));
  EXPECT_THAT(msg, HasSubstr("0002_late.sql"));
  EXPECT_THAT(msg, HasSubstr("Renumber them after 0003_c.sql"));
}

// 0001 and 0002 were edited after release in comment lines only (their references to design documents
// moved into docs/). Databases that recorded the earlier checksums ran the same SQL and must still start.
TEST(DbMigrationPlanTest, CommentOnlyEditsOfReleasedMigrationsAreAccepted) {
  auto files = load_migration_files(std::filesystem::path(LEADSYNC_SOURCE_DIR) / "migrations");
  ASSERT_GE(files.size(), 2u);
  const std::string earlier1 = "07c5a94df2fa50d546588b1c22428c577fca67f43ccbde76082ba9b4890609fc";
  const std::string earlier2 = "b4e60471899858584da64ee0973468b57b38a6c0821fc563c78955d7e23d3773";
  auto plan = plan_migrations(files, {{1, files[0].name, earlier1}, {2, files[1].name, earlier2}});
  EXPECT_EQ(plan.already, 2u);
  EXPECT_EQ(plan.pending.size(), files.size() - 2);

  // An earlier checksum counts only for its own version, and any other checksum is still refused.
  auto msg = fatal_message([&] { plan_migrations(files, {{1, files[0].name, earlier2}}); });
  EXPECT_THAT(msg, HasSubstr("was changed after it was applied"));
  msg = fatal_message([&] { plan_migrations(files, {{2, files[1].name, std::string(64, '0')}}); });
  EXPECT_THAT(msg, HasSubstr("was changed after it was applied"));
}

}  // namespace
}  // namespace leadsync::db
