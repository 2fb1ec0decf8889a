// What a PostgreSQL failure means is decided by its SQLSTATE class in one place (classify_sqlstate); the
// error db/ throws carries the SQLSTATE as category and the matching kind.
#include "leadsync/db/pg_failure.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <pqxx/pqxx>

#include "pg_error.hpp"

namespace leadsync::db {
namespace {

core::Error classified(const std::function<void()>& thrower) {
  try {
    try {
      thrower();
    } catch (...) {
      detail::rethrow_as_core_error("doing");
    }
  } catch (const core::Error& e) {
    return e;
  }
  ADD_FAILURE() << "nothing thrown";
  return core::fatal_error("nothing");
}

TEST(PgFailure, ServerTroubleIsRetriedAndConfigurationIsNot) {
  // disk full, out of memory, too many connections, I/O error, internal error, data corrupted, statement
  // timeout, admin shutdown, serialization failure, connection failure, read-only replica
  for (const char* s : {"53100", "53200", "53300", "58030", "XX000", "XX001", "57014", "57P01", "40001",
                        "08006", "25006", "55P03"})
    EXPECT_EQ(classify_sqlstate(s), PgFailure::retry) << s;
  for (const char* s : {"42P01", "42501", "3F000", "0A000", "", "CONFIG", "VALIDATION_ERROR"})
    EXPECT_EQ(classify_sqlstate(s), PgFailure::refused) << s;
  for (const char* s : {"22001", "23505", "P0001"}) EXPECT_EQ(classify_sqlstate(s), PgFailure::record) << s;
  EXPECT_EQ(classify_sqlstate("08007"), PgFailure::outcome_unknown);
}

TEST(PgFailure, ADiskFullIsTransientWithItsSqlstate) {
  auto e = classified([] { throw pqxx::sql_error("ERROR:  could not extend file\n", "INSERT", "53100"); });
  EXPECT_TRUE(e.is_transient());
  EXPECT_EQ(e.details().category, "53100");
  EXPECT_TRUE(is_database_unavailable(e));
}

TEST(PgFailure, AnUnknownCommitOutcomeIsFatalButUnavailable) {
  auto e = classified([] { throw pqxx::in_doubt_error("connection lost during COMMIT"); });
  EXPECT_TRUE(e.is_fatal()) << "never retried blindly";
  EXPECT_EQ(e.details().category, "08007");
  EXPECT_TRUE(is_database_unavailable(e));
}

TEST(PgFailure, ASchemaProblemIsNotUnavailable) {
  auto e = classified([] { throw pqxx::sql_error("ERROR:  relation does not exist\n", "SELECT", "42P01"); });
  EXPECT_TRUE(e.is_fatal());
  EXPECT_FALSE(is_database_unavailable(e));
  core::ErrorDetails hubspot;
  hubspot.http_status = 400;
  hubspot.category = "08007";
  EXPECT_FALSE(is_database_unavailable(core::fatal_error("x", hubspot))) << "only errors without HTTP status";
}

}  // namespace
}  // namespace leadsync::db
