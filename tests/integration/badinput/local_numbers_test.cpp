// NaN and Infinity in a number column: PostgreSQL's numeric and double precision accept 'NaN', 'Infinity' and
// '-Infinity', which no HubSpot number property can hold. The row fails alone, naming the column, before
// anything is sent for it; the rest of its batch syncs; fixing the value syncs it.
#include "badinput_fixture.hpp"

namespace leadsync::badinput {
namespace {

class LocalNumbersTest : public BadInputFixture {
 protected:
  std::string row(long id, const std::string& column) {
    return sql("SELECT " + column + " FROM leads WHERE id = " + std::to_string(id));
  }
};

TEST_F(LocalNumbersTest, NaNAndInfinityInANumberColumnFailThatRowNamingTheColumnAndTheOthersSync) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "3"},
         .mappings_extra = "  - { property: lead_score, column: lead_score, type: number }\n"});
  run_ok();
  ASSERT_EQ(sql("SELECT data_type FROM information_schema.columns WHERE table_name = 'leads' AND "
                "column_name = 'lead_score'"),
            "numeric");
  const auto expect_refused = [&](long id, const std::string& value, const std::string& output) {
    EXPECT_EQ(row(id, "sync_status"), "FAILED") << output;
    EXPECT_NE(
        row(id, "sync_error")
            .find("column lead_score holds " + value +
                  ", which HubSpot's number property lead_score cannot store (finite numbers only); not "
                  "sent"),
        std::string::npos)
        << row(id, "sync_error");
  };

  // numeric: NaN on an update and on a create, next to a valid update in the same batch.
  exec("UPDATE leads SET lead_score = 'NaN' WHERE id = 1");
  exec("UPDATE leads SET lead_score = 12.5 WHERE id = 2");
  const long created = insert_lead("'New with NaN'");
  exec("UPDATE leads SET lead_score = 'NaN' WHERE id = " + std::to_string(created));
  const long writes = remote_writes();
  auto r = run();
  EXPECT_EQ(r.exit_code, 1) << r.output;
  expect_refused(1, "NaN", r.output);
  expect_refused(created, "NaN", r.output);
  EXPECT_EQ(remote_writes() - writes, 1) << "only row 2 is sent:\n" << r.output;
  EXPECT_EQ(remote_value(hubspot_id(2), "lead_score"), "12.5") << r.output;
  EXPECT_EQ(remote_value(hubspot_id(1), "lead_score"), "");
  EXPECT_EQ(hubspot_id(created), "") << "not created with a NaN";

  // double precision: Infinity and -Infinity.
  exec("ALTER TABLE leads ALTER COLUMN lead_score TYPE double precision");
  exec("UPDATE leads SET lead_score = 'Infinity' WHERE id = 1");
  exec("UPDATE leads SET lead_score = '-Infinity' WHERE id = 3");
  r = run({"--sync-now", "--retry-failed"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  expect_refused(1, "Infinity", r.output);
  expect_refused(3, "-Infinity", r.output);
  EXPECT_EQ(remote_value(hubspot_id(3), "lead_score"), "");

  // Fixed values sync, the new row is created: nothing was lost.
  exec("UPDATE leads SET lead_score = 1 WHERE id IN (1, 3, " + std::to_string(created) + ")");
  auto out = run_ok();
  EXPECT_EQ(remote_value(hubspot_id(1), "lead_score"), "1") << out;
  EXPECT_EQ(remote_value(hubspot_id(3), "lead_score"), "1") << out;
  EXPECT_NE(hubspot_id(created), "") << out;
  EXPECT_EQ(count("SELECT count(*) FROM leads WHERE sync_status <> 'SYNCED'"), 0) << out;
}

}  // namespace
}  // namespace leadsync::badinput
