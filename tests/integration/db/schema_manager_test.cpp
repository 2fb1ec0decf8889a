#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "db_test_util.hpp"
#include "leadsync/db/migrations.hpp"
#include "leadsync/db/schema_manager.hpp"
#include "leadsync/testing/test_database.hpp"

namespace leadsync::db {
namespace {

using core::PropertyType;
using test::error_from;
using test::standard_mapping;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using testing::TestDatabase;
using ::testing::UnorderedElementsAre;

class DbSchemaManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LEADSYNC_REQUIRE_DATABASE();
    db_.emplace();
    MigrationRunner(db_->dsn(), LEADSYNC_MIGRATIONS_DIR).run();
  }
  const TestDatabase& db() const { return *db_; }
  SchemaManager manager() const { return SchemaManager(db_->dsn()); }
  // "name type notnull" per column, in order, via the catalog.
  std::string columns_of(const std::string& table) const {
    return db().query_value(
        "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod) || CASE WHEN attnotnull THEN ' "
        "NOT NULL' "
        "ELSE '' END, ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = '" +
        table + "'::regclass AND attnum > 0 AND NOT attisdropped");
  }
  std::string triggers_of(const std::string& table) const {
    return db().query_value(
        "SELECT string_agg(tgname, ',' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = '" + table +
        "'::regclass AND NOT tgisinternal AND tgenabled = 'O'");
  }

  std::optional<TestDatabase> db_;
};

TEST_F(DbSchemaManagerTest, CreatesBothTablesAndTheirTriggers) {
  auto report = manager().ensure_schema(standard_mapping());
  EXPECT_TRUE(report.created_table);
  EXPECT_TRUE(report.created_associations_table);
  EXPECT_THAT(report.added_columns, IsEmpty());
  EXPECT_THAT(report.added_properties, IsEmpty());  // a new table gets the initial import
  EXPECT_THAT(report.triggers_created,
              UnorderedElementsAre("public.hubspot_leads.leadsync_capture",
                                   "public.hubspot_leads.leadsync_refuse_truncate",
                                   "public.hubspot_leads_associations.leadsync_capture",
                                   "public.hubspot_leads_associations.leadsync_refuse_truncate"));

  EXPECT_EQ(columns_of("public.hubspot_leads"),
            "id bigint NOT NULL, hubspot_id text, sync_key uuid NOT NULL, lead_name text, lead_label text, "
            "lead_score numeric, vip boolean, due_date date, seen_at timestamp with time zone, "
            "archived boolean NOT NULL, hubspot_updated_at timestamp with time zone, sync_status text, "
            "sync_error text");
  EXPECT_EQ(columns_of("public.hubspot_leads_associations"),
            "lead_id bigint NOT NULL, to_object_type text NOT NULL, to_object_id text NOT NULL, "
            "association_type_id integer NOT NULL, association_category text NOT NULL");
  EXPECT_EQ(triggers_of("public.hubspot_leads"), "leadsync_capture,leadsync_refuse_truncate");
  EXPECT_EQ(triggers_of("public.hubspot_leads_associations"), "leadsync_capture,leadsync_refuse_truncate");
  // Defaults work: an application insert needs nothing special.
  db().exec("SET leadsync.origin = 'sync'; INSERT INTO hubspot_leads (lead_name) VALUES ('x')");
  EXPECT_EQ(
      db().query_value("SELECT archived::text || ' ' || (sync_key IS NOT NULL)::text FROM hubspot_leads"),
      "false true");
  db().exec(
      "SET leadsync.origin = 'sync'; INSERT INTO hubspot_leads_associations (lead_id, to_object_type, "
      "to_object_id, association_type_id) SELECT id, 'contacts', '101', 578 FROM hubspot_leads");
  EXPECT_EQ(db().query_value("SELECT association_category FROM hubspot_leads_associations"),
            "HUBSPOT_DEFINED");

  auto recorded =
      nlohmann::json::parse(db().query_value("SELECT value FROM leadsync.sync_state WHERE scope = "
                                             "'public.hubspot_leads' AND key = 'mapping.columns'"));
  ASSERT_EQ(recorded.size(), 6u);
  EXPECT_EQ(recorded[0]["property"], "hs_due");
  EXPECT_EQ(recorded[0]["column"], "due_date");
  EXPECT_EQ(recorded[0]["type"], "date");
}

TEST_F(DbSchemaManagerTest, IsIdempotent) {
  manager().ensure_schema(standard_mapping());
  auto updated_at =
      db().query_value("SELECT updated_at FROM leadsync.sync_state WHERE key = 'mapping.columns'");
  auto trigger_oids = db().query_value(
      "SELECT string_agg(oid::text, ',' ORDER BY oid) FROM pg_trigger WHERE NOT tgisinternal");
  auto report = manager().ensure_schema(standard_mapping());
  EXPECT_FALSE(report.created_table);
  EXPECT_FALSE(report.created_associations_table);
  EXPECT_THAT(report.added_columns, IsEmpty());
  EXPECT_THAT(report.added_properties, IsEmpty());
  EXPECT_THAT(report.pending_backfill, IsEmpty());
  EXPECT_THAT(report.triggers_created, IsEmpty());
  // Triggers that are already right are left alone (no table lock on every start).
  EXPECT_EQ(db().query_value(
                "SELECT string_agg(oid::text, ',' ORDER BY oid) FROM pg_trigger WHERE NOT tgisinternal"),
            trigger_oids);
  EXPECT_EQ(db().query_value("SELECT updated_at FROM leadsync.sync_state WHERE key = 'mapping.columns'"),
            updated_at);
}

TEST_F(DbSchemaManagerTest, AddsANewlyMappedColumnAndReportsItForBackfill) {
  manager().ensure_schema(standard_mapping());
  db().exec("SET leadsync.origin = 'sync'; INSERT INTO hubspot_leads (lead_name) VALUES ('kept')");

  auto mapping = standard_mapping();
  mapping.properties.push_back({"hs_budget", "budget", PropertyType::number});
  auto report = manager().ensure_schema(mapping);
  EXPECT_FALSE(report.created_table);
  EXPECT_THAT(report.added_columns, ElementsAre("budget"));
  EXPECT_THAT(report.added_properties, ElementsAre("hs_budget"));
  EXPECT_THAT(report.pending_backfill, ElementsAre("hs_budget"));
  EXPECT_THAT(columns_of("public.hubspot_leads"), HasSubstr("sync_error text, budget numeric"));
  EXPECT_EQ(db().query_value("SELECT lead_name FROM hubspot_leads"), "kept");  // nothing dropped

  // Not acknowledged yet: a restart (e.g. after a crash before the backfill) still reports it as pending.
  report = manager().ensure_schema(mapping);
  EXPECT_THAT(report.added_properties, IsEmpty());
  EXPECT_THAT(report.pending_backfill, ElementsAre("hs_budget"));

  manager().mark_backfilled(mapping, {"hs_budget"});
  report = manager().ensure_schema(mapping);
  EXPECT_THAT(report.pending_backfill, IsEmpty());
}

TEST_F(DbSchemaManagerTest, NewlyMappedPropertyOnAnExistingColumnIsReported) {
  manager().ensure_schema(standard_mapping());
  db().exec("ALTER TABLE hubspot_leads ADD COLUMN region text");  // added by the operator beforehand
  auto mapping = standard_mapping();
  mapping.properties.push_back({"hs_region", "region", PropertyType::string});
  auto report = manager().ensure_schema(mapping);
  EXPECT_THAT(report.added_columns, IsEmpty());
  EXPECT_THAT(report.added_properties, ElementsAre("hs_region"));

  // Unmapping removes it from the pending backfill; columns are never dropped.
  report = manager().ensure_schema(standard_mapping());
  EXPECT_THAT(report.pending_backfill, IsEmpty());
  EXPECT_THAT(columns_of("public.hubspot_leads"), HasSubstr("region text"));
}

TEST_F(DbSchemaManagerTest, AcceptsACompatibleOperatorTable) {
  db().exec(
      "CREATE TABLE hubspot_leads ("
      " id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, hubspot_id varchar(32) UNIQUE,"
      " sync_key uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(), lead_name varchar(200), lead_label text,"
      " lead_score integer, archived boolean NOT NULL DEFAULT false, hubspot_updated_at timestamptz,"
      " sync_status text, sync_error text, notes text)");
  auto report = manager().ensure_schema(standard_mapping());
  EXPECT_FALSE(report.created_table);
  EXPECT_TRUE(report.created_associations_table);
  EXPECT_THAT(report.added_columns, ElementsAre("vip", "due_date", "seen_at"));
  EXPECT_THAT(report.added_properties, ElementsAre("hs_vip", "hs_due", "hs_seen"));
  EXPECT_EQ(triggers_of("public.hubspot_leads"), "leadsync_capture,leadsync_refuse_truncate");
}

TEST_F(DbSchemaManagerTest, RefusesAnIncompatibleTableListingEveryDifference) {
  db().exec(
      "CREATE TABLE hubspot_leads ("
      " id bigserial PRIMARY KEY, hubspot_id text UNIQUE, sync_key uuid NOT NULL UNIQUE DEFAULT "
      "gen_random_uuid(),"
      " lead_name text, lead_score boolean, seen_at timestamp, archived boolean NOT NULL DEFAULT false,"
      " hubspot_updated_at timestamptz, sync_status text, sync_error text)");
  auto e = error_from([&] { manager().ensure_schema(standard_mapping()); });
  EXPECT_TRUE(e.is_fatal());
  EXPECT_THAT(e.what(), HasSubstr("table public.hubspot_leads does not fit the mapping:"));
  EXPECT_THAT(e.what(),
              HasSubstr("\n  - column lead_score is boolean but the mapping says number (expected numeric, "
                        "integer, bigint, double precision or real)"));
  EXPECT_THAT(e.what(),
              HasSubstr("\n  - column seen_at is timestamp without time zone but the mapping says datetime "
                        "(expected timestamp with time zone: HubSpot datetimes are instants"));
  EXPECT_THAT(e.what(), HasSubstr("leadsync never drops or alters existing columns"));
  // Nothing changed: no column added, no associations table, no trigger.
  EXPECT_EQ(db().query_value("SELECT to_regclass('public.hubspot_leads_associations') IS NULL"), "t");
  EXPECT_THAT(columns_of("public.hubspot_leads"), Not(HasSubstr("vip")));
  EXPECT_EQ(triggers_of("public.hubspot_leads"), "");
}

TEST_F(DbSchemaManagerTest, RefusesWrongBookkeepingColumns) {
  db().exec(
      "CREATE TABLE hubspot_leads ("
      " id bigserial PRIMARY KEY, hubspot_id bigint, lead_name text,"
      " archived boolean, hubspot_updated_at timestamptz, sync_status text, sync_error text)");
  auto e = error_from([&] { manager().ensure_schema(standard_mapping()); });
  EXPECT_TRUE(e.is_fatal());
  for (auto line :
       {"column hubspot_id is bigint (expected text)",
        "column hubspot_id has no unique constraint (expected hubspot_id text UNIQUE)",
        "column sync_key is missing (expected sync_key uuid UNIQUE NOT NULL DEFAULT gen_random_uuid())",
        "column archived allows NULL (expected NOT NULL)",
        "column archived has no default (expected archived boolean NOT NULL DEFAULT false)"})
    EXPECT_THAT(e.what(), HasSubstr(std::string("\n  - ") + line));
}

TEST_F(DbSchemaManagerTest, RefusesAnIncompatibleAssociationsTable) {
  manager().ensure_schema(standard_mapping());
  db().exec("DROP TABLE hubspot_leads_associations");
  db().exec(
      "CREATE TABLE hubspot_leads_associations (lead_id bigint NOT NULL REFERENCES hubspot_leads (id),"
      " to_object_type text NOT NULL, to_object_id bigint NOT NULL, association_type_id int NOT NULL,"
      " association_category text, PRIMARY KEY (lead_id, to_object_type, to_object_id, "
      "association_type_id))");
  auto e = error_from([&] { manager().ensure_schema(standard_mapping()); });
  EXPECT_TRUE(e.is_fatal());
  EXPECT_THAT(e.what(),
              HasSubstr("table public.hubspot_leads_associations does not fit what leadsync needs:"));
  EXPECT_THAT(e.what(), HasSubstr("column to_object_id is bigint (expected text)"));
  EXPECT_THAT(e.what(), HasSubstr("the foreign key on lead_id is not ON DELETE CASCADE"));
}

TEST_F(DbSchemaManagerTest, RefusesAViewWhereTheTableShouldBe) {
  db().exec("CREATE VIEW hubspot_leads AS SELECT 1 AS id");
  auto e = error_from([&] { manager().ensure_schema(standard_mapping()); });
  EXPECT_TRUE(e.is_fatal());
  EXPECT_THAT(e.what(), HasSubstr("public.hubspot_leads exists but is not a table"));
}

TEST_F(DbSchemaManagerTest, RefusesAnUnsafeMappingBeforeConnecting) {
  auto mapping = standard_mapping();
  mapping.properties.push_back({"hs_x", "x\"; DROP TABLE leadsync.changes; --", PropertyType::string});
  auto e = error_from([&] { manager().ensure_schema(mapping); });
  EXPECT_TRUE(e.is_fatal());
  EXPECT_THAT(e.what(), HasSubstr("is not a plain SQL identifier"));
  EXPECT_EQ(db().query_value("SELECT to_regclass('leadsync.changes') IS NOT NULL"), "t");
}

TEST_F(DbSchemaManagerTest, CreatesTheSchemaOfANonPublicTable) {
  auto mapping = standard_mapping("leads");
  mapping.schema = "crm";
  auto report = manager().ensure_schema(mapping);
  EXPECT_TRUE(report.created_table);
  EXPECT_EQ(triggers_of("crm.leads_associations"), "leadsync_capture,leadsync_refuse_truncate");
  EXPECT_EQ(db().query_value("SELECT count(*) FROM leadsync.sync_state WHERE scope = 'crm.leads'"), "1");
}

TEST_F(DbSchemaManagerTest, ReEnablesADisabledCaptureTrigger) {
  manager().ensure_schema(standard_mapping());
  db().exec("ALTER TABLE hubspot_leads DISABLE TRIGGER leadsync_capture");
  auto report = manager().ensure_schema(standard_mapping());
  EXPECT_THAT(report.triggers_created, ElementsAre("public.hubspot_leads.leadsync_capture"));
  EXPECT_EQ(triggers_of("public.hubspot_leads"), "leadsync_capture,leadsync_refuse_truncate");
}

TEST_F(DbSchemaManagerTest, BookkeepingColumnListMatchesTheTriggers) {
  std::string expected;
  for (auto c : kBookkeepingColumns) expected += (expected.empty() ? "" : ",") + std::string(c);
  EXPECT_EQ(db().query_value("SELECT array_to_string(leadsync.bookkeeping_columns(), ',')"), expected);
}

TEST(DbSchemaManagerNoMigrationsTest, RequiresTheMigrationsFirst) {
  LEADSYNC_REQUIRE_DATABASE();
  TestDatabase db;
  auto e = error_from([&] { SchemaManager(db.dsn()).ensure_schema(standard_mapping()); });
  EXPECT_TRUE(e.is_fatal());
  EXPECT_THAT(e.what(), HasSubstr("run the migrations first"));
  EXPECT_EQ(db.query_value("SELECT to_regclass('public.hubspot_leads') IS NULL"), "t");
}

}  // namespace
}  // namespace leadsync::db
