#pragma once
// TestDatabase: a fresh, empty PostgreSQL database for one test, created on the cluster that
// LEADSYNC_TEST_DSN points at (scripts/test.sh starts a throwaway cluster and exports it), dropped
// afterwards. Integration tests start with LEADSYNC_REQUIRE_DATABASE(): without a reachable database they
// are skipped locally but FAIL when the CI environment variable is set.
#include <optional>
#include <string>

#include <gtest/gtest.h>

namespace leadsync::testing {

bool running_in_ci();
// True when LEADSYNC_TEST_DSN is set and accepts a connection; otherwise explains why not.
bool database_available(std::string* why);

class TestDatabase {
 public:
  TestDatabase();   // throws std::runtime_error when the server is not reachable
  ~TestDatabase();  // drops the database (terminating leftover sessions)
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& dsn() const { return dsn_; }
  const std::string& name() const { return name_; }
  // Runs SQL on a fresh connection and returns the first column of the first row (or "" if none/NULL).
  std::string query_value(const std::string& sql) const;
  void exec(const std::string& sql) const;

 private:
  std::string server_dsn_;
  std::string name_;
  std::string dsn_;
};

}  // namespace leadsync::testing

#define LEADSYNC_REQUIRE_DATABASE()                                 \
  do {                                                              \
    std::string leadsync_why_;                                      \
    if (!::leadsync::testing::database_available(&leadsync_why_)) { \
      if (::leadsync::testing::running_in_ci()) {                   \
        FAIL() << "CI is set but no database: " << leadsync_why_;   \
      } else {                                                      \
        GTEST_SKIP() << "no database: " << leadsync_why_;           \
      }                                                             \
    }                                                               \
  } while (0)
