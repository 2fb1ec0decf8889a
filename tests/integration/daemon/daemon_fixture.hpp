#pragma once
// DaemonFixture: one real PostgreSQL database, one real fake-hubspot and the real leadsync binary (as a
// daemon or a one-shot CLI), wired by a generated YAML config in a per-test directory.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "leadsync/testing/fake_hubspot.hpp"
#include "leadsync/testing/process.hpp"
#include "leadsync/testing/test_database.hpp"

namespace leadsync::daemon_test {

using nlohmann::json;
using namespace std::chrono_literals;
using Ms = std::chrono::milliseconds;

inline constexpr const char* kToken = "daemon-test-token-8d1f";  // also checked never to appear in output

struct EnvOptions {
  std::vector<std::string> fake_args;
  std::string sync_yaml = "  interval: 1h\n";  // lines under sync:
  std::string rate_limit = "{ requests_per_10s: 1000, search_per_second: 100 }";
  std::string retry = "{ max_attempts: 3, initial_backoff: 10ms, max_backoff: 200ms }";
  std::string table = "public.leads";
  std::string logging = "{ level: info }";
  std::string base_url;  // default: the fake's
  bool metrics = true;
  bool create_database = true;  // false: dsn must be set (e.g. a dedicated cluster)
  std::string dsn;
  std::string extra_yaml;  // appended to the config (e.g. a webhooks: section)
};

// A systemd notify socket ($NOTIFY_SOCKET): an AF_UNIX datagram socket whose messages the test reads.
class NotifySocket {
 public:
  explicit NotifySocket(std::filesystem::path path);
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;
  // Every message received so far, in order.
  const std::vector<std::string>& messages();
  // The same, each followed by a line break.
  std::string all();
  bool has(const std::string& needle);
  int count(const std::string& needle);

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<std::string> messages_;
};

class DaemonFixture : public ::testing::Test {
 public:
  void SetUp() override;
  void TearDown() override;

  // Database, fake-hubspot and the config file; call after LEADSYNC_REQUIRE_DATABASE().
  void start_env(EnvOptions options = {});
  std::string config_text(const EnvOptions& o) const;
  void write_config(const std::string& text) const;
  testing::ChildProcess::Env env() const;

  std::unique_ptr<testing::ChildProcess> start_daemon(std::vector<std::string> extra = {},
                                                      testing::ChildProcess::Env extra_env = {});
  testing::ProcessResult cli(std::vector<std::string> args, testing::ChildProcess::Env extra_env = {});

  // The port from "metrics listening on 127.0.0.1:PORT".
  static std::uint16_t metrics_port(testing::ChildProcess& daemon);
  static int count_lines(const std::string& text, const std::string& needle);
  // Polls `condition` every 20 ms; false after `timeout`.
  static bool eventually(const std::function<bool()>& condition, Ms timeout);

  std::string sql(const std::string& query) const { return db_ ? db_->query_value(query) : query_dsn(query); }
  void exec(const std::string& statement) const;
  long count(const std::string& query) const;
  std::string query_dsn(const std::string& query) const;

  json admin(const std::string& method, const std::string& path, const std::string& body = {});
  json api(const std::string& method, const std::string& target, const std::string& body = {});
  std::string remote_name(const std::string& hubspot_id);  // hs_lead_name in fake-hubspot
  json fake_stats();
  // Requests fake-hubspot served that change data (creates, updates, deletes, association writes).
  static long write_requests(const json& stats);
  static long requests_matching(const json& stats, const std::string& route);
  // A digest of every row of the table, its associations table and leadsync's bookkeeping tables.
  std::string database_digest() const;

  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<testing::FakeHubspot> fake_;
  std::filesystem::path dir_;
  std::filesystem::path config_;
  std::string dsn_;
  EnvOptions options_;
};

}  // namespace leadsync::daemon_test
