// A database whose text is not UTF-8: LATIN1 cannot hold much of HubSpot's text, SQL_ASCII stores any bytes
// unchecked, and a client_encoding other than UTF8 has PostgreSQL convert leadsync's UTF-8 as something else.
// leadsync refuses each at start (exit 78, restarting cannot fix it) naming the encoding, before it creates
// anything in that database.
#include "badinput_fixture.hpp"

namespace leadsync::badinput {
namespace {

class DatabaseEncodingTest : public BadInputFixture {
 protected:
  void TearDown() override {
    for (const auto& name : created_) exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    BadInputFixture::TearDown();
  }
  // A database next to the test's own, in `encoding`; returns its DSN.
  std::string database_in(const std::string& encoding) {
    std::string lower;
    for (char c : encoding) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    const std::string name = db_->name() + "_" + lower;
    exec("CREATE DATABASE " + name + " ENCODING '" + encoding +
         "' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'");
    created_.push_back(name);
    std::string dsn = db_->dsn();
    const auto at = dsn.rfind(db_->name());
    return dsn.replace(at, db_->name().size(), name);
  }
  std::vector<std::string> created_;
};

// Before: leadsync ran on either; on LATIN1 (client_encoding LATIN1 too, libpq's default) each byte of
// HubSpot's UTF-8 became a character of its own ("Zoë" stored as "ZoÃ«"); on SQL_ASCII any bytes went in.
TEST_F(DatabaseEncodingTest, ADatabaseThatIsNotUtf8IsRefusedAtStartNamingTheEncoding) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "2"}});
  for (const std::string encoding : {"LATIN1", "SQL_ASCII"}) {
    SCOPED_TRACE(encoding);
    const std::string dsn = database_in(encoding);
    // --sync-now, and the daemon (the default mode) exits too rather than retrying what no wait can fix.
    for (const std::vector<std::string>& mode :
         {std::vector<std::string>{"--sync-now"}, std::vector<std::string>{}}) {
      SCOPED_TRACE(mode.empty() ? "daemon" : mode[0]);
      auto r = run(mode, {{"LEADSYNC_DATABASE_URL", dsn}});
      EXPECT_EQ(r.exit_code, 78) << r.output;
      EXPECT_NE(r.output.find("uses the encoding " + encoding + "; leadsync needs a UTF8 database"),
                std::string::npos)
          << r.output;
      EXPECT_NE(r.output.find("ENCODING 'UTF8'"), std::string::npos) << r.output;
    }
  }
  // The UTF8 database of the test works as before.
  run_ok();
  EXPECT_EQ(count("SELECT count(*) FROM leads"), 2);
}

TEST_F(DatabaseEncodingTest, AClientEncodingOtherThanUtf8IsRefusedAtStart) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "2"}});
  auto r = run({"--sync-now"}, {{"PGCLIENTENCODING", "LATIN1"}});
  EXPECT_EQ(r.exit_code, 78) << r.output;
  EXPECT_NE(r.output.find("the connection's client_encoding is LATIN1"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("PGCLIENTENCODING"), std::string::npos) << r.output;
  EXPECT_EQ(sql("SELECT to_regclass('public.leads') IS NULL AND to_regnamespace('leadsync') IS NULL"), "t")
      << "nothing created";
  run_ok();
  EXPECT_EQ(count("SELECT count(*) FROM leads"), 2);
}

}  // namespace
}  // namespace leadsync::badinput
