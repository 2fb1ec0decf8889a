// SIGTERM in the middle of a long full sweep: the daemon stops at a page boundary, exits 0 well within
// systemd's TimeoutStopSec, loses nothing, and the next start resumes the sweep where it stopped.
#include <signal.h>

#include "daemon_fixture.hpp"

namespace leadsync::daemon_test {
namespace {

class SigtermSweepTest : public DaemonFixture {};

TEST_F(SigtermSweepTest, StopsAtAPageBoundaryAndTheNextRunResumes) {
  LEADSYNC_REQUIRE_DATABASE();
  constexpr long kLeads = 20'000;
  EnvOptions o;
  o.fake_args = {"--seed-leads", std::to_string(kLeads)};
  // 10 requests per 10 s: about one 100-lead page per second, so the sweep takes minutes.
  o.rate_limit = "{ requests_per_10s: 10, search_per_second: 5 }";
  start_env(o);
  auto d = start_daemon();
  d->wait_for_line("full sweep started", 60s);
  ASSERT_TRUE(eventually([&] { return count("SELECT count(*) FROM public.leads") >= 300; }, 60s))
      << d->output();

  d->send_signal(SIGTERM);
  const auto t0 = std::chrono::steady_clock::now();
  auto code = d->wait(60s);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(code.has_value()) << d->output();
  EXPECT_EQ(*code, 0) << d->output();
  std::cout << "[ sigterm  ] exit 0 " << took << " s after SIGTERM mid-sweep\n";
  EXPECT_LT(took, 30.0) << "well within TimeoutStopSec (90 s)";
  EXPECT_NE(d->output().find("full sweep paused after"), std::string::npos) << d->output();

  const long imported = count("SELECT count(*) FROM public.leads");
  EXPECT_GE(imported, 300);
  EXPECT_LT(imported, kLeads);
  EXPECT_EQ(sql("SELECT status FROM leadsync.runs ORDER BY id DESC LIMIT 1"), "cancelled");
  EXPECT_FALSE(sql("SELECT value FROM leadsync.sync_state WHERE key = 'sweep.cursor'").empty());
  // Every imported row is complete and linked: a page is all or nothing.
  EXPECT_EQ(count("SELECT count(*) FROM public.leads WHERE hubspot_id IS NULL OR lead_name IS NULL"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.base"), imported);

  // Next start (without the rate limit): resumes from the saved cursor instead of starting over.
  admin("DELETE", "/_fake/stats");
  auto fast = options_;
  fast.rate_limit = "{ requests_per_10s: 1000, search_per_second: 100 }";
  write_config(config_text(fast));
  auto r = cli({"--sync-now"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("full sweep resumed after"), std::string::npos) << r.output;
  EXPECT_EQ(count("SELECT count(*) FROM public.leads"), kLeads);
  EXPECT_EQ(count("SELECT count(DISTINCT hubspot_id) FROM public.leads"), kLeads);
  const long pages = requests_matching(fake_stats(), "GET /crm/v3/objects/leads");
  const long remaining_pages = (kLeads - imported + 99) / 100;
  EXPECT_LE(pages, remaining_pages + 5)
      << "the sweep resumed; it did not list the first " << imported << " leads again";
  EXPECT_GE(pages, remaining_pages);
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.changes WHERE state IN ('NEW', 'PENDING', 'FAILED')"), 0);
}

}  // namespace
}  // namespace leadsync::daemon_test
