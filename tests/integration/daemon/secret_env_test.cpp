// Secrets handed to the daemon in environment variables are taken out of its environment once read:
// /proc/PID/environ (what the same user, root and a debugger see) no longer shows them, and a SIGHUP
// reload still works with the values read at start.
#include <csignal>
#include <fstream>
#include <sstream>

#include "daemon_fixture.hpp"

namespace leadsync::daemon_test {
namespace {

using DaemonSecretEnvTest = DaemonFixture;

std::string proc_environ(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST_F(DaemonSecretEnvTest, SecretsAreGoneFromTheEnvironmentAndAReloadStillHasThem) {
  LEADSYNC_REQUIRE_DATABASE();
  EnvOptions o;
  o.fake_args = {"--seed-leads", "5"};
  start_env(o);
  auto d = start_daemon();
  d->wait_for_line("cycle success: mode=full", 60s);

  const std::string environ = proc_environ(d->pid());
  ASSERT_NE(environ.find("LEADSYNC_MIGRATIONS_DIR="), std::string::npos) << "other variables stay";
  EXPECT_EQ(environ.find(kToken), std::string::npos) << "the HubSpot token is still in /proc/PID/environ";
  EXPECT_EQ(environ.find(dsn_), std::string::npos) << "the DSN is still in /proc/PID/environ";

  // A reload re-resolves the secrets: the environment no longer has them, the values read at start do.
  auto text = config_text(o);
  text.replace(text.find("logging: { level: info }"), 24, "logging: { level: info, format: json }");
  write_config(text);
  d->send_signal(SIGHUP);
  d->wait_for_line("configuration reloaded from", 10s);
  const auto id = sql("SELECT hubspot_id FROM public.leads WHERE hubspot_id IS NOT NULL ORDER BY id LIMIT 1");
  ASSERT_FALSE(id.empty());
  exec("UPDATE public.leads SET lead_name = 'after reload' WHERE hubspot_id = '" + id + "'");
  ASSERT_TRUE(eventually([&] { return remote_name(id) == "after reload"; }, 20s)) << d->output();

  d->send_signal(SIGTERM);
  EXPECT_EQ(d->wait(30s), 0) << d->output();
}

}  // namespace
}  // namespace leadsync::daemon_test
