// A local edit made while the daemon runs a long full sweep reaches HubSpot between two of the sweep's
// batches, not after the sweep (issue 19: pushes go before background sweeps); the sweep then reads on and
// ends as it would have, with the edit kept on both sides.
#include <signal.h>

#include "daemon_fixture.hpp"

namespace leadsync::daemon_test {
namespace {

class DaemonSweepYieldTest : public DaemonFixture {};

TEST_F(DaemonSweepYieldTest, ALocalEditMadeDuringALongFullSweepReachesHubSpotBeforeTheSweepEnds) {
  LEADSYNC_REQUIRE_DATABASE();
  constexpr long kLeads = 3'000;
  EnvOptions o;
  o.fake_args = {"--seed-leads", std::to_string(kLeads)};
  o.sync_yaml = "  interval: 1h\n";
  start_env(o);
  // Every read of HubSpot takes 150 ms: the sweep's 30 list pages, eight a batch, take about five seconds.
  admin("POST", "/_fake/faults",
        R"({"method": "GET", "path_prefix": "/crm/", "delay_ms": 150, "times": -1})");
  auto d = start_daemon();
  d->wait_for_line("full sweep started", 60s);
  ASSERT_TRUE(eventually([&] { return count("SELECT count(*) FROM public.leads") >= 100; }, 60s))
      << d->output();
  const std::string id = sql("SELECT hubspot_id FROM public.leads ORDER BY id LIMIT 1");

  exec("UPDATE public.leads SET lead_name = 'edited during the sweep' WHERE hubspot_id = '" + id + "'");
  ASSERT_TRUE(eventually([&] { return remote_name(id) == "edited during the sweep"; }, 60s)) << d->output();
  const long imported_when_pushed = count("SELECT count(*) FROM public.leads");
  EXPECT_LT(imported_when_pushed, kLeads) << "the edit waited for the end of the sweep:\n" << d->output();
  EXPECT_EQ(d->output().find("full sweep done"), std::string::npos) << d->output();

  d->wait_for_line("cycle success: mode=full", 60s);
  EXPECT_NE(d->output().find("full sweep done: 3000 leads (paused 1 time(s)"), std::string::npos)
      << d->output();
  EXPECT_EQ(count("SELECT count(*) FROM public.leads"), kLeads);
  EXPECT_EQ(sql("SELECT lead_name FROM public.leads WHERE hubspot_id = '" + id + "'"),
            "edited during the sweep");
  EXPECT_EQ(remote_name(id), "edited during the sweep");
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.conflicts"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.changes WHERE state IN ('NEW', 'PENDING', 'FAILED')"), 0);
  EXPECT_EQ(count_lines(d->output(), "cycle success: mode=push"), 0) << "the sweep pushed it";
  d->send_signal(SIGTERM);
  EXPECT_EQ(d->wait(30s), 0) << d->output();
}

}  // namespace
}  // namespace leadsync::daemon_test
