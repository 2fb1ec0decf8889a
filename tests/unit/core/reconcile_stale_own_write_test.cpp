// leadsync's own superseded write arriving late in HubSpot (convergence seed 267): a run killed while its
// PATCH of name "n5" was in flight; the next run pushed the newer local edit "n7"; then the first PATCH
// landed and HubSpot held "n5" again. plan_pull must not take that for a change made in HubSpot.
#include <gtest/gtest.h>

#include <algorithm>

#include "leadsync/core/reconcile.hpp"

namespace leadsync::core {
namespace {

using namespace std::chrono_literals;

const WallTime kT0 = from_epoch_ms(1'767'225'600'000);  // 2026-01-01
const std::string kName = "hs_lead_name";
const std::string kOurApp = "42";

SyncMapping mapping() {
  SyncMapping m;
  m.properties = {{"hs_lead_name", "lead_name", PropertyType::string, Direction::both},
                  {"hs_lead_label", "lead_label", PropertyType::enumeration, Direction::both}};
  return m;
}

// Synced at kT0 + 2h with name "n7" (leadsync's confirmed push); "n5" was sent by an earlier push whose
// answer never came, and may land until kT0 + 3h.
PullContext synced_context() {
  PullContext ctx;
  BaseState b{.hubspot_id = "101"};
  b.values[kName] = "n7";
  b.values["hs_lead_label"] = "WARM";
  b.remote_updated_at = kT0 + 2h;
  b.superseded[kName] = {Value("n5")};
  b.superseded_until = kT0 + 3h;
  ctx.base = b;
  LocalLead l{.row_id = 7, .hubspot_id = "101", .sync_key = "k"};
  l.values = b.values;
  ctx.local = l;
  return ctx;
}

// HubSpot now holds "n5", written at `at` by `source` (history newest first: that write, then ours of "n7").
RemoteLead remote_with_n5(const std::string& source_type, const std::string& source_id, WallTime at,
                          bool with_history = true) {
  RemoteLead r{.id = "101"};
  r.values[kName] = "n5";
  r.values["hs_lead_label"] = "WARM";
  r.updated_at = at;
  if (with_history) {
    r.history[kName] = {{Value("n5"), at, source_type, source_id},
                        {Value("n7"), kT0 + 2h, "INTEGRATION", kOurApp}};
    r.history["hs_lead_label"] = {{Value("WARM"), kT0, "CRM_UI", "userId:1"}};
  }
  return r;
}

const ConflictPolicy kPolicies[] = {ConflictPolicy::newest_wins, ConflictPolicy::remote_wins,
                                    ConflictPolicy::local_wins, ConflictPolicy::manual};

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(StaleOwnWriteTest, OurSupersededValueLandingLateIsPushedOverNotTaken) {
  for (auto policy : kPolicies) {
    auto plan = plan_pull(mapping(), SyncPolicy{policy, RemoteDeletePolicy::archive},
                          remote_with_n5("INTEGRATION", kOurApp, kT0 + 2h + 5s), synced_context());
    EXPECT_EQ(plan.action, PullAction::none) << to_string(policy);
    EXPECT_TRUE(plan.local_updates.empty()) << to_string(policy) << ": the newer local write stays";
    EXPECT_TRUE(plan.conflicts.empty()) << to_string(policy);
    EXPECT_EQ(plan.stale_own_writes, std::vector<std::string>{kName}) << to_string(policy);
    // HubSpot holds n5: that is the base now, so the push sees the row's n7 differ and sends it again.
    EXPECT_EQ(plan.new_base.values.at(kName), Value("n5")) << to_string(policy);
    EXPECT_TRUE(contains(plan.push_properties, kName)) << to_string(policy);
    EXPECT_TRUE(plan.enqueue_push) << to_string(policy) << ": no outbox row exists for the row's value";
    EXPECT_FALSE(plan.echo) << to_string(policy);
    EXPECT_FALSE(plan.needs_history) << to_string(policy);

    PushContext push{.local = synced_context().local, .base = plan.new_base};
    auto p = plan_push(mapping(), push);
    EXPECT_EQ(p.action, PushAction::update) << to_string(policy);
    EXPECT_EQ(p.properties, (PropertyValues{{kName, Value("n7")}})) << to_string(policy);
  }
}

TEST(StaleOwnWriteTest, ANewerLocalEditSinceIsPushedUnderEveryPolicy) {
  for (auto policy : kPolicies) {
    auto ctx = synced_context();
    ctx.local->values[kName] = "n9";
    ctx.local->changed_at[kName] = kT0 + 2h + 1s;
    auto plan = plan_pull(mapping(), SyncPolicy{policy, RemoteDeletePolicy::archive},
                          remote_with_n5("INTEGRATION", kOurApp, kT0 + 2h + 5s), ctx);
    EXPECT_TRUE(plan.local_updates.empty()) << to_string(policy);
    EXPECT_TRUE(plan.conflicts.empty()) << to_string(policy) << ": HubSpot's side did not change";
    EXPECT_TRUE(contains(plan.push_properties, kName)) << to_string(policy);
    EXPECT_FALSE(plan.enqueue_push) << to_string(policy) << ": the local edit has its outbox row";
    EXPECT_EQ(plan.new_base.values.at(kName), Value("n5")) << to_string(policy);
  }
}

TEST(StaleOwnWriteTest, WithoutTheHistoryTheLeadIsToBeReadAgainWithIt) {
  auto plan = plan_pull(mapping(), SyncPolicy{ConflictPolicy::remote_wins, RemoteDeletePolicy::archive},
                        remote_with_n5("INTEGRATION", kOurApp, kT0 + 2h + 5s, /*with_history=*/false),
                        synced_context());
  EXPECT_TRUE(plan.needs_history);
  EXPECT_TRUE(plan.stale_own_writes.empty());
  // Meanwhile (HubSpot returned no history when asked) it is decided as a HubSpot change.
  EXPECT_EQ(plan.local_updates.at(kName), Value("n5"));
}

TEST(StaleOwnWriteTest, APersonsEditToTheSameValueIsAHubSpotChange) {
  auto plan = plan_pull(mapping(), SyncPolicy{}, remote_with_n5("CRM_UI", "userId:51446676", kT0 + 2h + 5s),
                        synced_context());
  EXPECT_TRUE(plan.stale_own_writes.empty());
  EXPECT_FALSE(plan.needs_history);
  EXPECT_EQ(plan.action, PullAction::update_local);
  EXPECT_EQ(plan.local_updates.at(kName), Value("n5"));
  EXPECT_TRUE(plan.push_properties.empty());
}

TEST(StaleOwnWriteTest, AnotherAppsWriteIsAHubSpotChange) {
  auto plan = plan_pull(mapping(), SyncPolicy{}, remote_with_n5("INTEGRATION", "99", kT0 + 2h + 5s),
                        synced_context());
  EXPECT_TRUE(plan.stale_own_writes.empty());
  EXPECT_EQ(plan.local_updates.at(kName), Value("n5"));
}

TEST(StaleOwnWriteTest, AWritePastTheHorizonIsAHubSpotChange) {
  auto plan = plan_pull(mapping(), SyncPolicy{}, remote_with_n5("INTEGRATION", kOurApp, kT0 + 3h + 1s),
                        synced_context());
  EXPECT_TRUE(plan.stale_own_writes.empty());
  EXPECT_EQ(plan.local_updates.at(kName), Value("n5"));
}

TEST(StaleOwnWriteTest, AValueNeverSentIsAHubSpotChangeAndNeedsNoHistory) {
  auto r = remote_with_n5("INTEGRATION", kOurApp, kT0 + 2h + 5s, /*with_history=*/false);
  r.values[kName] = "n6";
  auto plan = plan_pull(mapping(), SyncPolicy{}, r, synced_context());
  EXPECT_FALSE(plan.needs_history);
  EXPECT_EQ(plan.local_updates.at(kName), Value("n6"));
}

TEST(RememberSupersededWritesTest, KeepsWhatTheBaseDoesNotHoldUntilTheHorizon) {
  BaseState b{.hubspot_id = "101"};
  b.values[kName] = "n7";
  remember_superseded_writes(b, {{kName, {Value("n5"), Value("n7")}}, {"hs_lead_label", {std::nullopt}}},
                             kT0);
  // n7 is what HubSpot was just confirmed to hold, and kept: a late request setting it would land over the
  // next push.
  EXPECT_EQ(b.superseded.at(kName), (std::set<Value>{Value("n5"), Value("n7")}));
  EXPECT_EQ(b.superseded.at("hs_lead_label"), std::set<Value>{std::nullopt});
  EXPECT_EQ(b.superseded_until, kT0 + kSupersededWriteHorizon);

  remember_superseded_writes(b, {}, kT0 + 30min);  // a clean push later: nothing new, nothing expired
  EXPECT_EQ(b.superseded.size(), 2u);
  EXPECT_EQ(b.superseded_until, kT0 + kSupersededWriteHorizon);

  remember_superseded_writes(b, {}, kT0 + kSupersededWriteHorizon + 1s);
  EXPECT_TRUE(b.superseded.empty());
  EXPECT_FALSE(b.superseded_until);
}

}  // namespace
}  // namespace leadsync::core
