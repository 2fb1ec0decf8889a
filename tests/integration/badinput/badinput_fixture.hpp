#pragma once
// BadInputFixture: a real PostgreSQL database, a real fake-hubspot and the real leadsync binary, wired by a
// generated YAML config that each test can adjust (extra mappings, retries, response size, a table created
// by the "operator" first). Tests feed one bad input and check what leadsync does: exit code, message,
// sync_status/sync_error, the outbox, and that nothing else was lost or touched.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "leadsync/testing/fake_hubspot.hpp"
#include "leadsync/testing/process.hpp"
#include "leadsync/testing/test_database.hpp"

namespace leadsync::badinput {

using nlohmann::json;

inline constexpr const char* kToken = "badinput-token-5e1f-secret";  // checked never to appear in output

struct Options {
  std::vector<std::string> fake_args;
  std::string conflict_policy = "newest_wins";
  std::string retry = "{ max_attempts: 3, initial_backoff: 10ms, max_backoff: 50ms }";
  std::string hubspot_extra;   // lines under hubspot:
  std::string sync_extra;      // lines under sync:
  std::string mappings_extra;  // lines under mappings:
};

class BadInputFixture : public ::testing::Test {
 public:
  void SetUp() override;
  void TearDown() override;

  void start(Options options = {});
  std::string config_text() const;
  void write_config(const std::string& text) const;

  testing::ProcessResult run(std::vector<std::string> args = {"--sync-now"},
                             testing::ChildProcess::Env env = {});
  std::string run_ok(std::vector<std::string> args = {"--sync-now"});

  std::string sql(const std::string& query) const { return db_->query_value(query); }
  void exec(const std::string& statement) const { db_->exec(statement); }
  long count(const std::string& query) const;

  json admin(const std::string& method, const std::string& path, const json& body = nullptr, int expect = 0);
  json api(const std::string& method, const std::string& target, const json& body = nullptr, int expect = 0);
  void fault(const json& f);  // POST /_fake/faults
  void clear_faults();
  void ui_edit(const std::string& id, const json& properties);
  std::string remote_value(const std::string& id, const std::string& property);
  std::string hubspot_id(long row) const;
  std::string new_contact();
  // Inserts a lead with a primary contact in one transaction; returns its row id.
  long insert_lead(const std::string& name_sql, const std::string& label_sql = "NULL");
  // Every row of the table and its associations (a change anywhere changes the digest).
  std::string table_digest() const;
  // Writes fake-hubspot served (POST/PATCH/PUT/DELETE under /crm/, reads excluded).
  long remote_writes();

  Options options_;
  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<testing::FakeHubspot> fake_;
  std::filesystem::path dir_;
  std::filesystem::path config_;
};

}  // namespace leadsync::badinput
