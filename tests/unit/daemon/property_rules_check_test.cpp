#include "property_rules_check.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace leadsync;
using namespace leadsync::daemon;
using Status = CheckItem::Status;
using testing::HasSubstr;

namespace {

hubspot::PropertyValidationRule rule(std::string type, std::vector<std::string> args = {}) {
  return {std::move(type), std::move(args)};
}

config::AppConfig config_with_key() {
  using T = config::PropertyType;
  config::AppConfig c;
  c.mappings = {{"hs_lead_name", "lead_name", T::string, config::Direction::both},
                {"score", "score", T::number, config::Direction::pull},
                {"amount", "amount", T::number, config::Direction::push}};
  c.hubspot.unique_key_property = "leadsync_key";
  return c;
}

const CheckItem* find(const std::vector<CheckItem>& items, const std::string& check) {
  for (const auto& i : items)
    if (i.check == check) return &i;
  return nullptr;
}

}  // namespace

TEST(PropertyRulesCheckTest, RulesOnPushedPropertiesAreWarningsThatNameThem) {
  auto items = check_validation_rules(
      config_with_key(),
      {{"hs_lead_name", {rule("MAX_LENGTH", {"20"}), rule("ALPHANUMERIC", {"NUMERIC_ONLY"})}},
       {"amount", {rule("MIN_NUMBER", {"1"})}},
       {"unmapped", {rule("MAX_LENGTH", {"5"})}}});
  ASSERT_EQ(items.size(), 2u);
  const auto* name = find(items, "validation rules of hs_lead_name");
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name->status, Status::warn);
  EXPECT_THAT(name->detail, HasSubstr("MAX_LENGTH 20 (at most 20 characters); ALPHANUMERIC NUMERIC_ONLY "
                                      "(digits only)"));
  EXPECT_THAT(name->detail, HasSubstr("a row whose lead_name breaks one goes FAILED"));
  const auto* amount = find(items, "validation rules of amount");
  ASSERT_NE(amount, nullptr);
  EXPECT_THAT(amount->detail, HasSubstr("MIN_NUMBER 1 (at least 1)"));
}

TEST(PropertyRulesCheckTest, RulesOnPullOnlyPropertiesDoNotConcernLeadsync) {
  auto items = check_validation_rules(config_with_key(), {{"score", {rule("MAX_NUMBER", {"100"})}}});
  EXPECT_TRUE(items.empty());
}

TEST(PropertyRulesCheckTest, AUniqueKeyRuleNoUuidCanPassFails) {
  for (const auto& r : {rule("MAX_LENGTH", {"20"}), rule("MIN_LENGTH", {"40"}),
                        rule("ALPHANUMERIC", {"NUMERIC_ONLY"}), rule("EMAIL")}) {
    SCOPED_TRACE(r.rule_type);
    auto items = check_validation_rules(config_with_key(), {{"leadsync_key", {r}}});
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items[0].status, Status::fail);
    EXPECT_THAT(items[0].detail, HasSubstr("would refuse it on every create"));
    EXPECT_THAT(items[0].detail, HasSubstr(r.rule_type));
  }
}

TEST(PropertyRulesCheckTest, AUniqueKeyRuleAUuidPassesOrThatLeadsyncCannotJudgeIsNoFailure) {
  auto ok = check_validation_rules(
      config_with_key(), {{"leadsync_key", {rule("MAX_LENGTH", {"36"}), rule("MIN_LENGTH", {"36"})}}});
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ok[0].status, Status::ok) << ok[0].detail;
  auto unknown =
      check_validation_rules(config_with_key(), {{"leadsync_key", {rule("REGEX", {"^[a-f0-9-]+$"})}}});
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0].status, Status::warn);
  EXPECT_THAT(unknown[0].detail, HasSubstr("cannot tell whether a UUID passes REGEX"));
}

TEST(PropertyRulesCheckTest, UuidVerdictsAndDescriptions) {
  EXPECT_EQ(uuid_verdict(rule("MAX_LENGTH", {"35"})), RuleVerdict::broken);
  EXPECT_EQ(uuid_verdict(rule("MAX_LENGTH", {"36"})), RuleVerdict::satisfied);
  EXPECT_EQ(uuid_verdict(rule("MAX_LENGTH", {"ten"})), RuleVerdict::unknown);
  EXPECT_EQ(uuid_verdict(rule("MAX_LENGTH")), RuleVerdict::unknown);
  EXPECT_EQ(uuid_verdict(rule("DAYS_OF_WEEK", {"MONDAY"})), RuleVerdict::unknown);
  EXPECT_EQ(describe_rule(rule("DECIMAL", {"2"})), "DECIMAL 2 (at most 2 decimal places)");
  EXPECT_EQ(describe_rule(rule("END_DATE", {"2027-01-01", "x"})), "END_DATE 2027-01-01, x");
}
