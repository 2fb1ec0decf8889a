// A background sweep letting waiting work go first (SyncEngine::set_yield_check): between two batches of a
// full sweep, or two chunks of the association sweep, it applies waiting webhook events and pushes the
// outbox, and reads on only after that, so that no page read before a push is applied after it.
// tests/integration/daemon/sweep_yield_test.cpp runs the same path end to end in the daemon.
#include <algorithm>

#include "engine_fixture.hpp"

namespace leadsync::core {
namespace {

class SweepYieldTest : public EngineTest {
 protected:
  // `n` leads in HubSpot, imported by a first full sweep; their rows by position.
  std::vector<std::int64_t> imported(int n) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) ids.push_back(remote.add_lead(named("lead " + std::to_string(i))));
    first_sweep_done();
    std::vector<std::int64_t> rows;
    for (const auto& id : ids) rows.push_back(store.row_by_hubspot_id(id)->row_id);
    return rows;
  }
  // The calls before the first `name`, counted by kind.
  long before_first(const std::string& name, const std::string& kind) const {
    const auto at = std::find(remote.calls.begin(), remote.calls.end(), name);
    return std::count(remote.calls.begin(), at, kind);
  }
  // A yield check that answers true the `n`-th time it is asked (from 1) and counts the questions.
  void yield_at(int n) {
    yield_check = [this, n] { return ++asked == n; };
  }
  int asked = 0;
};

// Page size 2, eight pages a batch: 40 leads are three batches of 16, 16 and 8.
TEST_F(SweepYieldTest, AFullSweepPushesAWaitingEditBetweenTwoBatchesAndReadsOnAfterIt) {
  const auto rows = imported(40);
  const auto last = rows.back();  // in the third batch
  store.edit_row(last, "hs_lead_name", "edited during the sweep");
  yield_at(2);  // asked before applying the second batch, fetched while the first was applied

  auto report = cycle(CycleKind::full);
  EXPECT_EQ(report.sweep_yields, 1);
  // The second batch was applied, not fetched ahead again: the push came after 16 list pages, and the
  // third batch was read after it.
  EXPECT_EQ(before_first("update", "list"), 16) << ::testing::PrintToString(remote.calls);
  EXPECT_EQ(remote.count("list"), 20);
  EXPECT_EQ(remote.count("update"), 1);
  // The third batch showed the pushed value: nothing to apply, no conflict, the row keeps the edit.
  EXPECT_EQ(remote.leads.at(store.rows.at(last).hubspot_id.value()).values.at("hs_lead_name"),
            "edited during the sweep");
  EXPECT_EQ(store.rows.at(last).values.at("hs_lead_name"), "edited during the sweep");
  EXPECT_EQ(report.record.counts.conflicts, 0);
  EXPECT_EQ(report.record.status, "success");
  EXPECT_TRUE(!store.outbox.contains(last) || !store.outbox.at(last).pending);
  // Its calls count for the push, the sweep's for the sweep.
  const auto& by = report.record.counts.api_calls_by_activity;
  EXPECT_EQ(by[index_of(ApiActivity::push)], 1);
  EXPECT_EQ(by[index_of(ApiActivity::full_sweep)], report.record.counts.api_calls - 1);
  EXPECT_NE(logged().find("paused 1 time(s)"), std::string::npos) << logged();
}

TEST_F(SweepYieldTest, TheSweepAsksBetweenEveryTwoBatchesAndNeverAfterTheLast) {
  imported(40);
  yield_check = [this] { return ++asked < 0; };  // never
  auto report = cycle(CycleKind::full);
  EXPECT_EQ(asked, 2);  // before the second and the third batch
  EXPECT_EQ(report.sweep_yields, 0);
  EXPECT_EQ(remote.count("list"), 20);
}

TEST_F(SweepYieldTest, ADryRunNeverYields) {
  const auto rows = imported(40);
  store.edit_row(rows.back(), "hs_lead_name", "edited");
  yield_check = [this] { return ++asked > 0; };
  auto report = cycle(CycleKind::full, /*dry_run=*/true);
  EXPECT_EQ(asked, 0);
  EXPECT_EQ(report.sweep_yields, 0);
  EXPECT_EQ(remote.count("update"), 0);
}

TEST_F(SweepYieldTest, AStopRequestedDuringTheYieldEndsTheSweepAtTheBatchBoundary) {
  const auto rows = imported(40);
  store.edit_row(rows.front(), "hs_lead_name", "edited");
  on_progress = [&](SyncEngine& e, const Progress& p) {
    if (p.phase == "push") e.request_stop();  // the operator's SIGTERM arrives while the sweep pushes
  };
  yield_at(2);
  auto report = cycle(CycleKind::full);
  EXPECT_EQ(report.record.status, "cancelled");
  EXPECT_EQ(remote.count("update"), 1);
  EXPECT_EQ(remote.count("list"), 16);  // nothing read after the push
  // The next cycle resumes after the second batch.
  EXPECT_FALSE(store.state.at(kStateSweepCursor).empty());
  remote.calls.clear();
  yield_check = nullptr;
  auto next = cycle(CycleKind::full);
  EXPECT_EQ(next.record.status, "success");
  EXPECT_EQ(remote.count("list"), 4);
}

TEST_F(SweepYieldTest, WaitingWebhookEventsAreAppliedWhenTheSweepYields) {
  options.apply_events = true;
  const auto rows = imported(40);
  const auto id = store.rows.at(rows.back()).hubspot_id.value();
  remote.edit_lead(id, "hs_lead_name", "changed in HubSpot");
  yield_check = [&] {
    if (++asked != 2) return false;
    InboxEvent e;  // delivered while the sweep runs
    e.event_id = 1;
    e.kind = EventKind::property_change;
    e.object_id = id;
    e.property = "hs_lead_name";
    e.value = "changed in HubSpot";
    store.inbox.push_back(e);
    return true;
  };
  auto report = cycle(CycleKind::full);
  EXPECT_EQ(report.sweep_yields, 1);
  EXPECT_EQ(report.events_applied, 1);
  EXPECT_EQ(before_first("read", "list"), 16) << ::testing::PrintToString(remote.calls);
  EXPECT_EQ(store.rows.at(rows.back()).values.at("hs_lead_name"), "changed in HubSpot");
  EXPECT_EQ(report.record.counts.api_calls_by_activity[index_of(ApiActivity::events)], 1);
}

TEST_F(SweepYieldTest, TheAssociationSweepPushesAWaitingEditBetweenTwoChunks) {
  remote.page_size = 100;
  const auto rows = imported(1'500);  // two chunks of synced ids: 1,000 and 500
  store.edit_row(rows.back(), "hs_lead_name", "edited during the association sweep");
  clock.advance(options.association_sweep_interval);
  yield_at(1);  // asked after the first chunk
  auto report = cycle();
  EXPECT_FALSE(report.full_sweep);
  EXPECT_EQ(report.sweep_yields, 1);
  EXPECT_EQ(before_first("update", "read_associations"), 1) << ::testing::PrintToString(remote.calls);
  EXPECT_EQ(remote.count("read_associations"), 2);
  EXPECT_EQ(remote.count("update"), 1);
  EXPECT_EQ(store.rows.at(rows.back()).values.at("hs_lead_name"), "edited during the association sweep");
  EXPECT_EQ(report.record.counts.conflicts, 0);
}

}  // namespace
}  // namespace leadsync::core
