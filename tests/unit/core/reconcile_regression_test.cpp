// Regression tests for reconcile bugs found by the randomized convergence test
// (tests/integration/convergence). Each test names the seed that found it.
#include <gtest/gtest.h>

#include <algorithm>

#include "leadsync/core/reconcile.hpp"

namespace leadsync::core {
namespace {

using namespace std::chrono_literals;

const WallTime kT0 = from_epoch_ms(1'767'225'600'000);  // 2026-01-01

SyncMapping mapping() {
  SyncMapping m;
  m.properties = {{"hs_lead_name", "lead_name", PropertyType::string, Direction::both},
                  {"hs_lead_label", "lead_label", PropertyType::enumeration, Direction::both}};
  m.associations = {{"contacts", {578, 608}}};
  return m;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// The lead as last synced at kT0 + 2h: name "Pushed name" (leadsync just pushed it), label WARM.
PullContext synced_context() {
  PullContext ctx;
  BaseState b{.hubspot_id = "101"};
  b.values["hs_lead_name"] = "Pushed name";
  b.values["hs_lead_label"] = "WARM";
  b.remote_updated_at = kT0 + 2h;
  ctx.base = b;
  LocalLead l{.row_id = 7, .hubspot_id = "101", .sync_key = "k"};
  l.values = b.values;
  ctx.local = l;
  return ctx;
}

// Seed 31: HubSpot's search index lags; a search right after a push returns the lead as it was BEFORE the
// push. Taken as a remote change, that older snapshot reverted the row (newest_wins, remote_wins) or opened
// a conflict that blocked the push for good (manual).
TEST(StaleRemoteSnapshotTest, AnOlderSnapshotThanTheBaseChangesNothing) {
  for (auto policy : {ConflictPolicy::newest_wins, ConflictPolicy::remote_wins, ConflictPolicy::local_wins,
                      ConflictPolicy::manual}) {
    RemoteLead stale{.id = "101"};
    stale.values["hs_lead_name"] = "Name before the push";
    stale.values["hs_lead_label"] = "WARM";
    stale.updated_at = kT0 + 1h;  // older than the base
    auto ctx = synced_context();
    ctx.local->values["hs_lead_label"] = "COLD";  // and a local edit waiting for its push
    ctx.local->changed_at["hs_lead_label"] = kT0 + 3h;
    auto plan = plan_pull(mapping(), SyncPolicy{policy, RemoteDeletePolicy::archive}, stale, ctx);
    EXPECT_EQ(plan.action, PullAction::skip) << to_string(policy);
    EXPECT_TRUE(plan.local_updates.empty()) << to_string(policy);
    EXPECT_TRUE(plan.conflicts.empty()) << to_string(policy);
    EXPECT_FALSE(plan.enqueue_push) << to_string(policy);
  }
}

TEST(StaleRemoteSnapshotTest, ASnapshotAsNewAsTheBaseOrNewerIsReconciled) {
  for (auto at : {kT0 + 2h, kT0 + 3h}) {
    RemoteLead r{.id = "101"};
    r.values["hs_lead_name"] = "Edited in HubSpot";
    r.values["hs_lead_label"] = "WARM";
    r.updated_at = at;
    auto plan = plan_pull(mapping(), SyncPolicy{}, r, synced_context());
    EXPECT_EQ(plan.action, PullAction::update_local);
    EXPECT_EQ(plan.local_updates.at("hs_lead_name"), Value("Edited in HubSpot"));
  }
}

TEST(StaleRemoteSnapshotTest, AnAssociationOnlyReadWithoutTimestampIsNotStale) {
  RemoteLead r{.id = "101"};
  r.associations = AssociationSet{{"contacts", "9", 578}, {"contacts", "9", 608}};
  auto ctx = synced_context();
  ctx.base->associations = AssociationSet{{"contacts", "9", 578}};
  ctx.local->associations = AssociationSet{{"contacts", "9", 578}};
  auto plan = plan_pull(mapping(), SyncPolicy{}, r, ctx);
  EXPECT_EQ(plan.action, PullAction::update_local);
  EXPECT_TRUE(plan.local_assoc_add.contains(AssociationKey{"contacts", "9", 608}));
}

// Seed 31: an open manual conflict whose remote side went back to the base is no conflict any more: only the
// local side changed. It stayed open, blocked the push of the local value, and every pull enqueued a push
// that the push phase then dropped as MERGED (one more outbox row per cycle, forever).
TEST(MootManualConflictTest, RemoteBackAtTheBaseSettlesTheConflictAndPushesTheLocalValue) {
  auto ctx = synced_context();
  ctx.local->values["hs_lead_label"] = "COLD";  // its outbox row was MERGED while the conflict blocked it
  ctx.open_manual_conflicts = {"hs_lead_label"};
  RemoteLead r{.id = "101"};
  r.values = ctx.base->values;  // HubSpot holds the base value again
  r.updated_at = kT0 + 3h;
  auto plan = plan_pull(mapping(), SyncPolicy{ConflictPolicy::manual, RemoteDeletePolicy::archive}, r, ctx);
  EXPECT_TRUE(contains(plan.resolved_conflicts, "hs_lead_label"));
  EXPECT_TRUE(contains(plan.push_properties, "hs_lead_label"));
  EXPECT_TRUE(plan.enqueue_push);
  EXPECT_TRUE(plan.conflicts.empty());
}

// Seed 983. The other way round it is no moot conflict: the row's value can only be back at the base because
// it was written there (A -> B -> A while HubSpot changed it, or back after the conflict opened), so both
// sides still differ from each other and the conflict stays open. Settled as "changed in HubSpot only",
// HubSpot's value overwrote the local write once the blocked push had completed its outbox rows.
TEST(MootManualConflictTest, LocalBackAtTheBaseKeepsTheConflictOpenAndTheRowAsItIs) {
  auto ctx = synced_context();  // the row holds the base value, with no pending change
  ctx.open_manual_conflicts = {"hs_lead_label"};
  RemoteLead r{.id = "101"};
  r.values = ctx.base->values;
  r.values["hs_lead_label"] = "HOT";
  r.updated_at = kT0 + 3h;
  auto plan = plan_pull(mapping(), SyncPolicy{ConflictPolicy::manual, RemoteDeletePolicy::archive}, r, ctx);
  EXPECT_FALSE(contains(plan.resolved_conflicts, "hs_lead_label"));
  EXPECT_FALSE(plan.local_updates.contains("hs_lead_label"));
  EXPECT_TRUE(plan.conflicts.empty());  // already recorded
  EXPECT_FALSE(contains(plan.push_properties, "hs_lead_label"));
  EXPECT_EQ(plan.new_base.values.at("hs_lead_label"), Value("WARM"));

  ctx.manual_resolutions = {{"hs_lead_label", Side::remote}};  // the operator's choice settles it
  plan = plan_pull(mapping(), SyncPolicy{ConflictPolicy::manual, RemoteDeletePolicy::archive}, r, ctx);
  EXPECT_TRUE(contains(plan.resolved_conflicts, "hs_lead_label"));
  EXPECT_EQ(plan.local_updates.at("hs_lead_label"), Value("HOT"));
}

// Seed 55. With no base value for a property (never synced) and an open manual conflict on it, the local
// change's outbox rows had been dropped as MERGED (the push was blocked), so the next pull saw "no local
// change" and silently overwrote the local value with HubSpot's, losing the edit the conflict was about.
TEST(MootManualConflictTest, AnOpenConflictWithoutBaseKeepsTheLocalValueAfterItsOutboxRowsWereMerged) {
  auto ctx = synced_context();
  ctx.base->values.erase("hs_lead_label");
  ctx.local->values["hs_lead_label"] = "HOT";  // no pending change: its rows were MERGED while blocked
  ctx.open_manual_conflicts = {"hs_lead_label"};
  RemoteLead r{.id = "101"};
  r.values = ctx.base->values;
  r.values["hs_lead_label"] = std::nullopt;
  r.updated_at = kT0 + 3h;
  auto plan = plan_pull(mapping(), SyncPolicy{ConflictPolicy::manual, RemoteDeletePolicy::archive}, r, ctx);
  EXPECT_FALSE(plan.local_updates.contains("hs_lead_label"));
  EXPECT_FALSE(contains(plan.resolved_conflicts, "hs_lead_label"));
  EXPECT_FALSE(plan.new_base.values.contains("hs_lead_label"));
}

// Seed 84 (newest_wins). The row was edited back to the base value (WARM -> COLD -> WARM) after HubSpot
// changed the property (HOT): "local = base" was taken for "changed in HubSpot only", so HubSpot's older
// value overwrote the newer local write without any conflict or timestamp comparison.
TEST(LocalWriteBackToTheBaseTest, NewestWinsComparesTheTimesAndPushesTheNewerLocalWrite) {
  auto ctx = synced_context();
  ctx.local->changed_at["hs_lead_label"] = kT0 + 4h;  // written COLD, then WARM again (the base value)
  RemoteLead r{.id = "101"};
  r.values = ctx.base->values;
  r.values["hs_lead_label"] = "HOT";
  r.updated_at = kT0 + 3h;
  r.changed_at["hs_lead_label"] = kT0 + 3h;  // before the local write
  auto plan =
      plan_pull(mapping(), SyncPolicy{ConflictPolicy::newest_wins, RemoteDeletePolicy::archive}, r, ctx);
  ASSERT_EQ(plan.conflicts.size(), 1u);
  EXPECT_EQ(plan.conflicts[0].winner, Side::local);
  EXPECT_FALSE(plan.local_updates.contains("hs_lead_label"));
  EXPECT_TRUE(contains(plan.push_properties, "hs_lead_label"));
  EXPECT_TRUE(plan.enqueue_push);
  // The base records what HubSpot holds, so the push phase sees the local value differ and sends it.
  EXPECT_EQ(plan.new_base.values.at("hs_lead_label"), Value("HOT"));
  PushContext push{.local = ctx.local, .base = plan.new_base};
  auto pushed = plan_push(mapping(), push);
  EXPECT_EQ(pushed.action, PushAction::update);
  EXPECT_EQ(pushed.properties.at("hs_lead_label"), Value("WARM"));
}

// The same write-back under every policy is a conflict the policy decides: newest_wins by the times (an older
// local write, e.g. a stale outbox row, loses), remote_wins for HubSpot, local_wins for the row (seed 222:
// the HubSpot value was leadsync's own push of the intermediate value, cut off by a kill and landed late;
// taken for a HubSpot change it overwrote the newer local write), manual touches neither side.
TEST(LocalWriteBackToTheBaseTest, EveryPolicyDecidesItAsAConflict) {
  for (auto policy : {ConflictPolicy::newest_wins, ConflictPolicy::remote_wins, ConflictPolicy::local_wins,
                      ConflictPolicy::manual}) {
    auto ctx = synced_context();
    ctx.local->changed_at["hs_lead_label"] = kT0 + 150min;
    RemoteLead r{.id = "101"};
    r.values = ctx.base->values;
    r.values["hs_lead_label"] = "HOT";
    r.updated_at = kT0 + 3h;
    r.changed_at["hs_lead_label"] = kT0 + 3h;  // after the local write
    auto plan = plan_pull(mapping(), SyncPolicy{policy, RemoteDeletePolicy::archive}, r, ctx);
    ASSERT_EQ(plan.conflicts.size(), 1u) << to_string(policy);
    const bool remote_wins = policy == ConflictPolicy::newest_wins || policy == ConflictPolicy::remote_wins;
    if (remote_wins) {
      ASSERT_TRUE(plan.local_updates.contains("hs_lead_label")) << to_string(policy);
      EXPECT_EQ(plan.local_updates.at("hs_lead_label"), Value("HOT")) << to_string(policy);
      EXPECT_FALSE(contains(plan.push_properties, "hs_lead_label")) << to_string(policy);
    } else {
      EXPECT_FALSE(plan.local_updates.contains("hs_lead_label")) << to_string(policy);
      EXPECT_EQ(contains(plan.push_properties, "hs_lead_label"), policy == ConflictPolicy::local_wins)
          << to_string(policy);
    }
  }
}

}  // namespace
}  // namespace leadsync::core
