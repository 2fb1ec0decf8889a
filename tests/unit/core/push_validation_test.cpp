// plan_push refuses, before anything is sent, what HubSpot must reject: a lead name cleared on an update, and
// a property value longer than HubSpot's 65,536 characters (on create and update, counted in characters).
#include <gtest/gtest.h>

#include "leadsync/core/reconcile.hpp"
#include "leadsync/core/values.hpp"

namespace leadsync::core {
namespace {

SyncMapping mapping() {
  SyncMapping m;
  m.properties = {{"hs_lead_name", "lead_name", PropertyType::string, Direction::both},
                  {"hs_lead_label", "lead_label", PropertyType::enumeration, Direction::both}};
  m.associations = {{"contacts", {578}}};
  return m;
}

PushContext synced(Value name, Value label = "HOT") {
  PushContext ctx;
  ctx.local = LocalLead{.row_id = 1, .hubspot_id = "101", .sync_key = "k"};
  ctx.local->values = {{"hs_lead_name", std::move(name)}, {"hs_lead_label", std::move(label)}};
  ctx.local->associations = {{"contacts", "9", 578}};
  ctx.base = BaseState{.hubspot_id = "101"};
  ctx.base->values = {{"hs_lead_name", "Ada"}, {"hs_lead_label", "HOT"}};
  ctx.base->associations = ctx.local->associations;
  return ctx;
}

PushContext unsynced(Value name) {
  PushContext ctx;
  ctx.local = LocalLead{.row_id = 2, .sync_key = "k2"};
  ctx.local->values = {{"hs_lead_name", std::move(name)}};
  ctx.local->associations = {{"contacts", "9", 578}};
  return ctx;
}

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

TEST(PushValidationTest, ClearingTheNameOfASyncedLeadFails) {
  for (Value cleared : {Value(std::nullopt), Value("")}) {
    auto plan = plan_push(mapping(), synced(cleared));
    EXPECT_EQ(plan.action, PushAction::update);
    EXPECT_NE(plan.failure.find("hs_lead_name"), std::string::npos) << plan.failure;
    EXPECT_NE(plan.failure.find("requires"), std::string::npos) << plan.failure;
  }
}

TEST(PushValidationTest, AnUnchangedOrRenamedNameIsFine) {
  EXPECT_TRUE(plan_push(mapping(), synced("Ada", "COLD")).failure.empty());
  EXPECT_TRUE(plan_push(mapping(), synced("Grace")).failure.empty());
}

TEST(PushValidationTest, ValuesUpToTheLimitPassAndLongerOnesFailOnUpdateAndCreate) {
  EXPECT_TRUE(plan_push(mapping(), synced(repeat("y", 65536))).failure.empty());
  EXPECT_TRUE(plan_push(mapping(), synced(repeat("é", 65536))).failure.empty()) << "characters, not bytes";
  auto update = plan_push(mapping(), synced(repeat("x", 65537)));
  EXPECT_NE(update.failure.find("hs_lead_name is 65,537 characters long"), std::string::npos)
      << update.failure;
  EXPECT_NE(update.failure.find("65,536"), std::string::npos) << update.failure;
  auto create = plan_push(mapping(), unsynced(repeat("é", 70000)));
  EXPECT_EQ(create.action, PushAction::create);
  EXPECT_NE(create.failure.find("hs_lead_name is 70,000 characters long"), std::string::npos)
      << create.failure;
  EXPECT_TRUE(plan_push(mapping(), unsynced("Ada")).failure.empty());
}

// PostgreSQL's numeric and double precision hold NaN and +-Infinity; normalize_value leaves them as written.
// Before: sent to HubSpot as the text "NaN", where HubSpot's own parser may take it for a number.
TEST(PushValidationTest, ANumberColumnHoldingNaNOrInfinityFailsNamingTheColumn) {
  SyncMapping m = mapping();
  m.properties.push_back({"lead_score", "score", PropertyType::number, Direction::both});
  for (const char* raw : {"NaN", "Infinity", "-Infinity", "nan"}) {
    SCOPED_TRACE(raw);
    const Value v = normalize_value(PropertyType::number, std::string_view(raw));
    PushContext update = synced("Ada");
    update.base->values["lead_score"] = "3";
    update.local->values["lead_score"] = v;
    auto plan = plan_push(m, update);
    EXPECT_EQ(plan.action, PushAction::update);
    EXPECT_NE(plan.failure.find(std::string("column score holds ") + raw +
                                ", which HubSpot's number property lead_score cannot store"),
              std::string::npos)
        << plan.failure;
    PushContext create = unsynced("Ada");
    create.local->values["lead_score"] = v;
    EXPECT_NE(plan_push(m, create).failure.find("column score holds"), std::string::npos);
  }
  for (const char* fine : {"0", "-7", "42.5", "1e20", "-0.000001", "1E+3"}) {
    PushContext update = synced("Ada");
    update.base->values["lead_score"] = "3";
    update.local->values["lead_score"] = normalize_value(PropertyType::number, std::string_view(fine));
    const auto plan = plan_push(m, update);
    EXPECT_EQ(plan.action, PushAction::update) << fine;
    EXPECT_TRUE(plan.failure.empty()) << fine << ": " << plan.failure;
  }
  PushContext cleared = synced("Ada");
  cleared.local->values["lead_score"] = std::nullopt;
  cleared.base->values["lead_score"] = "5";
  const auto plan = plan_push(m, cleared);
  EXPECT_EQ(plan.action, PushAction::update);
  EXPECT_TRUE(plan.failure.empty()) << "NULL clears the property";
}

}  // namespace
}  // namespace leadsync::core
