// The association push planner: which pairs are read first, and which batch inputs each change becomes.
#include "association_push.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace leadsync::hubspot::detail {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

core::SyncMapping mapping() {
  core::SyncMapping m;
  m.associations = {{"contacts", {578, 608}}, {"companies", {580, 610}}};
  return m;
}

// What GET .../labels lists, as fake-hubspot's portal has it (101/103 are labels a person made).
TypeCategories categories() {
  return {{"contacts", {{578, "HUBSPOT_DEFINED"}, {608, "HUBSPOT_DEFINED"}, {101, "USER_DEFINED"}}},
          {"companies", {{580, "HUBSPOT_DEFINED"}, {610, "HUBSPOT_DEFINED"}, {103, "USER_DEFINED"}}}};
}

core::AssociationKey contact(const std::string& id, int type) {
  return {"contacts", id, type};
}
core::AssociationKey company(const std::string& id, int type) {
  return {"companies", id, type};
}

// (to id, [(category, type id)]) of each input, for readable expectations.
std::vector<std::pair<std::string, std::vector<std::pair<std::string, int>>>> pairs(
    const std::vector<PlannedInput>& in) {
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, int>>>> out;
  for (const auto& p : in) {
    std::vector<std::pair<std::string, int>> types;
    for (const auto& t : p.input.types) types.emplace_back(t.category, t.type_id);
    out.emplace_back(p.input.to_id, types);
  }
  return out;
}

using Types = std::vector<std::pair<std::string, int>>;

TEST(AssociationPushPlan, AddingToAnExistingPairResendsItsUnmappedLabel) {
  core::AssociationChange c{"1", {contact("7", 578)}, {}, {contact("7", 578), contact("7", 608)}};
  CurrentAssociations now{{"contacts", {{"1", {{"7", {608, 101}}}}}}};
  auto plan = plan_writes({c}, mapping(), now, categories(), {});
  EXPECT_THAT(plan.failed, IsEmpty());
  EXPECT_THAT(pairs(plan.by_type["contacts"].create),
              ElementsAre(std::pair{
                  std::string("7"),
                  Types{{"USER_DEFINED", 101}, {"HUBSPOT_DEFINED", 578}, {"HUBSPOT_DEFINED", 608}}}));
  EXPECT_THAT(plan.by_type["contacts"].archive_labels, IsEmpty());
  EXPECT_THAT(plan.by_type["contacts"].archive_pairs, IsEmpty());
}

TEST(AssociationPushPlan, RemovedLabelOfAKeptPairGoesAloneAndTheUnlabeledTypeIsNeverSent) {
  // Pair 7 keeps 608 and loses 578; pair 8 keeps 578 and loses 608, which HubSpot cannot drop without
  // dropping the pair.
  core::AssociationChange c{
      "1", {}, {contact("7", 578), contact("8", 608)}, {contact("7", 608), contact("8", 578)}};
  auto plan = plan_writes({c}, mapping(), {}, categories(), {});
  EXPECT_THAT(pairs(plan.by_type["contacts"].archive_labels),
              ElementsAre(std::pair{std::string("7"), Types{{"HUBSPOT_DEFINED", 578}}}));
  EXPECT_THAT(plan.by_type["contacts"].create, IsEmpty());
  EXPECT_THAT(plan.by_type["contacts"].archive_pairs, IsEmpty());
  EXPECT_THAT(plan_reads({c}, {}), IsEmpty()) << "no read is needed to drop one label of a kept pair";
}

TEST(AssociationPushPlan, DroppedPairWithAnUnmappedLabelLosesOnlyItsMappedLabels) {
  core::AssociationChange c{"1", {}, {company("9", 580), company("9", 610)}, {contact("7", 578)}};
  CurrentAssociations now{{"companies", {{"1", {{"9", {580, 610, 103}}}}}}};
  auto plan = plan_writes({c}, mapping(), now, categories(), {});
  EXPECT_THAT(pairs(plan.by_type["companies"].archive_labels),
              ElementsAre(std::pair{std::string("9"), Types{{"HUBSPOT_DEFINED", 580}}}));
  EXPECT_THAT(plan.by_type["companies"].archive_pairs, IsEmpty()) << "the person's label keeps the pair";
}

TEST(AssociationPushPlan, DroppedPairWithOnlyMappedTypesIsArchivedWhole) {
  core::AssociationChange c{"1", {}, {company("9", 580), company("9", 610)}, {contact("7", 578)}};
  CurrentAssociations now{{"companies", {{"1", {{"9", {580, 610}}}}}}};
  auto plan = plan_writes({c}, mapping(), now, categories(), {});
  EXPECT_THAT(pairs(plan.by_type["companies"].archive_pairs),
              ElementsAre(std::pair{std::string("9"), Types{}}));
  EXPECT_THAT(plan.by_type["companies"].archive_labels, IsEmpty());
}

TEST(AssociationPushPlan, DroppedPairHubSpotNoLongerHasIsNotSent) {
  core::AssociationChange c{"1", {}, {company("9", 580)}, {contact("7", 578)}};
  CurrentAssociations now{{"companies", {{"1", {}}}}};
  auto plan = plan_writes({c}, mapping(), now, categories(), {});
  EXPECT_THAT(plan.by_type["companies"].archive_pairs, IsEmpty());
  EXPECT_THAT(plan.by_type["companies"].archive_labels, IsEmpty());
}

TEST(AssociationPushPlan, PrimarySwitchCreatesBeforeItRemovesAndKeepsTheOldPrimaryInAnyCreate) {
  // The new primary goes to contact 8; contact 7 keeps its unlabeled association and gains nothing.
  core::AssociationChange c{"1",
                            {contact("8", 578), contact("8", 608)},
                            {contact("7", 578)},
                            {contact("7", 608), contact("8", 578), contact("8", 608)}};
  CurrentAssociations now{{"contacts", {{"1", {{"7", {578, 608}}}}}}};
  auto plan = plan_writes({c}, mapping(), now, categories(), {});
  const auto& w = plan.by_type["contacts"];
  EXPECT_THAT(
      pairs(w.create),
      ElementsAre(std::pair{std::string("8"), Types{{"HUBSPOT_DEFINED", 578}, {"HUBSPOT_DEFINED", 608}}}));
  EXPECT_THAT(pairs(w.archive_labels),
              ElementsAre(std::pair{std::string("7"), Types{{"HUBSPOT_DEFINED", 578}}}));
}

TEST(AssociationPushPlan, AddAndRemoveOnOnePairCreateWithTheRemovedTypeThenArchiveIt) {
  // A create replaces the pair's labels: leaving 578 out of it would drop the primary before anything else
  // ran, so it stays in the create and goes with labels/archive afterwards.
  core::AssociationChange c{"1", {contact("7", 101)}, {contact("7", 578)}, {contact("7", 608)}};
  core::SyncMapping m = mapping();
  m.associations[0].type_ids.push_back(101);
  CurrentAssociations now{{"contacts", {{"1", {{"7", {578, 608}}}}}}};
  auto plan = plan_writes({c}, m, now, categories(), {});
  EXPECT_THAT(pairs(plan.by_type["contacts"].create),
              ElementsAre(std::pair{
                  std::string("7"),
                  Types{{"USER_DEFINED", 101}, {"HUBSPOT_DEFINED", 578}, {"HUBSPOT_DEFINED", 608}}}));
  EXPECT_THAT(pairs(plan.by_type["contacts"].archive_labels),
              ElementsAre(std::pair{std::string("7"), Types{{"HUBSPOT_DEFINED", 578}}}));
}

TEST(AssociationPushPlan, ReadsOnlyLeadsThatAddOrDropAPairOncePerTargetType) {
  std::vector<core::AssociationChange> changes{
      {"1", {contact("7", 608)}, {}, {contact("7", 608)}},
      {"2", {}, {contact("8", 578)}, {contact("8", 608)}},  // label of a kept pair: no read
      {"3", {}, {company("9", 580)}, {}},                   // pair dropped
      {"4", {contact("5", 608), contact("6", 608)}, {}, {contact("5", 608), contact("6", 608)}},
      {"5", {contact("5", 608)}, {}, {contact("5", 608)}},  // skipped (failed already)
  };
  auto reads = plan_reads(changes, {4});
  EXPECT_THAT(reads,
              UnorderedElementsAre(std::pair{std::string("contacts"), std::vector<std::string>{"1", "4"}},
                                   std::pair{std::string("companies"), std::vector<std::string>{"3"}}));
  EXPECT_THAT(touched_types(changes, {}), UnorderedElementsAre("contacts", "companies"));
}

TEST(AssociationPushPlan, UnknownTypeFailsOnlyItsChangeAndAsksForARefresh) {
  std::vector<core::AssociationChange> changes{
      {"1", {contact("7", 608)}, {}, {contact("7", 608)}},
      {"2", {contact("8", 608)}, {}, {contact("8", 608)}},
  };
  CurrentAssociations now{{"contacts", {{"1", {{"7", {999}}}}, {"2", {}}}}};
  auto plan = plan_writes(changes, mapping(), now, categories(), {});
  EXPECT_THAT(plan.unknown_types, ElementsAre("contacts"));
  ASSERT_EQ(plan.failed.size(), 1u);
  EXPECT_TRUE(plan.failed.at(0).is_record());
  EXPECT_THAT(pairs(plan.by_type["contacts"].create),
              ElementsAre(std::pair{std::string("8"), Types{{"HUBSPOT_DEFINED", 608}}}));
}

TEST(AssociationPushPlan, IdsThatAreNotRecordIdsAreRefusedBeforeAnythingIsSent) {
  std::vector<core::AssociationChange> changes{
      {"1/../2", {contact("7", 608)}, {}, {}},
      {"1", {contact("7x", 608)}, {}, {}},
      {"1", {contact("7", 608)}, {}, {}},
  };
  auto bad = invalid_changes(changes);
  ASSERT_EQ(bad.size(), 2u);
  EXPECT_TRUE(bad.at(0).is_record());
  EXPECT_THAT(bad.at(0).what(), ::testing::HasSubstr("hubspot_id \"1/../2\" is not a HubSpot record id"));
  EXPECT_TRUE(bad.at(1).is_record());
  EXPECT_THAT(bad.at(1).what(), ::testing::HasSubstr("associated record id \"7x\""));
}

}  // namespace
}  // namespace leadsync::hubspot::detail
