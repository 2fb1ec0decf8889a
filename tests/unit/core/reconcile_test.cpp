// Table-driven tests of the pure reconciler: every row of docs/design.md#reconciliation, each conflict
// policy, directions, deletes, links, echoes, association sets, and the push-side plans.
#include "leadsync/core/reconcile.hpp"

#include <gtest/gtest.h>

namespace leadsync::core {
namespace {

using namespace std::chrono_literals;

const WallTime kT0 = from_epoch_ms(1'767'225'600'000);  // 2026-01-01

SyncMapping test_mapping() {
  SyncMapping m;
  m.properties = {
      {"hs_lead_name", "lead_name", PropertyType::string, Direction::both},
      {"hs_lead_label", "lead_label", PropertyType::enumeration, Direction::both},
      {"score", "score", PropertyType::number, Direction::pull},
      {"note", "note", PropertyType::string, Direction::push},
  };
  m.associations = {{"contacts", {578, 608}}, {"companies", {580, 610}}};
  return m;
}

AssociationKey contact(std::string id, int type = 578) {
  return {"contacts", std::move(id), type};
}
AssociationKey company(std::string id, int type = 580) {
  return {"companies", std::move(id), type};
}

// One lead in the three views with one property under test (hs_lead_label unless stated).
struct Scenario {
  std::string property = "hs_lead_label";
  std::optional<Value> base;  // outer nullopt: property never synced
  Value local;
  Value remote;
  bool local_changed = false;
  std::optional<WallTime> local_time, remote_time;
  ConflictPolicy policy = ConflictPolicy::newest_wins;

  PullPlan run(PullContext extra = {}) const {
    SyncPolicy pol{policy, RemoteDeletePolicy::archive};
    RemoteLead r{.id = "101"};
    r.values[property] = remote;
    r.updated_at = kT0 + 1h;
    if (remote_time) r.changed_at[property] = *remote_time;
    LocalLead l{.row_id = 7, .hubspot_id = "101", .sync_key = "k"};
    l.values[property] = local;
    if (local_changed) l.changed_at[property] = local_time.value_or(kT0 + 30min);
    extra.local = l;
    BaseState b{.hubspot_id = "101"};
    if (base) b.values[property] = *base;
    b.remote_updated_at = kT0;
    extra.base = b;
    return plan_pull(test_mapping(), pol, r, extra);
  }
};

struct Expect {
  std::optional<Value> local_update;  // nullopt: no local write of the property
  bool push = false;
  std::optional<std::optional<Side>> conflict;  // nullopt: no conflict; inner nullopt: manual
  std::optional<Value> new_base;                // nullopt: property absent from the new base
  bool enqueue = false;
};

struct Row {
  const char* name;
  Scenario s;
  Expect e;
};

class PullTableTest : public ::testing::TestWithParam<Row> {};

TEST_P(PullTableTest, DecidesLikeTheTable) {
  const auto& [name, s, e] = GetParam();
  PullPlan plan = s.run();
  auto upd = plan.local_updates.find(s.property);
  if (e.local_update) {
    ASSERT_NE(upd, plan.local_updates.end()) << name;
    EXPECT_EQ(upd->second, *e.local_update) << name;
    EXPECT_EQ(plan.action, PullAction::update_local) << name;
  } else {
    EXPECT_EQ(upd, plan.local_updates.end()) << name;
  }
  bool pushes = std::find(plan.push_properties.begin(), plan.push_properties.end(), s.property) !=
                plan.push_properties.end();
  EXPECT_EQ(pushes, e.push) << name;
  if (e.conflict) {
    ASSERT_EQ(plan.conflicts.size(), 1u) << name;
    EXPECT_EQ(plan.conflicts[0].winner, *e.conflict) << name;
    EXPECT_EQ(plan.conflicts[0].local, s.local) << name;
    EXPECT_EQ(plan.conflicts[0].remote, s.remote) << name;
  } else {
    EXPECT_TRUE(plan.conflicts.empty()) << name;
  }
  auto nb = plan.new_base.values.find(s.property);
  if (e.new_base) {
    ASSERT_NE(nb, plan.new_base.values.end()) << name;
    EXPECT_EQ(nb->second, *e.new_base) << name;
  } else {
    EXPECT_EQ(nb, plan.new_base.values.end()) << name;
  }
  EXPECT_EQ(plan.enqueue_push, e.enqueue) << name;
}

const Value A = "WARM", B = "HOT", C = "COLD";
constexpr auto kNone = std::nullopt;

INSTANTIATE_TEST_SUITE_P(
    Section4, PullTableTest,
    ::testing::Values(
        // l == r: in sync, base refreshed
        Row{"in_sync", {.base = A, .local = B, .remote = B}, {.new_base = B}},
        Row{"in_sync_unchanged", {.base = A, .local = A, .remote = A}, {.new_base = A}},
        Row{"in_sync_both_empty", {.base = A, .local = kNone, .remote = kNone}, {.new_base = Value{}}},
        // l == b, r != b: remote change applied locally
        Row{"remote_change", {.base = A, .local = A, .remote = B}, {.local_update = B, .new_base = B}},
        Row{"remote_clears",
            {.base = A, .local = A, .remote = kNone},
            {.local_update = Value{}, .new_base = Value{}}},
        // r == b, l != b: local change pushed (base kept until HubSpot confirms)
        Row{"local_change",
            {.base = A, .local = B, .remote = A, .local_changed = true},
            {.push = true, .new_base = A}},
        Row{"local_change_failed_earlier",
            {.base = A, .local = B, .remote = A},
            {.push = true, .new_base = A, .enqueue = true}},
        // both changed, differ: the policy decides
        Row{"conflict_remote_wins",
            {.base = A,
             .local = B,
             .remote = C,
             .local_changed = true,
             .policy = ConflictPolicy::remote_wins},
            {.local_update = C, .conflict = std::optional(Side::remote), .new_base = C}},
        Row{"conflict_local_wins",
            {.base = A, .local = B, .remote = C, .local_changed = true, .policy = ConflictPolicy::local_wins},
            {.push = true, .conflict = std::optional(Side::local), .new_base = A, .enqueue = true}},
        Row{"conflict_newest_local_newer",
            {.base = A,
             .local = B,
             .remote = C,
             .local_changed = true,
             .local_time = kT0 + 50min,
             .remote_time = kT0 + 40min},
            {.push = true, .conflict = std::optional(Side::local), .new_base = A, .enqueue = true}},
        Row{"conflict_newest_remote_newer",
            {.base = A,
             .local = B,
             .remote = C,
             .local_changed = true,
             .local_time = kT0 + 40min,
             .remote_time = kT0 + 50min},
            {.local_update = C, .conflict = std::optional(Side::remote), .new_base = C}},
        Row{"conflict_newest_tie_goes_to_hubspot",
            {.base = A,
             .local = B,
             .remote = C,
             .local_changed = true,
             .local_time = kT0 + 40min,
             .remote_time = kT0 + 40min},
            {.local_update = C, .conflict = std::optional(Side::remote), .new_base = C}},
        Row{"conflict_newest_without_history_uses_updated_at",
            {.base = A, .local = B, .remote = C, .local_changed = true, .local_time = kT0 + 2h},
            {.push = true, .conflict = std::optional(Side::local), .new_base = A, .enqueue = true}},
        Row{"conflict_manual",
            {.base = A, .local = B, .remote = C, .local_changed = true, .policy = ConflictPolicy::manual},
            {.conflict = std::optional<Side>(), .new_base = A}},
        // never synced (newly mapped property or linked row)
        Row{"no_base_takes_remote",
            {.base = std::nullopt, .local = kNone, .remote = B},
            {.local_update = B, .new_base = B}},
        Row{"no_base_local_edit_conflicts",
            {.base = std::nullopt,
             .local = A,
             .remote = B,
             .local_changed = true,
             .policy = ConflictPolicy::remote_wins},
            {.local_update = B, .conflict = std::optional(Side::remote), .new_base = B}},
        Row{"no_base_equal", {.base = std::nullopt, .local = B, .remote = B}, {.new_base = B}},
        // direction: pull-only columns mirror HubSpot, push-only columns are mirrored by HubSpot
        Row{"pull_only_overrides_local_edit",
            {.property = "score",
             .base = Value{"1"},
             .local = Value{"2"},
             .remote = Value{"1"},
             .local_changed = true},
            {.local_update = Value{"1"}, .new_base = Value{"1"}}},
        Row{"pull_only_remote_change",
            {.property = "score", .base = Value{"1"}, .local = Value{"1"}, .remote = Value{"3"}},
            {.local_update = Value{"3"}, .new_base = Value{"3"}}},
        Row{"push_only_remote_drift_is_overwritten",
            {.property = "note", .base = Value{"x"}, .local = Value{"x"}, .remote = Value{"y"}},
            {.push = true, .new_base = Value{"y"}, .enqueue = true}},
        Row{"push_only_local_change",
            {.property = "note",
             .base = Value{"x"},
             .local = Value{"z"},
             .remote = Value{"x"},
             .local_changed = true},
            {.push = true, .new_base = Value{"x"}}},
        Row{"push_only_conflict_local_wins_silently",
            {.property = "note",
             .base = Value{"x"},
             .local = Value{"z"},
             .remote = Value{"y"},
             .local_changed = true},
            {.push = true, .new_base = Value{"x"}}},
        Row{"push_only_new_empty_column_never_clears_hubspot",
            {.property = "note", .base = std::nullopt, .local = kNone, .remote = Value{"y"}},
            {.new_base = Value{"y"}}}),
    [](const auto& row_info) { return std::string(row_info.param.name); });

TEST(PullPlanTest, ManualConflictAlreadyOpenIsNotRecordedAgain) {
  Scenario s{.base = A, .local = B, .remote = C, .local_changed = true, .policy = ConflictPolicy::manual};
  PullContext ctx;
  ctx.open_manual_conflicts = {"hs_lead_label"};
  auto plan = s.run(ctx);
  EXPECT_TRUE(plan.conflicts.empty());
  EXPECT_TRUE(plan.local_updates.empty());
  EXPECT_TRUE(plan.push_properties.empty());
  EXPECT_EQ(plan.new_base.values.at("hs_lead_label"), A);
}

TEST(PullPlanTest, OperatorResolutionOfManualConflictIsApplied) {
  Scenario s{.base = A, .local = B, .remote = C, .local_changed = true, .policy = ConflictPolicy::manual};
  PullContext ctx;
  ctx.open_manual_conflicts = {"hs_lead_label"};
  ctx.manual_resolutions = {{"hs_lead_label", Side::local}};
  auto plan = s.run(ctx);
  ASSERT_EQ(plan.conflicts.size(), 1u);
  EXPECT_EQ(plan.conflicts[0].winner, Side::local);
  EXPECT_EQ(plan.push_properties, std::vector<std::string>{"hs_lead_label"});
  EXPECT_EQ(plan.resolved_conflicts, std::vector<std::string>{"hs_lead_label"});
}

TEST(PullPlanTest, ConvergedManualConflictIsResolved) {
  Scenario s{.base = A, .local = C, .remote = C, .local_changed = true, .policy = ConflictPolicy::manual};
  PullContext ctx;
  ctx.open_manual_conflicts = {"hs_lead_label"};
  auto plan = s.run(ctx);
  EXPECT_EQ(plan.resolved_conflicts, std::vector<std::string>{"hs_lead_label"});
  EXPECT_EQ(plan.action, PullAction::none);
}

TEST(PullPlanTest, EchoOfOwnWriteChangesNothing) {
  Scenario s{.base = B, .local = B, .remote = B};
  auto plan = s.run();
  EXPECT_EQ(plan.action, PullAction::none);
  EXPECT_TRUE(plan.echo);  // updated_at moved (kT0 -> kT0+1h) but nothing synced differs
  EXPECT_TRUE(plan.conflicts.empty());
}

TEST(PullPlanTest, OwnWriteWithTheUpdatedAtWeStoredIsAnEcho) {
  Scenario s{.base = B, .local = B, .remote = B};
  RemoteLead r{.id = "101"};
  r.values["hs_lead_label"] = B;
  r.updated_at = kT0;  // the updatedAt HubSpot answered our PATCH with, already in the base
  PullContext ctx;
  ctx.local = LocalLead{.row_id = 7, .hubspot_id = "101", .sync_key = "k"};
  ctx.local->values["hs_lead_label"] = B;
  ctx.base = BaseState{.hubspot_id = "101", .remote_updated_at = kT0};
  ctx.base->values["hs_lead_label"] = B;
  EXPECT_TRUE(plan_pull(test_mapping(), {}, r, ctx).echo);
  r.updated_at = kT0 - 1h;  // older than the base: a stale read, not an echo
  EXPECT_FALSE(plan_pull(test_mapping(), {}, r, ctx).echo);
}

TEST(PullPlanTest, RealRemoteChangeIsNotAnEcho) {
  Scenario s{.base = A, .local = A, .remote = B};
  EXPECT_FALSE(s.run().echo);
}

TEST(PullPlanTest, NewRemoteLeadCreatesLocalRowWithoutPushOnlyColumns) {
  RemoteLead r{.id = "55"};
  r.values = {{"hs_lead_name", "Ada"}, {"hs_lead_label", "HOT"}, {"score", "3"}, {"note", "remote note"}};
  r.updated_at = kT0;
  r.associations = AssociationSet{contact("9"), contact("9", 608), {"deals", "4", 582}};
  auto plan = plan_pull(test_mapping(), {}, r, {});
  EXPECT_EQ(plan.action, PullAction::create_local);
  EXPECT_EQ(plan.local_updates.size(), 3u);
  EXPECT_FALSE(plan.local_updates.contains("note"));
  EXPECT_EQ(plan.local_assoc_add, (AssociationSet{contact("9"), contact("9", 608)}));  // deals are not mapped
  EXPECT_EQ(plan.new_base.values.at("hs_lead_name"), Value("Ada"));
  EXPECT_EQ(plan.new_base.associations, plan.local_assoc_add);
}

TEST(PullPlanTest, SkipsArchivedRemoteAndPendingLocalDelete) {
  RemoteLead r{.id = "55", .archived = true};
  EXPECT_EQ(plan_pull(test_mapping(), {}, r, {}).action, PullAction::skip);
  r.archived = false;
  PullContext ctx;
  ctx.local_delete_pending = true;
  EXPECT_EQ(plan_pull(test_mapping(), {}, r, ctx).action, PullAction::skip);
}

TEST(PullPlanTest, MissingRowWithBaseIsNotResurrected) {
  RemoteLead r{.id = "55"};
  r.values = {{"hs_lead_name", "Ada"}};
  PullContext ctx;
  ctx.base = BaseState{.hubspot_id = "55"};
  auto plan = plan_pull(test_mapping(), {}, r, ctx);
  EXPECT_EQ(plan.action, PullAction::skip);
  EXPECT_FALSE(plan.skip_reason.empty());
}

TEST(PullPlanTest, RowFoundByUniqueKeyIsLinked) {
  RemoteLead r{.id = "55"};
  r.values = {{"hs_lead_name", "Ada"}};
  PullContext ctx;
  ctx.local = LocalLead{.row_id = 3, .sync_key = "k"};
  ctx.local->values = {{"hs_lead_name", "Ada"}};
  auto plan = plan_pull(test_mapping(), {}, r, ctx);
  EXPECT_TRUE(plan.link_row);
  EXPECT_EQ(plan.action, PullAction::update_local);
  EXPECT_EQ(plan.row_id, 3);
}

TEST(PullPlanTest, LocallyArchivedRowWaitsForItsPushButIsRestoredWhenHubSpotRestores) {
  RemoteLead r{.id = "55"};
  r.values = {{"hs_lead_name", "Ada"}};
  PullContext ctx;
  ctx.local = LocalLead{.row_id = 3, .hubspot_id = "55", .sync_key = "k", .archived = true};
  ctx.base = BaseState{.hubspot_id = "55"};
  EXPECT_EQ(plan_pull(test_mapping(), {}, r, ctx).action, PullAction::skip);
  ctx.base.reset();  // archived because HubSpot deleted it; now it is back
  auto plan = plan_pull(test_mapping(), {}, r, ctx);
  EXPECT_EQ(plan.action, PullAction::update_local);
  EXPECT_EQ(plan.set_archived, false);
}

TEST(PullPlanTest, RowArchivedBeforeItsCreateWasConfirmedIsNotRestoredByTheUnconfirmedCopy) {
  // Found by the unique key (no hubspot_id on the row, no base): the create reached HubSpot but the process
  // died before recording it, and the row was archived since. The push deletes the copy.
  RemoteLead r{.id = "56", .unique_key = "k"};
  r.values = {{"hs_lead_name", "Ada"}};
  PullContext ctx;
  ctx.local = LocalLead{.row_id = 3, .sync_key = "k", .archived = true};
  auto plan = plan_pull(test_mapping(), {}, r, ctx);
  EXPECT_EQ(plan.action, PullAction::skip);
  EXPECT_FALSE(plan.set_archived.has_value());
  EXPECT_NE(plan.skip_reason.find("before its create was confirmed"), std::string::npos) << plan.skip_reason;
}

// ---- associations as sets -----------------------------------------------------------------------

PullPlan assoc_plan(AssociationSet base, AssociationSet local, std::optional<AssociationSet> remote,
                    bool local_changed = false, bool base_known = true) {
  RemoteLead r{.id = "101"};
  r.associations = std::move(remote);
  PullContext ctx;
  ctx.local = LocalLead{.row_id = 1, .hubspot_id = "101", .sync_key = "k"};
  ctx.local->associations = std::move(local);
  ctx.local->associations_changed = local_changed;
  ctx.base = BaseState{.hubspot_id = "101"};
  if (base_known) ctx.base->associations = std::move(base);
  return plan_pull(test_mapping(), {}, r, ctx);
}

TEST(AssociationPullTest, RemoteAddAndRemoveAreAppliedLocally) {
  auto plan = assoc_plan({contact("1")}, {contact("1")}, AssociationSet{contact("2")});
  EXPECT_EQ(plan.local_assoc_add, AssociationSet{contact("2")});
  EXPECT_EQ(plan.local_assoc_remove, AssociationSet{contact("1")});
  EXPECT_EQ(plan.new_base.associations, AssociationSet{contact("2")});
  EXPECT_EQ(plan.action, PullAction::update_local);
}

TEST(AssociationPullTest, LocalChangesWaitForPush) {
  auto plan = assoc_plan({contact("1")}, {contact("1"), company("7")}, AssociationSet{contact("1")}, true);
  EXPECT_TRUE(plan.local_assoc_add.empty());
  EXPECT_TRUE(plan.push_associations);
  EXPECT_FALSE(plan.enqueue_push);
  EXPECT_EQ(plan.new_base.associations, AssociationSet{contact("1")});
}

TEST(AssociationPullTest, LocalChangeWithoutOutboxEntryIsEnqueued) {
  auto plan = assoc_plan({contact("1")}, {}, AssociationSet{contact("1")}, false);
  EXPECT_TRUE(plan.push_associations);
  EXPECT_TRUE(plan.enqueue_push);
}

TEST(AssociationPullTest, UnknownBaseMergesBothSidesWithoutRemoving) {
  auto plan =
      assoc_plan({}, {contact("1"), company("7")}, AssociationSet{contact("1"), contact("2", 608)}, true,
                 /*base_known=*/false);
  EXPECT_EQ(plan.local_assoc_add, AssociationSet{contact("2", 608)});
  EXPECT_TRUE(plan.local_assoc_remove.empty());
  EXPECT_TRUE(plan.push_associations);  // company 7 goes to HubSpot
}

TEST(AssociationPullTest, UnmappedTypesAndUnknownRemoteAreIgnored) {
  auto plan = assoc_plan({contact("1")}, {contact("1")}, AssociationSet{contact("1"), {"deals", "3", 582}});
  EXPECT_EQ(plan.action, PullAction::none);
  auto unknown = assoc_plan({contact("1")}, {contact("1")}, std::nullopt);
  EXPECT_EQ(unknown.new_base.associations, AssociationSet{contact("1")});
  EXPECT_EQ(unknown.action, PullAction::none);
}

// ---- push ---------------------------------------------------------------------------------------

LocalLead local_row(std::optional<std::string> hubspot_id) {
  LocalLead l{.row_id = 1, .hubspot_id = std::move(hubspot_id), .sync_key = "k"};
  l.values = {{"hs_lead_name", "Ada"}, {"hs_lead_label", "HOT"}, {"score", "4"}, {"note", "n"}};
  l.associations = {contact("9")};
  return l;
}

TEST(PushPlanTest, CreateSendsPushablePropertiesAndAssociationsInline) {
  PushContext ctx{.local = local_row(std::nullopt)};
  auto plan = plan_push(test_mapping(), ctx);
  EXPECT_EQ(plan.action, PushAction::create);
  EXPECT_TRUE(plan.failure.empty());
  EXPECT_EQ(plan.properties,
            (PropertyValues{{"hs_lead_name", "Ada"}, {"hs_lead_label", "HOT"}, {"note", "n"}}));
  EXPECT_EQ(plan.assoc_add, AssociationSet{contact("9")});
}

TEST(PushPlanTest, CreateWithoutPrimaryAssociationOrNameFailsClearly) {
  auto l = local_row(std::nullopt);
  l.associations = {contact("9", 608)};
  l.values["hs_lead_name"] = std::nullopt;
  auto plan = plan_push(test_mapping(), PushContext{.local = l});
  EXPECT_NE(plan.failure.find("primary association"), std::string::npos);
  EXPECT_NE(plan.failure.find("hs_lead_name"), std::string::npos);
}

TEST(PushPlanTest, UpdateSendsOnlyChangedPushablePropertiesAndAssociationDiff) {
  PushContext ctx{.local = local_row("101")};
  ctx.local->values["hs_lead_label"] = std::nullopt;  // cleared locally
  ctx.local->associations = {contact("9"), company("5")};
  ctx.base = BaseState{.hubspot_id = "101"};
  ctx.base->values = {{"hs_lead_name", "Ada"}, {"hs_lead_label", "HOT"}, {"score", "1"}, {"note", "n"}};
  ctx.base->associations = AssociationSet{contact("9"), contact("8", 608)};
  auto plan = plan_push(test_mapping(), ctx);
  EXPECT_EQ(plan.action, PushAction::update);
  EXPECT_EQ(plan.properties, (PropertyValues{{"hs_lead_label", std::nullopt}}));  // score is pull-only
  EXPECT_EQ(plan.assoc_add, AssociationSet{company("5")});
  EXPECT_EQ(plan.assoc_remove, AssociationSet{contact("8", 608)});

  ctx.blocked_properties = {"hs_lead_label"};
  ctx.local->associations = {contact("9"), contact("8", 608)};
  auto blocked = plan_push(test_mapping(), ctx);
  EXPECT_EQ(blocked.action, PushAction::none);
  EXPECT_FALSE(blocked.reason.empty());
}

TEST(PushPlanTest, DeletesAndArchives) {
  PushContext gone{.base = BaseState{.hubspot_id = "101"}};
  EXPECT_EQ(plan_push(test_mapping(), gone).action, PushAction::archive);
  EXPECT_EQ(plan_push(test_mapping(), gone).hubspot_id, "101");
  PushContext hint{.deleted_hubspot_id = "102"};
  EXPECT_EQ(plan_push(test_mapping(), hint).hubspot_id, "102");
  EXPECT_EQ(plan_push(test_mapping(), PushContext{}).action, PushAction::none);
  auto archived = local_row("101");
  archived.archived = true;
  EXPECT_EQ(plan_push(test_mapping(), PushContext{.local = archived, .base = BaseState{.hubspot_id = "101"}})
                .action,
            PushAction::archive);
  EXPECT_EQ(plan_push(test_mapping(), PushContext{.local = archived}).action, PushAction::none);
  // The row's own lead is gone already; a late copy of its create, queued by the pull, is deleted.
  EXPECT_EQ(plan_push(test_mapping(), PushContext{.local = archived, .deleted_hubspot_id = "101"}).action,
            PushAction::none);
  auto copy = plan_push(test_mapping(), PushContext{.local = archived, .deleted_hubspot_id = "177"});
  EXPECT_EQ(copy.action, PushAction::archive);
  EXPECT_EQ(copy.hubspot_id, "177");
}

TEST(PushPlanTest, BaseAfterPushRecordsWhatHubSpotConfirmed) {
  PushContext ctx{.local = local_row(std::nullopt)};
  auto create = plan_push(test_mapping(), ctx);
  auto b = base_after_push(create, std::nullopt, "300", kT0);
  EXPECT_EQ(b.hubspot_id, "300");
  EXPECT_EQ(b.values.at("hs_lead_label"), Value("HOT"));
  EXPECT_EQ(b.associations, AssociationSet{contact("9")});
  EXPECT_EQ(b.remote_updated_at, kT0);

  PushPlan update{.action = PushAction::update, .hubspot_id = "300"};
  update.properties = {{"hs_lead_label", std::nullopt}};
  update.assoc_remove = {contact("9")};
  update.assoc_add = {company("1")};
  auto b2 = base_after_push(update, b, "300", kT0 + 1h);
  EXPECT_EQ(b2.values.at("hs_lead_label"), std::nullopt);
  EXPECT_EQ(b2.values.at("hs_lead_name"), Value("Ada"));
  EXPECT_EQ(b2.associations, AssociationSet{company("1")});
  EXPECT_EQ(b2.changed_at.at("hs_lead_label"), kT0 + 1h);
}

}  // namespace
}  // namespace leadsync::core
