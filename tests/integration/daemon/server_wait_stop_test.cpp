// A server asking for an absurd wait cannot park leadsync: Retry-After is cut to hubspot.retry.max_backoff,
// and SIGTERM ends the wait in progress, so `--sync-now` stops within seconds and loses nothing.
#include <signal.h>

#include "daemon_fixture.hpp"

namespace leadsync::daemon_test {
namespace {

class ServerWaitStopTest : public DaemonFixture {};

TEST_F(ServerWaitStopTest, SigtermEndsARetryAfterOfYearsInSyncNow) {
  LEADSYNC_REQUIRE_DATABASE();
  EnvOptions o;
  o.fake_args = {"--seed-leads", "5"};
  // A max_backoff of an hour: the cut alone would still hold SIGTERM up for an hour.
  o.retry = "{ max_attempts: 3, initial_backoff: 10ms, max_backoff: 1h }";
  start_env(o);
  admin(
      "POST", "/_fake/faults",
      R"({"kind":"rate_limit","method":"GET","path_prefix":"/crm/v3/objects/leads","retry_after":1000000000})");
  auto p = start_daemon({"--sync-now"});
  p->wait_for_line("HubSpot asked to wait", 60s);
  EXPECT_NE(p->output().find("waiting 3600000 ms instead (hubspot.retry.max_backoff)"), std::string::npos)
      << p->output();

  p->send_signal(SIGTERM);
  const auto t0 = std::chrono::steady_clock::now();
  auto code = p->wait(30s);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(code.has_value()) << "still waiting 30 s after SIGTERM\n" << p->output();
  std::cout << "[ sigterm  ] --sync-now exited " << *code << " " << took << " s after SIGTERM\n";
  EXPECT_LT(took, 10.0) << p->output();
  EXPECT_EQ(*code, 128 + SIGTERM) << "stopped by the operator, not failed:\n" << p->output();
  EXPECT_NE(p->output().find("leadsync is stopping"), std::string::npos) << p->output();

  // Nothing lost: the next run imports every lead.
  auto r = cli({"--sync-now"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(count("SELECT count(*) FROM public.leads"), 5);
}

}  // namespace
}  // namespace leadsync::daemon_test
