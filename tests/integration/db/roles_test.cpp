// The capture triggers seen from an application that writes the mapped table with a role of its own, granted
// only what docs/database-roles.md lists: it can write, every write is captured, and it can neither forge
// change rows nor skip capture with leadsync.origin (migration 0015).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "db_test_util.hpp"
#include "leadsync/db/migrations.hpp"
#include "leadsync/db/schema_manager.hpp"
#include "leadsync/testing/test_database.hpp"

namespace leadsync::db {
namespace {

using test::standard_mapping;
using ::testing::HasSubstr;
using testing::TestDatabase;

// The grants docs/database-roles.md gives an application role: the table, its associations table and their
// sequences; nothing in schema leadsync.
constexpr const char* kApplicationGrants =
    "GRANT USAGE ON SCHEMA public TO {role}; "
    "GRANT SELECT, INSERT, UPDATE, DELETE ON public.hubspot_leads, public.hubspot_leads_associations TO "
    "{role}; "
    "GRANT USAGE ON SEQUENCE public.hubspot_leads_id_seq TO {role}";

std::string with_role(std::string sql, const std::string& role) {
  for (auto p = sql.find("{role}"); p != std::string::npos; p = sql.find("{role}", p))
    sql.replace(p, 6, role);
  return sql;
}

class DbRolesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LEADSYNC_REQUIRE_DATABASE();
    db_.emplace();
    // Roles are per cluster: one named after this test's database.
    role_ = "app_" + db_->name();
    db_->exec("CREATE ROLE " + role_ + " LOGIN");
  }
  void TearDown() override {
    if (!db_) return;
    app_.reset();
    try {
      db_->exec("DROP OWNED BY " + role_ + "; DROP ROLE " + role_);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "dropping role " << role_ << ": " << e.what();
    }
  }

  void prepare(const std::filesystem::path& migrations = LEADSYNC_MIGRATIONS_DIR) {
    MigrationRunner(db_->dsn(), migrations).run();
    SchemaManager(db_->dsn()).ensure_schema(standard_mapping());
  }
  void grant_application_rights() { db_->exec(with_role(kApplicationGrants, role_)); }

  // A session of the application role (the test cluster trusts every local role).
  pqxx::connection& app() {
    if (!app_) app_.emplace(db_->dsn() + " user=" + role_);
    return *app_;
  }
  void app_exec(const std::vector<std::string>& statements) {
    pqxx::work tx(app());
    for (const auto& s : statements) tx.exec(s);
    tx.commit();
  }
  // The error an application statement gets (empty when it succeeds).
  std::string app_error(const std::string& sql) {
    try {
      app_exec({sql});
    } catch (const pqxx::sql_error& e) {
      return e.what();
    }
    return {};
  }
  // The captured operations in alphabetical order (a cascade's order between the lead's and its association
  // rows' triggers is PostgreSQL's business).
  std::string captured_ops() {
    return db_->query_value("SELECT coalesce(string_agg(op, ',' ORDER BY op), '') FROM leadsync.changes");
  }

  std::optional<TestDatabase> db_;
  std::string role_;
  std::optional<pqxx::connection> app_;
};

TEST_F(DbRolesTest, AnApplicationRoleWithTableGrantsOnlyCanWriteAndEveryWriteIsCaptured) {
  prepare();
  grant_application_rights();
  app_exec(
      {"INSERT INTO hubspot_leads (lead_name) VALUES ('Ada')",
       "UPDATE hubspot_leads SET lead_score = 3 WHERE lead_name = 'Ada'",
       "INSERT INTO hubspot_leads_associations (lead_id, to_object_type, to_object_id, association_type_id) "
       "SELECT id, 'contacts', '7', 578 FROM hubspot_leads"});
  app_exec({"DELETE FROM hubspot_leads WHERE lead_name = 'Ada'"});
  EXPECT_EQ(captured_ops(), "ASSOC_ADD,ASSOC_REMOVE,DELETE,INSERT,UPDATE");
  EXPECT_EQ(db_->query_value("SELECT count(DISTINCT scope) FROM leadsync.changes"), "1");
}

TEST_F(DbRolesTest, SettingOriginSyncDoesNotLetAnApplicationRoleSkipCapture) {
  prepare();
  grant_application_rights();
  app_exec({"SET LOCAL leadsync.origin = 'sync'", "INSERT INTO hubspot_leads (lead_name) VALUES ('Ada')"});
  app_exec(
      {"SET leadsync.origin = 'sync'", "UPDATE hubspot_leads SET lead_score = 3",
       "INSERT INTO hubspot_leads_associations (lead_id, to_object_type, to_object_id, association_type_id) "
       "SELECT id, 'contacts', '7', 578 FROM hubspot_leads",
       "DELETE FROM hubspot_leads"});
  EXPECT_EQ(captured_ops(), "ASSOC_ADD,ASSOC_REMOVE,DELETE,INSERT,UPDATE");
}

TEST_F(DbRolesTest, AnApplicationRoleCannotForgeOrAlterChangeRows) {
  prepare();
  grant_application_rights();
  app_exec({"INSERT INTO hubspot_leads (lead_name) VALUES ('Ada')"});
  for (const auto* sql :
       {"INSERT INTO leadsync.changes (scope, lead_id, op) VALUES ('public.hubspot_leads', 1, "
        "'DELETE')",
        "UPDATE leadsync.changes SET state = 'SUCCESS'", "DELETE FROM leadsync.changes",
        "UPDATE leadsync.base SET vals = '{}'", "SELECT leadsync.lead_hubspot_id('pg_authid', 10)",
        "INSERT INTO leadsync.inbox (scope, event_id, subscription_type, object_id, payload) VALUES "
        "('public.hubspot_leads', 1, 'object.deletion', 1, '{}')"})
    EXPECT_THAT(app_error(sql), HasSubstr("permission denied")) << sql;
  EXPECT_EQ(captured_ops(), "INSERT");
}

// An installation of before 0015 had to grant the application rights on leadsync's bookkeeping (and on
// PUBLIC, a common shortcut), and its triggers skipped every session's writes under leadsync.origin = 'sync'.
// The upgrade takes those rights away from PUBLIC and replaces the triggers.
TEST_F(DbRolesTest, UpgradingRevokesBookkeepingRightsFromPublicAndReplacesTheTriggers) {
  test::TempDir before;
  for (const auto& e : std::filesystem::directory_iterator(LEADSYNC_MIGRATIONS_DIR))
    if (e.path().extension() == ".sql" && e.path().filename().string() < "0015")
      std::filesystem::copy_file(e.path(), before.path() / e.path().filename());
  prepare(before.path());
  db_->exec(
      "DROP TRIGGER leadsync_capture ON hubspot_leads; "
      "CREATE TRIGGER leadsync_capture AFTER INSERT OR UPDATE OR DELETE ON hubspot_leads FOR EACH ROW "
      "WHEN (current_setting('leadsync.origin', true) IS DISTINCT FROM 'sync') "
      "EXECUTE FUNCTION leadsync.capture_lead_change('public.hubspot_leads')");
  db_->exec(
      "GRANT USAGE ON SCHEMA leadsync TO PUBLIC; GRANT ALL ON ALL TABLES IN SCHEMA leadsync TO PUBLIC; "
      "GRANT ALL ON ALL SEQUENCES IN SCHEMA leadsync TO PUBLIC");
  grant_application_rights();

  prepare();

  EXPECT_THAT(
      app_error("INSERT INTO leadsync.changes (scope, lead_id, op) VALUES ('public.hubspot_leads', 1, "
                "'DELETE')"),
      HasSubstr("permission denied"));
  app_exec({"SET LOCAL leadsync.origin = 'sync'", "INSERT INTO hubspot_leads (lead_name) VALUES ('Ada')"});
  EXPECT_EQ(captured_ops(), "INSERT");
}

TEST_F(DbRolesTest, CaptureFunctionsRunAsLeadsyncWithAPinnedSearchPath) {
  prepare();
  // A writer's search_path must not reach into the functions: with it, a role that can create objects could
  // put its own function or operator in front of pg_catalog's and have it run with leadsync's rights.
  for (const auto* fn : {"leadsync.capture_lead_change()", "leadsync.capture_association_change()",
                         "leadsync.refuse_truncate()"}) {
    EXPECT_EQ(
        db_->query_value(std::string("SELECT prosecdef FROM pg_proc WHERE oid = '") + fn + "'::regprocedure"),
        "t")
        << fn;
    EXPECT_EQ(
        db_->query_value(std::string("SELECT array_to_string(proconfig, ';') FROM pg_proc WHERE oid = '") +
                         fn + "'::regprocedure"),
        "search_path=pg_catalog, leadsync")
        << fn;
  }
  // leadsync's own writes under leadsync.origin = 'sync' are still not captured.
  db_->exec(
      "BEGIN; SET LOCAL leadsync.origin = 'sync'; INSERT INTO hubspot_leads (lead_name) VALUES ('Bo'); "
      "COMMIT");
  EXPECT_EQ(captured_ops(), "");
}

}  // namespace
}  // namespace leadsync::db
