// Leads the remote leaves out because their id is not a HubSpot record id (a lead HubSpot sent with such an
// id, a table id not sent to be read) are counted per cycle: in CycleReport::skipped_bad_id and the cycle's
// log line, so a run that quietly drops leads shows it in its summary and in /metrics.
#include "engine_fixture.hpp"

namespace leadsync::core {
namespace {

class SkippedBadIdTest : public EngineTest {
 protected:
  // A portal whose list pages each leave `per_page` leads out for a bad id (as HubSpotLeadsRemote does).
  void skip_on_each_list_page(std::uint64_t per_page) {
    remote.on_list_page = [this, per_page](const std::optional<std::string>&, bool archived) {
      RemotePage page;
      if (archived) return page;
      remote.skipped_bad_id += per_page;
      for (const auto& [id, lead] : remote.leads)
        if (!lead.archived) page.leads.push_back(lead);
      return page;
    };
  }
};

TEST_F(SkippedBadIdTest, AFullSweepCountsTheLeadsLeftOutAndLogsTheCount) {
  remote.add_lead(named("kept"));
  skip_on_each_list_page(2);
  auto report = cycle(CycleKind::full);
  EXPECT_TRUE(report.full_sweep);
  EXPECT_EQ(report.record.counts.created_local, 1);
  EXPECT_EQ(report.skipped_bad_id, 2);
  EXPECT_NE(logged().find("skipped_bad_id=2 "), std::string::npos) << logged();
}

TEST_F(SkippedBadIdTest, EachCycleCountsOnlyItsOwnSkips) {
  remote.add_lead(named("kept"));
  skip_on_each_list_page(3);
  EXPECT_EQ(cycle(CycleKind::full).skipped_bad_id, 3);
  remote.skipped_bad_id += 5;  // between cycles (another user of the same remote)
  auto incremental = cycle();
  EXPECT_FALSE(incremental.full_sweep);
  EXPECT_EQ(incremental.skipped_bad_id, 0);
  EXPECT_NE(logged().find("skipped_bad_id=0 "), std::string::npos) << logged();
}

}  // namespace
}  // namespace leadsync::core
