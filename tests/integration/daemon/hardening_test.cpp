// The daemon under hostile or unlucky conditions: a DSN libpq cannot parse (its password must appear in no
// log line, STATUS=, /readyz or exit message), a database that fails at start-up for reasons of its own
// (disk full, out of memory, I/O or internal errors: 69, so that systemd retries, not 78), core dumps, the
// metrics server's connection lifetime and label values, and text from HubSpot that tries to start log
// lines of its own, and a stop signal sent before the daemon's handler exists.
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "daemon_fixture.hpp"
#include "leadsync/testing/http_client.hpp"

namespace leadsync::daemon_test {
namespace {

class HardeningTest : public DaemonFixture {};

// Malformed DSNs (libpq quotes pieces of them in its message) and their password, or the part of it libpq
// would quote.
struct BadDsn {
  std::string dsn;
  std::string secret;
};
const std::vector<BadDsn>& bad_dsns() {
  static const std::vector<BadDsn> v = {
      {"postgresql://u:pw-Secret-1@[::1]x/db", "pw-Secret-1"},           // libpq quotes the whole URI
      {"postgresql://u:pw-Secret-2@[::1/db", "pw-Secret-2"},             // unterminated IPv6 address
      {"postgresql://u:p%zzSecret-3@localhost/db", "zzSecret-3"},        // bad percent-encoding, quoted
      {"postgres://u:pw-Secret-4@localhost/db?bogus=1", "pw-Secret-4"},  // unknown parameter
      {"host=localhost password=two Secret-5words", "Secret-5words"},    // unquoted space: quoted word
      {"host=localhost password='Secret-6 unterminated", "Secret-6"},    // unterminated quote
  };
  return v;
}

TEST_F(HardeningTest, AMalformedDsnIsAConfigurationErrorAndItsPasswordAppearsNowhere) {
  LEADSYNC_REQUIRE_DATABASE();
  start_env();
  for (const auto& bad : bad_dsns()) {
    for (const auto& mode : {"--sync-now", "--status", "--check-config"}) {
      std::vector<std::string> args{mode};
      if (std::string(mode) == "--check-config") args.push_back("--online");
      auto r = cli(args, {{"LEADSYNC_DATABASE_URL", bad.dsn}});
      EXPECT_EQ(r.output.find(bad.secret), std::string::npos) << bad.dsn << " " << mode << ":\n" << r.output;
      if (std::string(mode) != "--check-config") {
        EXPECT_EQ(r.exit_code, 78) << bad.dsn << " " << mode << ":\n" << r.output;
        EXPECT_NE(r.output.find("DSN"), std::string::npos) << r.output;
        EXPECT_NE(r.output.find("malformed"), std::string::npos) << r.output;
      }
    }
    // The daemon: exits 78 (restarting cannot help), and neither its log nor STATUS= shows the password.
    NotifySocket status(dir_ / "notify.sock");
    auto d = start_daemon(
        {}, {{"LEADSYNC_DATABASE_URL", bad.dsn}, {"NOTIFY_SOCKET", (dir_ / "notify.sock").string()}});
    EXPECT_EQ(d->wait(30s), 78) << bad.dsn << ":\n" << d->output();
    EXPECT_EQ(d->output().find(bad.secret), std::string::npos) << d->output();
    EXPECT_EQ(status.all().find(bad.secret), std::string::npos) << status.all();
  }
}

// A DSN libpq parses but cannot connect with: the daemon waits for PostgreSQL; STATUS= says why, /readyz says
// only that it waits (anybody who reaches the port reads it), and neither shows the password.
TEST_F(HardeningTest, WhileWaitingForPostgresNeitherStatusNorReadyzShowsThePassword) {
  LEADSYNC_REQUIRE_DATABASE();
  start_env();
  const std::string dsn = "host=127.0.0.1 port=1 dbname=x user=u password=Secret-7pw connect_timeout=2";
  NotifySocket status(dir_ / "notify.sock");
  auto d =
      start_daemon({}, {{"LEADSYNC_DATABASE_URL", dsn}, {"NOTIFY_SOCKET", (dir_ / "notify.sock").string()}});
  const auto port = metrics_port(*d);
  d->wait_for_line("PostgreSQL is not available", 30s);
  ASSERT_TRUE(
      eventually([&] { return status.all().find("waiting for PostgreSQL") != std::string::npos; }, 10s))
      << status.all();
  const auto ready = testing::http_request(port, "GET", "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(ready.body, "not ready: starting: waiting for PostgreSQL: see the log\nwebhooks: not enabled\n");
  EXPECT_EQ(status.all().find("Secret-7pw"), std::string::npos) << status.all();
  EXPECT_EQ(d->output().find("Secret-7pw"), std::string::npos) << d->output();
  d->send_signal(SIGTERM);
  EXPECT_EQ(d->wait(30s), 0) << d->output();
}

// An event trigger makes leadsync's first DDL fail with `sqlstate`, as a full disk or a failing server would.
void fail_ddl_with(DaemonFixture& f, const std::string& sqlstate) {
  // The old event trigger goes first: it would refuse the CREATE FUNCTION (event trigger commands are
  // exempt).
  f.exec("DROP EVENT TRIGGER IF EXISTS fail_ddl");
  f.exec(
      "CREATE OR REPLACE FUNCTION public.fail_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN "
      "RAISE EXCEPTION 'simulated server failure' USING ERRCODE = '" +
      sqlstate +
      "'; END $$; "
      "CREATE EVENT TRIGGER fail_ddl ON ddl_command_start EXECUTE FUNCTION public.fail_ddl()");
}

TEST_F(HardeningTest, ServerFailuresAtStartUpAreUnavailableNotConfiguration) {
  LEADSYNC_REQUIRE_DATABASE();
  start_env();
  // disk full, out of memory, I/O error, internal error
  for (const std::string sqlstate : {"53100", "53200", "58030", "XX000"}) {
    fail_ddl_with(*this, sqlstate);
    auto r = cli({"--sync-now"});
    EXPECT_EQ(r.exit_code, 69) << sqlstate << ":\n" << r.output;
    EXPECT_NE(r.output.find("SQLSTATE " + sqlstate), std::string::npos) << r.output;
  }
  // The daemon keeps waiting (instead of exiting 78, which systemd never restarts) and starts once the
  // server works again.
  fail_ddl_with(*this, "53100");
  auto d = start_daemon();
  d->wait_for_line("PostgreSQL is not available", 30s);
  std::this_thread::sleep_for(2s);
  ASSERT_TRUE(d->running()) << d->output();
  exec("DROP EVENT TRIGGER fail_ddl");
  d->wait_for_line("ready: schema of", 60s);
  d->send_signal(SIGTERM);
  EXPECT_EQ(d->wait(30s), 0) << d->output();
}

TEST_F(HardeningTest, TheRunningDaemonCannotDumpCore) {
  LEADSYNC_REQUIRE_DATABASE();
  start_env();
  // Started with core dumps allowed (the shell running the tests often has them off already).
  rlimit saved{};
  ::getrlimit(RLIMIT_CORE, &saved);
  rlimit allowed{saved.rlim_max, saved.rlim_max};
  if (saved.rlim_max == 0 || ::setrlimit(RLIMIT_CORE, &allowed) != 0)
    GTEST_SKIP() << "cannot allow core dumps for the test (hard limit 0)";
  auto d = start_daemon();
  ::setrlimit(RLIMIT_CORE, &saved);
  metrics_port(*d);
  std::ifstream limits("/proc/" + std::to_string(d->pid()) + "/limits");
  std::string line, core;
  while (std::getline(limits, line))
    if (line.rfind("Max core file size", 0) == 0) core = line;
  std::istringstream fields(core.substr(std::string("Max core file size").size()));
  std::string soft, hard;
  fields >> soft >> hard;
  EXPECT_EQ(soft, "0") << core;
  EXPECT_EQ(hard, "0") << core;
  d->send_signal(SIGTERM);
  EXPECT_EQ(d->wait(30s), 0) << d->output();
}

bool holds_sigterm(pid_t pid, const std::string& binary) {
  return testing::holds_signal(pid, binary, SIGTERM);
}

TEST_F(HardeningTest, ASigtermAsSoonAsTheDaemonStartsStopsItCleanly) {
  LEADSYNC_REQUIRE_DATABASE();
  start_env();
  auto d = start_daemon();
  // Sent while main() is still loading the configuration and connecting: before the fix the default
  // action killed the process (143), and a supervisor or test saw an unclean stop.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!holds_sigterm(d->pid(), LEADSYNC_LEADSYNC_BIN) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_TRUE(holds_sigterm(d->pid(), LEADSYNC_LEADSYNC_BIN)) << "the daemon never held SIGTERM:\n"
                                                              << d->output();
  d->send_signal(SIGTERM);
  EXPECT_EQ(d->wait(30s), 0) << d->output();
  EXPECT_NE(d->output().find("SIGTERM: stopping after the batch in progress"), std::string::npos)
      << d->output();
  EXPECT_EQ(d->output().find("cycle success"), std::string::npos) << "stopped before any cycle";
}

// A raw keep-alive connection to the metrics server.
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error("connect");
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~RawConnection() { ::close(fd_); }
  // Sends a keep-alive GET and reads one answer; false once the server closed the connection.
  bool get(const std::string& target) {
    const std::string req = "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n";
    if (::send(fd_, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) return false;
    char buf[4096];
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0;
  }

 private:
  int fd_ = -1;
};

TEST_F(HardeningTest, AMetricsConnectionEndsAfterThirtySecondsHoweverBusy) {
  LEADSYNC_REQUIRE_DATABASE();
  start_env();
  auto d = start_daemon();
  const auto port = metrics_port(*d);
  RawConnection c(port);
  const auto start = std::chrono::steady_clock::now();
  // A request every 2 s keeps every per-request timeout happy; the connection still ends.
  bool open = true;
  while (open && std::chrono::steady_clock::now() - start < 45s) {
    open = c.get("/healthz");
    if (open) std::this_thread::sleep_for(2s);
  }
  EXPECT_FALSE(open) << "still served after 45 s";
  EXPECT_LT(std::chrono::steady_clock::now() - start, 35s);
  d->send_signal(SIGTERM);
  EXPECT_EQ(d->wait(30s), 0) << d->output();
}

TEST_F(HardeningTest, ARateLimitPolicyNameFromTheServerIsNotALabelValue) {
  LEADSYNC_REQUIRE_DATABASE();
  EnvOptions o;
  o.fake_args = {"--seed-leads", "2"};
  start_env(o);
  admin("POST", "/_fake/faults",
        R"({"path_prefix": "/crm/", "status": 429, "times": 1, "retry_after": 1, "body": {"status": "error",
            "message": "slow down", "errorType": "RATE_LIMIT", "policyName": "EVIL\"} 1\nleadsync_fake{x=\"1"}})");
  auto d = start_daemon();
  const auto port = metrics_port(*d);
  d->wait_for_line("cycle success", 60s);
  const auto metrics = testing::http_request(port, "GET", "/metrics").body;
  EXPECT_NE(metrics.find(R"(leadsync_hubspot_rate_limited_total{policy="other"} 1)"), std::string::npos)
      << metrics;
  EXPECT_EQ(metrics.find("EVIL"), std::string::npos) << metrics;
  EXPECT_EQ(metrics.find("leadsync_fake"), std::string::npos) << metrics;
  d->send_signal(SIGTERM);
  EXPECT_EQ(d->wait(30s), 0) << d->output();
}

TEST_F(HardeningTest, TextFromHubSpotCannotStartALogLineOfItsOwn) {
  LEADSYNC_REQUIRE_DATABASE();
  EnvOptions o;
  o.fake_args = {"--seed-leads", "2"};
  o.retry = "{ max_attempts: 1, initial_backoff: 10ms, max_backoff: 50ms }";
  start_env(o);
  const std::string forged = "\n<2>error: forged entry\r\n\x1b[2Jcleared";
  json body = {{"status", "error"},
               {"category", "VALIDATION_ERROR"},
               {"message", "bad request" + forged + std::string(20000, 'x')}};
  admin("POST", "/_fake/faults",
        json{{"path_prefix", "/crm/"}, {"status", 400}, {"times", -1}, {"body", body.dump()}}.dump());
  // Under journald (JOURNAL_STREAM set) each line starts with its priority prefix.
  auto r = cli({"--sync-now"}, {{"JOURNAL_STREAM", "8:1"}});
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("bad request"), std::string::npos) << r.output;
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("forged entry") != std::string::npos) {
      EXPECT_NE(line.find("\\n<2>error: forged entry"), std::string::npos) << "a line of its own: " << line;
    }
    EXPECT_EQ(line.find('\x1b'), std::string::npos) << line;
    EXPECT_EQ(line.find('\r'), std::string::npos) << line;
    EXPECT_LT(line.size(), 9000u) << "long values are cut";
  }
  EXPECT_NE(r.output.find("more bytes not logged"), std::string::npos) << r.output.substr(0, 2000);
}

}  // namespace
}  // namespace leadsync::daemon_test
