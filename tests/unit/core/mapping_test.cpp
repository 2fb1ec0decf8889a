#include "leadsync/core/mapping.hpp"

#include <gtest/gtest.h>

#include "leadsync/core/error.hpp"

namespace leadsync::core {
namespace {

TEST(MappingTest, ParsesEveryPropertyTypeAndRoundTrips) {
  for (auto name : {"string", "number", "bool", "date", "datetime", "enumeration"}) {
    auto t = parse_property_type(name);
    ASSERT_TRUE(t.has_value()) << name;
    EXPECT_STREQ(to_string(*t), name);
  }
  EXPECT_FALSE(parse_property_type("boolean").has_value());
  EXPECT_FALSE(parse_property_type("").has_value());
}

TEST(MappingTest, ParsesPoliciesAndDirections) {
  EXPECT_EQ(parse_direction("pull"), Direction::pull);
  EXPECT_FALSE(parse_direction("both ").has_value());
  EXPECT_EQ(parse_conflict_policy("manual"), ConflictPolicy::manual);
  EXPECT_FALSE(parse_conflict_policy("newest").has_value());
  EXPECT_EQ(parse_remote_delete_policy("delete"), RemoteDeletePolicy::remove);
  EXPECT_EQ(parse_remote_delete_policy("archive"), RemoteDeletePolicy::archive);
}

TEST(MappingTest, FindsPropertiesAndColumns) {
  SyncMapping m;
  m.properties.push_back({"hs_lead_name", "lead_name", PropertyType::string, Direction::both});
  m.properties.push_back({"hs_lead_label", "label", PropertyType::enumeration, Direction::pull});
  ASSERT_NE(m.find_property("hs_lead_label"), nullptr);
  EXPECT_EQ(m.find_property("hs_lead_label")->column, "label");
  EXPECT_FALSE(m.find_property("hs_lead_label")->pushes());
  EXPECT_EQ(m.find_column("lead_name")->property, "hs_lead_name");
  EXPECT_EQ(m.find_column("nope"), nullptr);
  EXPECT_EQ(m.qualified_table(), "public.hubspot_leads");
}

TEST(ErrorTest, KindsAreKept) {
  auto e = record_error("bad option", ErrorDetails{.http_status = 400, .category = "VALIDATION_ERROR"});
  EXPECT_TRUE(e.is_record());
  EXPECT_EQ(e.details().http_status, 400);
  EXPECT_STREQ(to_string(fatal_error("x").kind()), "fatal");
}

}  // namespace
}  // namespace leadsync::core
