// SyncEngine applying webhook events from the inbox (EngineOptions::apply_events): what each kind of event
// reads from HubSpot, which events cost no call at all, and that events stay in the inbox until their
// leads are applied. tests/integration/daemon/webhook_events_test.cpp runs the same path end to end.
#include "engine_fixture.hpp"

namespace leadsync::core {
namespace {

class EngineEventsTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    options.apply_events = true;
  }
  InboxEvent& event(EventKind kind, const std::string& lead) {
    InboxEvent e;
    e.event_id = next_event_++;
    e.kind = kind;
    e.object_id = lead;
    store.inbox.push_back(std::move(e));
    return store.inbox.back();
  }
  void property_event(const std::string& lead, const std::string& property,
                      std::optional<std::string> value) {
    auto& e = event(EventKind::property_change, lead);
    e.property = property;
    e.value = std::move(value);
  }
  // A lead made and synced locally, then the calls so far forgotten.
  std::string synced(const std::string& name, std::int64_t* row = nullptr) {
    auto id = synced_row(name, row);
    remote.calls.clear();
    return id;
  }
  std::size_t pending() { return store.pending_events(1'000'000).size(); }

  std::int64_t next_event_ = 1;
};

TEST_F(EngineEventsTest, APropertyChangeReadsTheLeadOnceAndUpdatesTheRow) {
  std::int64_t row = 0;
  const auto id = synced("before", &row);
  remote.edit_lead(id, "hs_lead_name", "after");
  property_event(id, "hs_lead_name", "after");
  property_event(id, "hs_lead_name", "after");  // a redelivery

  auto report = cycle(CycleKind::push_only);
  EXPECT_EQ(store.rows.at(row).values.at("hs_lead_name"), "after");
  EXPECT_EQ(remote.calls, std::vector<std::string>{"read"});
  EXPECT_EQ(report.events_applied, 2);
  EXPECT_EQ(report.events_needless, 0);
  EXPECT_EQ(pending(), 0u);
  EXPECT_EQ(report.record.counts.api_calls_by_activity[index_of(ApiActivity::events)], 1);
}

TEST_F(EngineEventsTest, EventsThatEchoTheBaseOrAnUnmappedPropertyCostNoCall) {
  const auto id = synced("same");
  property_event(id, "hs_lead_name", "same");    // leadsync's own push coming back
  property_event(id, "hs_unmapped_thing", "x");  // not in the mapping
  event(EventKind::creation, id);                // leadsync's own create
  auto report = cycle(CycleKind::push_only);
  EXPECT_TRUE(remote.calls.empty());
  EXPECT_EQ(report.events_applied, 3);
  EXPECT_EQ(report.events_needless, 3);
  EXPECT_EQ(pending(), 0u);
}

TEST_F(EngineEventsTest, TheBaseComparisonNormalisesTheValue) {
  options.mapping.properties.push_back({"hs_score", "score", PropertyType::number, Direction::both});
  std::int64_t row = 0;
  const auto id = synced("scored", &row);
  remote.edit_lead(id, "hs_score", "1.5");
  property_event(id, "hs_score", "1.5");
  cycle(CycleKind::push_only);
  ASSERT_EQ(store.rows.at(row).values.at("hs_score"), "1.5");
  remote.calls.clear();
  property_event(id, "hs_score", "1.50");  // the same number
  cycle(CycleKind::push_only);
  EXPECT_EQ(remote.count("read"), 0);
  property_event(id, "hs_lead_name", "");  // cleared: differs from "scored"
  remote.edit_lead(id, "hs_lead_name", std::nullopt);
  cycle(CycleKind::push_only);
  EXPECT_EQ(remote.count("read"), 1);
  EXPECT_FALSE(store.rows.at(row).values.at("hs_lead_name").has_value());
}

TEST_F(EngineEventsTest, EventsOfManyLeadsAreReadAHundredAtATime) {
  std::vector<std::string> ids;
  for (int i = 0; i < 250; ++i) ids.push_back(remote.add_lead(named("lead " + std::to_string(i))));
  first_sweep_done();
  for (const auto& id : ids) {
    remote.edit_lead(id, "hs_lead_name", "edited " + id);
    property_event(id, "hs_lead_name", "edited " + id);
  }
  auto report = cycle(CycleKind::push_only);
  EXPECT_EQ(remote.count("read"), 3);
  EXPECT_EQ(remote.count("search"), 0);
  EXPECT_EQ(report.record.counts.updated_local, 250);
  EXPECT_EQ(store.row_by_hubspot_id(ids.back())->values.at("hs_lead_name"), "edited " + ids.back());
}

TEST_F(EngineEventsTest, ADeletionArchivesTheRowOnlyWhenTheReadConfirmsIt) {
  std::int64_t gone_row = 0, kept_row = 0;
  const auto gone = synced("gone", &gone_row);
  const auto kept = synced("kept", &kept_row);
  remote.leads.at(gone).archived = true;
  event(EventKind::deletion, gone);
  event(EventKind::deletion, kept);     // a stale or forged deletion: the lead is still there
  event(EventKind::deletion, "99999");  // never synced (or leadsync's own archive): nothing to read
  auto report = cycle(CycleKind::push_only);
  EXPECT_EQ(remote.count("read"), 1);
  EXPECT_EQ(report.events_needless, 1);
  EXPECT_TRUE(store.rows.at(gone_row).archived);
  EXPECT_FALSE(store.rows.at(kept_row).archived);
  EXPECT_EQ(report.record.counts.deleted_local, 1);
}

TEST_F(EngineEventsTest, AnAssociationChangeReadsOnlyTheAssociationsOfAKnownLead) {
  std::int64_t row = 0;
  const auto id = synced("linked", &row);
  remote.leads.at(id).associations->insert(kOtherContact);
  event(EventKind::association_change, id);
  cycle(CycleKind::push_only);
  EXPECT_EQ(remote.calls, std::vector<std::string>{"read_associations"});
  EXPECT_TRUE(store.rows.at(row).associations.contains(kOtherContact));
}

TEST_F(EngineEventsTest, ALeadLeftWithoutMappedAssociationsLosesThemLocallyOnceTheReadFindsIt) {
  std::int64_t row = 0;
  const auto id = synced("unlinked", &row);
  remote.leads.at(id).associations->clear();
  event(EventKind::association_change, id);
  cycle(CycleKind::push_only);
  EXPECT_EQ(remote.count("read_associations"), 1);
  EXPECT_EQ(remote.count("read"), 1);  // absent from the answer: gone, or no association left?
  EXPECT_TRUE(store.rows.at(row).associations.empty());
  EXPECT_FALSE(store.rows.at(row).archived);
}

TEST_F(EngineEventsTest, ACreationInHubSpotMakesARowWithItsAssociations) {
  first_sweep_done();
  const auto id = remote.add_lead(named("new in HubSpot"));
  remote.leads.at(id).associations->insert(kContact);
  event(EventKind::creation, id);
  property_event(id, "hs_lead_name", "new in HubSpot");
  event(EventKind::association_change, id);
  auto report = cycle(CycleKind::push_only);
  const LocalLead* local = store.row_by_hubspot_id(id);
  ASSERT_NE(local, nullptr);
  EXPECT_EQ(local->values.at("hs_lead_name"), "new in HubSpot");
  EXPECT_TRUE(local->associations.contains(kContact));
  EXPECT_EQ(report.record.counts.created_local, 1);
  EXPECT_EQ(remote.count("read"), 1);
}

TEST_F(EngineEventsTest, AMergeUpdatesTheRemainingLeadAndHandlesTheMergedOneLikeADelete) {
  std::int64_t kept_row = 0, merged_row = 0;
  const auto kept = synced("kept", &kept_row);
  const auto merged = synced("merged", &merged_row);
  remote.edit_lead(kept, "hs_lead_name", "kept + merged");
  remote.leads.erase(merged);  // HubSpot no longer knows it by its id
  auto& e = event(EventKind::merge, kept);
  e.merged_ids = {merged};
  cycle(CycleKind::push_only);
  EXPECT_EQ(store.rows.at(kept_row).values.at("hs_lead_name"), "kept + merged");
  EXPECT_TRUE(store.rows.at(merged_row).archived);
  EXPECT_EQ(remote.count("read"), 1);
  EXPECT_NE(logged().find("merged into another lead"), std::string::npos);
}

TEST_F(EngineEventsTest, ADryRunLeavesTheEventsInTheInbox) {
  const auto id = synced("before");
  remote.edit_lead(id, "hs_lead_name", "after");
  property_event(id, "hs_lead_name", "after");
  cycle(CycleKind::push_only, /*dry_run=*/true);
  EXPECT_EQ(pending(), 1u);
  EXPECT_EQ(store.row_by_hubspot_id(id)->values.at("hs_lead_name"), "before");
}

TEST_F(EngineEventsTest, ARefusedLocalWriteIsReadAgainByTheNextCycle) {
  const auto id = synced("before");
  remote.edit_lead(id, "hs_lead_name", "too long");
  property_event(id, "hs_lead_name", "too long");
  store.refuse_pull_of(id, "value too long for type character varying(5)");
  auto report = cycle(CycleKind::push_only);
  EXPECT_EQ(report.record.counts.failed, 1);
  EXPECT_EQ(pending(), 0u);  // the event is applied; the lead waits in the retry list
  EXPECT_EQ(store.state.at("pull_retry"), id);
}

TEST_F(EngineEventsTest, AppliedEventsArePrunedAfterTheRetention) {
  first_sweep_done();
  const auto id = remote.add_lead(named("x"));
  event(EventKind::creation, id);
  cycle(CycleKind::push_only);
  ASSERT_EQ(store.inbox.size(), 1u);
  clock.advance(options.event_retention - 1min);
  cycle();
  EXPECT_EQ(store.inbox.size(), 1u);
  clock.advance(2min);
  cycle();
  EXPECT_TRUE(store.inbox.empty());
}

TEST_F(EngineEventsTest, AChangeOnlyThePollFindsCountsAsMissedOnceItIsOlderThanTheGrace) {
  const auto old_change = synced("old");
  const auto fresh_change = synced("fresh");
  cycle();  // the first sweep
  remote.edit_lead(old_change, "hs_lead_name", "changed, never announced");
  clock.advance(5min);
  remote.edit_lead(fresh_change, "hs_lead_name", "changed, event still in flight");
  clock.advance(10s);
  auto report = cycle();
  ASSERT_FALSE(report.full_sweep);
  EXPECT_EQ(report.record.counts.updated_local, 2);
  EXPECT_EQ(report.events_missed, 1);
  EXPECT_NE(logged().find("lead " + old_change + ": changed in HubSpot at"), std::string::npos);
  EXPECT_EQ(logged().find("lead " + fresh_change + ": changed in HubSpot at"), std::string::npos);
}

TEST_F(EngineEventsTest, AChangeAnEventBroughtIsNotMissed) {
  const auto id = synced("before");
  cycle();
  remote.edit_lead(id, "hs_lead_name", "after");
  property_event(id, "hs_lead_name", "after");
  clock.advance(5min);
  auto report = cycle();
  EXPECT_EQ(report.events_applied, 1);
  EXPECT_EQ(report.events_missed, 0);
  EXPECT_EQ(store.row_by_hubspot_id(id)->values.at("hs_lead_name"), "after");
}

TEST_F(EngineEventsTest, WithoutWebhooksTheInboxIsLeftAlone) {
  options.apply_events = false;
  const auto id = synced("before");
  remote.edit_lead(id, "hs_lead_name", "after");
  property_event(id, "hs_lead_name", "after");
  cycle(CycleKind::push_only);
  EXPECT_TRUE(remote.calls.empty());
  EXPECT_EQ(pending(), 1u);
}

}  // namespace
}  // namespace leadsync::core
