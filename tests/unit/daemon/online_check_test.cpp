#include "online_check.hpp"

#include <gtest/gtest.h>

#include "exit_codes.hpp"

using namespace leadsync;
using namespace leadsync::daemon;
using Status = CheckItem::Status;

namespace {

hubspot::PropertyDefinition prop(std::string name, std::string type, std::string field_type = "text") {
  hubspot::PropertyDefinition p;
  p.name = std::move(name);
  p.type = std::move(type);
  p.field_type = std::move(field_type);
  return p;
}

config::AppConfig cfg_with(std::vector<config::MappingConfig> mappings) {
  config::AppConfig c;
  c.mappings = std::move(mappings);
  return c;
}

Status status_of(const std::vector<CheckItem>& items, const std::string& check) {
  for (const auto& i : items)
    if (i.check == check) return i.status;
  ADD_FAILURE() << "no check " << check;
  return Status::fail;
}

}  // namespace

TEST(OnlineCheckTest, MatchingTypesPass) {
  using T = config::PropertyType;
  auto c = cfg_with({{"hs_lead_name", "lead_name", T::string, config::Direction::both},
                     {"amount", "amount", T::number, config::Direction::both},
                     {"flag", "flag", T::boolean, config::Direction::both},
                     {"flag2", "flag2", T::boolean, config::Direction::both},
                     {"day", "day", T::date, config::Direction::both},
                     {"at", "at", T::datetime, config::Direction::both},
                     {"label", "label", T::enumeration, config::Direction::both}});
  auto items =
      check_properties(c, {prop("hs_lead_name", "string"), prop("amount", "number"), prop("flag", "bool"),
                           prop("flag2", "enumeration", "booleancheckbox"), prop("day", "date"),
                           prop("at", "datetime"), prop("label", "enumeration", "select")});
  for (const auto& i : items) EXPECT_EQ(i.status, Status::ok) << i.check << ": " << i.detail;
}

TEST(OnlineCheckTest, MissingIncompatibleAndReadOnlyPropertiesFail) {
  using T = config::PropertyType;
  auto c = cfg_with({{"nope", "nope", T::string, config::Direction::both},
                     {"amount", "amount", T::number, config::Direction::both},
                     {"hs_createdate", "created", T::datetime, config::Direction::both},
                     {"hs_score", "score", T::number, config::Direction::pull},
                     {"calc", "calc", T::number, config::Direction::push}});
  auto created = prop("hs_createdate", "datetime");
  created.read_only_value = true;
  auto score = prop("hs_score", "number");
  score.read_only_value = true;  // fine: only pulled
  auto calc = prop("calc", "number");
  calc.calculated = true;
  auto items = check_properties(c, {prop("amount", "string"), created, score, calc});
  EXPECT_EQ(status_of(items, "property nope"), Status::fail);
  EXPECT_EQ(status_of(items, "property amount"), Status::fail);
  EXPECT_EQ(status_of(items, "property hs_createdate"), Status::fail);
  EXPECT_EQ(status_of(items, "property hs_score"), Status::ok);
  EXPECT_EQ(status_of(items, "property calc"), Status::fail);
}

TEST(OnlineCheckTest, LooseFitsWarn) {
  using T = config::PropertyType;
  auto c = cfg_with({{"phone", "phone", T::string, config::Direction::both},
                     {"label", "label", T::string, config::Direction::both},
                     {"day", "day", T::date, config::Direction::both}});
  auto items = check_properties(
      c, {prop("phone", "phone_number"), prop("label", "enumeration", "select"), prop("day", "datetime")});
  EXPECT_EQ(status_of(items, "property phone"), Status::ok);
  EXPECT_EQ(status_of(items, "property label"), Status::warn);
  EXPECT_EQ(status_of(items, "property day"), Status::warn);
}

TEST(OnlineCheckTest, UniqueKeyProperty) {
  auto c = cfg_with({{"hs_lead_name", "lead_name", config::PropertyType::string, config::Direction::both}});
  c.hubspot.unique_key_property = "leadsync_key";
  auto base = prop("hs_lead_name", "string");
  EXPECT_EQ(status_of(check_properties(c, {base}), "unique key property leadsync_key"), Status::warn);
  c.hubspot.create_unique_key_property = false;
  EXPECT_EQ(status_of(check_properties(c, {base}), "unique key property leadsync_key"), Status::fail);
  auto key = prop("leadsync_key", "string");
  EXPECT_EQ(status_of(check_properties(c, {base, key}), "unique key property leadsync_key"), Status::fail);
  key.has_unique_value = true;
  EXPECT_EQ(status_of(check_properties(c, {base, key}), "unique key property leadsync_key"), Status::ok);
}

TEST(OnlineCheckTest, ExitCodes) {
  CheckReport r;
  r.items.push_back({Status::warn, "postgresql", "table x", "created at the next start"});
  EXPECT_EQ(r.exit_code(), kExitOk);
  r.items.push_back({Status::fail, "hubspot", "connection", "401"});
  r.unreachable = true;
  EXPECT_EQ(r.exit_code(), kExitUnavailable);
  r.items.push_back({Status::fail, "postgresql", "table x", "column y has type integer"});
  EXPECT_EQ(r.exit_code(), kExitConfig);
}
