#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "leadsync/db/schema_manager.hpp"

namespace leadsync::db {
namespace {

using core::PropertyType;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

core::SyncMapping mapping() {
  core::SyncMapping m;
  m.properties.push_back({"hs_lead_name", "lead_name", PropertyType::string});
  m.properties.push_back({"hs_lead_label", "lead_label", PropertyType::enumeration});
  m.properties.push_back({"hs_score", "lead_score", PropertyType::number});
  m.properties.push_back({"hs_vip", "vip", PropertyType::boolean});
  m.properties.push_back({"hs_due", "due_date", PropertyType::date});
  m.properties.push_back({"hs_seen", "seen_at", PropertyType::datetime});
  return m;
}

ColumnShape col(std::string name, std::string type, bool not_null = false, bool has_default = false) {
  return {std::move(name), type, type, not_null, has_default};
}

// The table leadsync itself creates for mapping().
TableShape good_lead_table() {
  TableShape t;
  t.columns = {col("id", "bigint", true, true),
               col("hubspot_id", "text"),
               col("sync_key", "uuid", true, true),
               col("lead_name", "text"),
               col("lead_label", "text"),
               col("lead_score", "numeric"),
               col("vip", "boolean"),
               col("due_date", "date"),
               col("seen_at", "timestamp with time zone"),
               col("archived", "boolean", true, true),
               col("hubspot_updated_at", "timestamp with time zone"),
               col("sync_status", "text"),
               col("sync_error", "text")};
  t.unique_keys = {{{"id"}, true}, {{"hubspot_id"}, false}, {{"sync_key"}, false}};
  return t;
}

TableShape good_associations_table() {
  TableShape t;
  t.columns = {col("lead_id", "bigint", true), col("to_object_type", "text", true),
               col("to_object_id", "text", true), col("association_type_id", "integer", true),
               col("association_category", "text", true, true)};
  t.unique_keys = {{{"lead_id", "to_object_type", "to_object_id", "association_type_id"}, true}};
  t.foreign_keys = {{{"lead_id"}, true, {"id"}, true}};
  return t;
}

void remove_column(TableShape& t, std::string_view name) {
  std::erase_if(t.columns, [&](const ColumnShape& c) { return c.name == name; });
}
ColumnShape& column(TableShape& t, std::string_view name) {
  for (auto& c : t.columns)
    if (c.name == name) return c;
  throw std::logic_error("no column " + std::string(name));
}

TEST(DbSqlTypeTest, CreatesOneTypePerPropertyType) {
  EXPECT_STREQ(sql_type_for(PropertyType::string), "text");
  EXPECT_STREQ(sql_type_for(PropertyType::enumeration), "text");
  EXPECT_STREQ(sql_type_for(PropertyType::number), "numeric");
  EXPECT_STREQ(sql_type_for(PropertyType::boolean), "boolean");
  EXPECT_STREQ(sql_type_for(PropertyType::date), "date");
  EXPECT_STREQ(sql_type_for(PropertyType::datetime), "timestamptz");
}

TEST(DbSqlTypeTest, AcceptsCompatibleExistingTypes) {
  for (auto t : {"text", "character varying", "character", "citext"}) {
    EXPECT_TRUE(is_compatible_type(PropertyType::string, t)) << t;
    EXPECT_TRUE(is_compatible_type(PropertyType::enumeration, t)) << t;
  }
  for (auto t : {"numeric", "integer", "bigint", "double precision", "real"})
    EXPECT_TRUE(is_compatible_type(PropertyType::number, t)) << t;
  EXPECT_TRUE(is_compatible_type(PropertyType::boolean, "boolean"));
  EXPECT_TRUE(is_compatible_type(PropertyType::date, "date"));
  EXPECT_TRUE(is_compatible_type(PropertyType::datetime, "timestamp with time zone"));
}

TEST(DbSqlTypeTest, RefusesIncompatibleTypes) {
  EXPECT_FALSE(is_compatible_type(PropertyType::number, "boolean"));
  EXPECT_FALSE(is_compatible_type(PropertyType::number, "text"));
  EXPECT_FALSE(is_compatible_type(PropertyType::string, "integer"));
  EXPECT_FALSE(is_compatible_type(PropertyType::string, "text[]"));
  EXPECT_FALSE(is_compatible_type(PropertyType::boolean, "integer"));
  EXPECT_FALSE(is_compatible_type(PropertyType::date, "timestamp with time zone"));
  EXPECT_FALSE(is_compatible_type(PropertyType::datetime, "timestamp without time zone"));
  EXPECT_FALSE(is_compatible_type(PropertyType::datetime, "date"));
}

TEST(DbTableCheckTest, TheTableLeadsyncCreatesFits) {
  auto check = check_lead_table(good_lead_table(), mapping());
  EXPECT_TRUE(check.fits()) << ::testing::PrintToString(check.differences);
  EXPECT_THAT(check.missing_columns, IsEmpty());
  EXPECT_THAT(check_associations_table(good_associations_table(), mapping()), IsEmpty());
}

TEST(DbTableCheckTest, MissingMappedColumnsAreAddedNotRefused) {
  auto t = good_lead_table();
  remove_column(t, "lead_score");
  remove_column(t, "vip");
  auto check = check_lead_table(t, mapping());
  EXPECT_TRUE(check.fits());
  ASSERT_EQ(check.missing_columns.size(), 2u);
  EXPECT_EQ(check.missing_columns[0].column, "lead_score");
  EXPECT_EQ(check.missing_columns[1].column, "vip");
}

TEST(DbTableCheckTest, CompatibleVariantsFit) {
  auto t = good_lead_table();
  column(t, "lead_name") = {"lead_name", "character varying", "character varying(200)", false, false};
  column(t, "lead_label") = {"lead_label", "character", "character(3)", false, false};
  column(t, "lead_score") = col("lead_score", "double precision");
  column(t, "id") = col("id", "integer", true, true);
  column(t, "lead_name").not_null = true;
  column(t, "lead_name").has_default = true;  // NOT NULL with a default is fine
  t.columns.push_back(col("notes", "text"));  // unmapped extra columns are the operator's business
  t.columns.push_back(col("created_at", "timestamp with time zone", true, true));
  auto check = check_lead_table(t, mapping());
  EXPECT_TRUE(check.fits()) << ::testing::PrintToString(check.differences);
}

TEST(DbTableCheckTest, ListsEveryIncompatibleMappedColumn) {
  auto t = good_lead_table();
  column(t, "lead_score") = col("lead_score", "boolean");
  column(t, "lead_name") = col("lead_name", "integer");
  column(t, "vip") = col("vip", "text");
  column(t, "due_date") = col("due_date", "timestamp with time zone");
  auto check = check_lead_table(t, mapping());
  EXPECT_THAT(
      check.differences,
      UnorderedElementsAre(
          "column lead_score is boolean but the mapping says number (expected numeric, integer, bigint, "
          "double precision or real)",
          "column lead_name is integer but the mapping says string (expected text, character varying, "
          "character or citext)",
          "column vip is text but the mapping says bool (expected boolean)",
          "column due_date is timestamp with time zone but the mapping says date (expected date)"));
}

TEST(DbTableCheckTest, TimestampWithoutTimeZoneIsRefusedWithAnExplanation) {
  auto t = good_lead_table();
  column(t, "seen_at") = col("seen_at", "timestamp without time zone");
  auto check = check_lead_table(t, mapping());
  ASSERT_EQ(check.differences.size(), 1u);
  EXPECT_THAT(check.differences[0],
              HasSubstr("column seen_at is timestamp without time zone but the mapping says "
                        "datetime (expected timestamp with time zone: HubSpot datetimes are "
                        "instants"));
  EXPECT_THAT(check.differences[0],
              HasSubstr("ALTER COLUMN seen_at TYPE timestamptz USING seen_at AT TIME ZONE 'UTC'"));
}

TEST(DbTableCheckTest, NotNullMappedColumnWithoutDefaultIsRefused) {
  auto t = good_lead_table();
  column(t, "lead_name").not_null = true;
  auto check = check_lead_table(t, mapping());
  EXPECT_THAT(check.differences,
              ElementsAre("column lead_name is NOT NULL, but HubSpot property hs_lead_name can be "
                          "empty (expected a nullable column)"));
}

TEST(DbTableCheckTest, UnmappedNotNullColumnWithoutDefaultIsRefused) {
  auto t = good_lead_table();
  t.columns.push_back(col("owner", "text", true, false));
  auto check = check_lead_table(t, mapping());
  ASSERT_EQ(check.differences.size(), 1u);
  EXPECT_THAT(check.differences[0],
              HasSubstr("column owner is NOT NULL without a default and is not mapped"));
}

TEST(DbTableCheckTest, MissingBookkeepingColumnsAreRefused) {
  auto t = good_lead_table();
  remove_column(t, "sync_key");
  remove_column(t, "archived");
  t.unique_keys.pop_back();
  auto check = check_lead_table(t, mapping());
  EXPECT_THAT(
      check.differences,
      UnorderedElementsAre(
          "column sync_key is missing (expected sync_key uuid UNIQUE NOT NULL DEFAULT gen_random_uuid())",
          "column archived is missing (expected archived boolean NOT NULL DEFAULT false)"));
}

TEST(DbTableCheckTest, WronglyTypedOrConstrainedBookkeepingColumnsAreRefused) {
  auto t = good_lead_table();
  column(t, "hubspot_id") = col("hubspot_id", "bigint", true);
  column(t, "sync_key") = col("sync_key", "text", true, false);
  column(t, "hubspot_updated_at") = col("hubspot_updated_at", "timestamp without time zone");
  column(t, "archived") = col("archived", "boolean", false, false);
  t.unique_keys = {{{"id"}, false}};  // unique but not the primary key
  auto check = check_lead_table(t, mapping());
  EXPECT_THAT(
      check.differences,
      UnorderedElementsAre(
          "column id is not the primary key (expected PRIMARY KEY (id))",
          "column hubspot_id is bigint (expected text)",
          "column hubspot_id is NOT NULL, but leadsync needs to store NULL in it",
          "column hubspot_id has no unique constraint (expected hubspot_id text UNIQUE)",
          "column sync_key is text (expected uuid)",
          "column sync_key has no default (expected sync_key uuid UNIQUE NOT NULL DEFAULT gen_random_uuid())",
          "column sync_key has no unique constraint (expected sync_key uuid UNIQUE NOT NULL DEFAULT "
          "gen_random_uuid())",
          "column archived allows NULL (expected NOT NULL)",
          "column archived has no default (expected archived boolean NOT NULL DEFAULT false)",
          "column hubspot_updated_at is timestamp without time zone (expected timestamp with time zone)"));
}

TEST(DbTableCheckTest, AssociationsTableDifferencesAreListed) {
  auto t = good_associations_table();
  column(t, "to_object_id") = col("to_object_id", "bigint", true);
  t.unique_keys = {{{"lead_id", "to_object_type", "to_object_id"}, true}};
  t.foreign_keys = {{{"lead_id"}, true, {"id"}, false}};
  EXPECT_THAT(
      check_associations_table(t, mapping()),
      UnorderedElementsAre(
          "column to_object_id is bigint (expected text)",
          "there is no primary key on (lead_id, to_object_type, to_object_id, association_type_id)",
          "the foreign key on lead_id is not ON DELETE CASCADE (deleting a lead must remove its association "
          "rows)"));
  t.foreign_keys.clear();
  auto diffs = check_associations_table(t, mapping());
  EXPECT_THAT(diffs,
              ::testing::Contains("column lead_id has no foreign key to public.hubspot_leads(id) (expected "
                                  "lead_id bigint NOT NULL REFERENCES public.hubspot_leads(id) ON DELETE "
                                  "CASCADE)"));
}

TEST(DbMappingCheckTest, AcceptsAGoodMapping) {
  EXPECT_THAT(check_mapping(mapping()), IsEmpty());
}

TEST(DbMappingCheckTest, RefusesUnsafeDuplicateAndReservedNames) {
  auto m = mapping();
  m.properties.push_back({"hs_evil", "name; drop table x", PropertyType::string});
  m.properties.push_back({"hs_other_name", "lead_name", PropertyType::string});
  m.properties.push_back({"hs_archived", "archived", PropertyType::boolean});
  m.properties.push_back({"hs_vip", "vip2", PropertyType::boolean});
  auto problems = check_mapping(m);
  EXPECT_THAT(problems,
              UnorderedElementsAre(
                  "column name 'name; drop table x' (property hs_evil) is not a plain SQL identifier "
                  "([A-Za-z_][A-Za-z0-9_]*, at most 63 characters)",
                  "column lead_name is mapped more than once",
                  HasSubstr("column archived (property hs_archived) is one of leadsync's own columns"),
                  "property hs_vip is mapped more than once"));
}

TEST(DbMappingCheckTest, RefusesTableNamesThatCannotCarryTheAssociationsSuffix) {
  auto m = mapping();
  m.table = std::string(51, 't');  // + "_associations" = 64 > 63
  EXPECT_THAT(check_mapping(m), ElementsAre(HasSubstr("is too long")));
  m.table = std::string(50, 't');
  EXPECT_THAT(check_mapping(m), IsEmpty());
  EXPECT_EQ(associations_table_name(m), std::string(50, 't') + "_associations");
  m.schema = "bad-schema";
  EXPECT_THAT(check_mapping(m), ElementsAre(HasSubstr("schema name 'bad-schema'")));
}

TEST(DbMappingCheckTest, ReservedColumns) {
  for (auto c :
       {"id", "hubspot_id", "sync_key", "archived", "hubspot_updated_at", "sync_status", "sync_error"})
    EXPECT_TRUE(is_reserved_column(c)) << c;
  EXPECT_FALSE(is_reserved_column("lead_name"));
}

}  // namespace
}  // namespace leadsync::db
