// The DSN's password never leaves db/: every spelling of it (keyword form, URI userinfo, URI query, quoted,
// percent-encoded) is found, even in DSNs libpq cannot parse, and a malformed DSN is refused without the
// pieces libpq would quote.
#include "dsn_redaction.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "leadsync/core/error.hpp"
#include "pg_error.hpp"
#include "pg_session.hpp"

namespace leadsync::db::detail {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

struct Case {
  const char* dsn;
  const char* password;  // as it must not appear
};

const Case kCases[] = {
    {"postgresql://u:pw1-secret@[::1]x/db", "pw1-secret"},
    {"postgresql://u:pw2-secret@[::1/db", "pw2-secret"},
    {"postgresql://u:p%41ss3-secret@localhost/db", "pAss3-secret"},
    {"postgresql://u:p%zz4-secret@localhost/db", "p%zz4-secret"},
    {"postgres://u@localhost/db?password=pw5-secret&sslmode=bogus", "pw5-secret"},
    {"host=localhost password=pw6-secret dbname=x", "pw6-secret"},
    {"host=localhost password = 'pw7 secret\\'s' dbname=x", "pw7 secret's"},
    {"host=localhost password='pw8-secret", "pw8-secret"},
    {"host=localhost password=two pw9-secret", "pw9-secret"},
};

TEST(DsnRedaction, EverySpellingOfThePasswordIsFound) {
  for (const auto& c : kCases) EXPECT_THAT(dsn_secrets(c.dsn), Contains(std::string(c.password))) << c.dsn;
  EXPECT_TRUE(dsn_secrets("host=localhost dbname=x").empty());
  EXPECT_TRUE(dsn_secrets("postgresql://u@localhost/db").empty());
}

TEST(DsnRedaction, AMalformedDsnIsAConfigurationErrorWithoutItsPassword) {
  for (const auto& c : kCases) {
    try {
      check_dsn_syntax(c.dsn);
      // Well-formed for libpq (sslmode=bogus is checked when connecting): nothing to refuse here.
      continue;
    } catch (const core::Error& e) {
      EXPECT_TRUE(e.is_fatal());
      EXPECT_EQ(e.details().category, "CONFIG");
      EXPECT_THAT(e.what(), HasSubstr("DSN"));
      EXPECT_THAT(e.what(), Not(HasSubstr(c.password))) << c.dsn;
      EXPECT_THAT(e.what(), Not(HasSubstr("secret"))) << c.dsn << ": " << e.what();
    }
  }
  EXPECT_NO_THROW(check_dsn_syntax("host=localhost dbname=x password=ok"));
}

TEST(DsnRedaction, RememberedSecretsAreRedactedFromAnyText) {
  remember_dsn_secrets("postgresql://u:Rem3mbered@localhost/db");
  EXPECT_EQ(redact_dsn_secrets("failed for postgresql://u:Rem3mbered@localhost/db (Rem3mbered)"),
            "failed for [redacted] ([redacted])");
}

TEST(DsnRedaction, AShortPasswordIsRedactedWhereItStandsAlone) {
  remember_dsn_secrets("postgresql://u:pw@localhost/db");
  EXPECT_EQ(redact_dsn_secrets("pwd is not pw, \"pw\""), "pwd is not [redacted], \"[redacted]\"");
}

TEST(DsnRedaction, ErrorsLeavingDbAreRedacted) {
  remember_dsn_secrets("host=h password=In-An-Error");
  try {
    try {
      throw pqxx::broken_connection("could not connect: password \"In-An-Error\" is wrong");
    } catch (...) {
      rethrow_as_core_error("connecting");
    }
  } catch (const core::Error& e) {
    EXPECT_THAT(e.what(), Not(HasSubstr("In-An-Error")));
    EXPECT_THAT(e.what(), HasSubstr("[redacted]"));
  }
}

TEST(DsnRedaction, ConnectingWithAMalformedDsnNeverReachesLibpq) {
  try {
    PgSession s("postgresql://u:Never-Shown@[::1]x/db");
    FAIL() << "connected?";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.details().category, "CONFIG");
    EXPECT_THAT(e.what(), Not(HasSubstr("Never-Shown")));
  }
}

}  // namespace
}  // namespace leadsync::db::detail
