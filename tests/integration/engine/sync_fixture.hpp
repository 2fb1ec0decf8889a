#pragma once
// SyncFixture: one real PostgreSQL database, one real fake-hubspot and the real leadsync binary, wired by
// a generated YAML config. Tests drive both sides (SQL on the table, HTTP on fake-hubspot as the API or
// as a person in the UI) and run `leadsync --sync-now` between the steps.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "leadsync/testing/api_version.hpp"
#include "leadsync/testing/fake_hubspot.hpp"
#include "leadsync/testing/process.hpp"
#include "leadsync/testing/test_database.hpp"

namespace leadsync::engine_test {

using nlohmann::json;

struct FixtureOptions {
  std::string conflict_policy = "newest_wins";
  std::string on_remote_delete = "archive";
  bool unique_key = true;
  std::vector<std::string> fake_args;
  std::string extra_yaml;      // appended under sync: (indented by the caller)
  std::string extra_mappings;  // appended under mappings: ("  - { property: ..., column: ... }\n")
  std::string retry = "{ max_attempts: 3, initial_backoff: 10ms, max_backoff: 50ms }";  // hubspot.retry
  std::string request_timeout;  // hubspot.timeouts.request; empty: the default
  // hubspot.api_version; default LEADSYNC_TEST_API_VERSION (2026-03 when unset).
  std::string api_version = testing::test_api_version();
};

class SyncFixture : public ::testing::Test {
 public:
  void SetUp() override;
  void TearDown() override;
  // Starts fake-hubspot and writes the config; call from the test body (after LEADSYNC_REQUIRE_DATABASE).
  void start(FixtureOptions options = {});

  testing::ProcessResult sync(std::vector<std::string> extra = {});
  // sync() that must succeed (exit 0); returns its output.
  std::string sync_ok(std::vector<std::string> extra = {});

  std::string sql(const std::string& query) const { return db_->query_value(query); }
  void exec(const std::string& statement) const { db_->exec(statement); }
  long count(const std::string& where_clause_query) const;

  json api(const std::string& method, const std::string& target, const std::string& body = {},
           int expect = 0);
  json admin(const std::string& method, const std::string& path, const std::string& body = {},
             int expect = 0);
  json remote_lead(const std::string& id);    // GET with the mapped properties and associations
  bool remote_exists(const std::string& id);  // not archived
  std::string new_contact();                  // via the admin route
  std::string new_company();
  json create_remote_lead(const std::string& name, const std::string& contact,
                          const std::string& label = "WARM");
  // A local row and its primary contact association, in one transaction (HubSpot needs both at create).
  void insert_local_lead(const std::string& name, const std::string& contact);
  // What a run killed after the create POST of local row `name` leaves behind: HubSpot has the lead with the
  // row's unique key, every outbox row is PENDING with one attempt, the row has no hubspot_id. HubSpot's id.
  std::string create_unconfirmed(const std::string& name, const std::string& contact);
  // Writes (POST/PATCH/PUT/DELETE on the CRM API) fake-hubspot served since the last call.
  long remote_writes_since_mark();
  void mark_remote_writes();
  std::map<std::string, long> request_counts();
  // Where leadsync's lead calls go on the configured version (/crm/objects/2026-03/leads, ...): for fault
  // rules and request counts.
  std::string leads_path() const { return testing::leads_path(api_version_); }

  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<testing::FakeHubspot> fake_;
  std::filesystem::path dir_;
  std::filesystem::path config_;
  std::map<std::string, long> mark_;
  std::string api_version_ = testing::test_api_version();
};

}  // namespace leadsync::engine_test
