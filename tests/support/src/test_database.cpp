#include "leadsync/testing/test_database.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <pqxx/pqxx>
#include <stdexcept>

namespace leadsync::testing {

namespace {

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

// Replaces (or appends) dbname=... in a key=value DSN.
std::string with_dbname(const std::string& dsn, const std::string& db) {
  std::string out;
  std::size_t pos = 0;
  bool replaced = false;
  while (pos < dsn.size()) {
    auto end = dsn.find(' ', pos);
    if (end == std::string::npos) end = dsn.size();
    auto part = dsn.substr(pos, end - pos);
    if (part.rfind("dbname=", 0) == 0) {
      part = "dbname=" + db;
      replaced = true;
    }
    if (!part.empty()) out += (out.empty() ? "" : " ") + part;
    pos = end + 1;
  }
  if (!replaced) out += " dbname=" + db;
  return out;
}

}  // namespace

bool running_in_ci() {
  auto ci = env_or_empty("CI");
  return !ci.empty() && ci != "0" && ci != "false";
}

bool database_available(std::string* why) {
  auto dsn = env_or_empty("LEADSYNC_TEST_DSN");
  if (dsn.empty()) {
    if (why) *why = "LEADSYNC_TEST_DSN is not set (scripts/test.sh sets it)";
    return false;
  }
  try {
    pqxx::connection c(dsn);
    return true;
  } catch (const std::exception& e) {
    if (why) *why = std::string("cannot connect with LEADSYNC_TEST_DSN: ") + e.what();
    return false;
  }
}

TestDatabase::TestDatabase() : server_dsn_(env_or_empty("LEADSYNC_TEST_DSN")) {
  if (server_dsn_.empty()) throw std::runtime_error("LEADSYNC_TEST_DSN is not set");
  static std::atomic<int> counter{0};
  name_ = "leadsync_t_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  pqxx::connection c(server_dsn_);
  pqxx::nontransaction tx(c);
  tx.exec("DROP DATABASE IF EXISTS " + name_);
  tx.exec("CREATE DATABASE " + name_);
  dsn_ = with_dbname(server_dsn_, name_);
}

TestDatabase::~TestDatabase() {
  try {
    pqxx::connection c(server_dsn_);
    pqxx::nontransaction tx(c);
    tx.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (...) {
    // Best effort: the cluster is thrown away at the end of the run anyway.
  }
}

std::string TestDatabase::query_value(const std::string& sql) const {
  pqxx::connection c(dsn_);
  pqxx::nontransaction tx(c);
  auto r = tx.exec(sql);
  if (r.empty() || r[0].empty() || r[0][0].is_null()) return {};
  return r[0][0].c_str();
}

void TestDatabase::exec(const std::string& sql) const {
  pqxx::connection c(dsn_);
  pqxx::nontransaction tx(c);
  tx.exec(sql);
}

}  // namespace leadsync::testing
