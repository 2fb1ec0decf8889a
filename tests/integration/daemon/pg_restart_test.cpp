// PostgreSQL restarted under a running daemon (a dedicated cluster, stopped and started again on the same
// port): the daemon keeps running, reports not-ready, resumes by itself, and nothing is lost - a HubSpot
// edit made while the database was down arrives, and local edits after the restart are pushed.
#include <signal.h>

#include <sstream>
#include <thread>

#include "daemon_fixture.hpp"
#include "leadsync/testing/http_client.hpp"

namespace leadsync::daemon_test {
namespace {

using testing::http_request;

class Cluster {
 public:
  Cluster() {
    auto r = testing::run_process("/bin/bash", {LEADSYNC_PG_CLUSTER_SCRIPT, "start"}, {}, 120s);
    if (r.exit_code != 0) throw std::runtime_error("cannot start a cluster: " + r.output);
    std::istringstream in(r.output.substr(r.output.rfind("/tmp/")));
    in >> dir_ >> port_;
  }
  ~Cluster() {
    (void)testing::run_process("/bin/bash", {LEADSYNC_PG_CLUSTER_SCRIPT, "destroy", dir_}, {}, 60s);
  }
  std::string dsn() const { return "host=127.0.0.1 port=" + port_ + " user=postgres dbname=postgres"; }
  void stop() {
    ASSERT_EQ(
        testing::run_process("/bin/bash", {LEADSYNC_PG_CLUSTER_SCRIPT, "stop", dir_}, {}, 60s).exit_code, 0);
  }
  void start() {
    auto r = testing::run_process("/bin/bash", {LEADSYNC_PG_CLUSTER_SCRIPT, "restart", dir_, port_}, {}, 60s);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

 private:
  std::string dir_, port_;
};

class PgRestartTest : public DaemonFixture {};

TEST_F(PgRestartTest, DaemonSurvivesAPostgresRestartAndLosesNothing) {
  LEADSYNC_REQUIRE_DATABASE();
  Cluster cluster;
  EnvOptions o;
  o.create_database = false;
  o.dsn = cluster.dsn();
  o.fake_args = {"--seed-leads", "20"};
  o.sync_yaml = "  interval: 2s\n";
  start_env(o);
  auto d = start_daemon();
  const auto port = metrics_port(*d);
  d->wait_for_line("cycle success: mode=full", 60s);
  EXPECT_EQ(http_request(port, "GET", "/readyz").status, 200);
  const auto id = sql("SELECT hubspot_id FROM public.leads ORDER BY id LIMIT 1");
  const auto id2 = sql("SELECT hubspot_id FROM public.leads ORDER BY id OFFSET 1 LIMIT 1");

  cluster.stop();
  // While the database is down: the daemon runs on, not ready, and HubSpot keeps changing.
  admin("PATCH", "/_fake/leads/" + id,
        R"({"properties": {"hs_lead_name": "edited in HubSpot while PostgreSQL was down"}})");
  ASSERT_TRUE(eventually([&] { return http_request(port, "GET", "/readyz").status == 503; }, 30s))
      << d->output();
  std::this_thread::sleep_for(3s);
  ASSERT_TRUE(d->running()) << d->output();
  EXPECT_EQ(http_request(port, "GET", "/healthz").status, 200);
  const auto not_ready = http_request(port, "GET", "/readyz").body;
  std::cout << "[ pg down  ] /readyz: " << not_ready;

  cluster.start();
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually(
      [&] {
        try {
          return sql("SELECT lead_name FROM public.leads WHERE hubspot_id = '" + id + "'") ==
                 "edited in HubSpot while PostgreSQL was down";
        } catch (const std::exception&) {
          return false;
        }
      },
      90s))
      << d->output();
  std::cout << "[ pg back  ] remote edit applied "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()
            << " s after PostgreSQL came back\n";
  ASSERT_TRUE(eventually([&] { return http_request(port, "GET", "/readyz").status == 200; }, 30s))
      << d->output();

  // The LISTEN connection is back too: a local edit is pushed at once.
  exec("UPDATE public.leads SET lead_name = 'edited locally after the restart' WHERE hubspot_id = '" + id2 +
       "'");
  EXPECT_TRUE(eventually([&] { return remote_name(id2) == "edited locally after the restart"; }, 20s))
      << d->output();
  EXPECT_EQ(count("SELECT count(*) FROM public.leads"), 20);
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.changes WHERE state = 'FAILED'"), 0);
  EXPECT_TRUE(d->running());
  d->send_signal(SIGTERM);
  EXPECT_EQ(d->wait(30s), 0) << d->output();
}

}  // namespace
}  // namespace leadsync::daemon_test
