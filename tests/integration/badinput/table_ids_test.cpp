// A lead id edited into something that is not a record id ("12a") in the table and in leadsync's bookkeeping
// (where the full sweep's delete check takes the ids it reads back): it never goes into a request, and its
// row is not taken for a lead deleted in HubSpot.
#include "badinput_fixture.hpp"

namespace leadsync::badinput {
namespace {

class TableIdsTest : public BadInputFixture {};

// Before: the full sweep's delete check sent "12a" in a batch read body, HubSpot answered it as not found,
// and with on_remote_delete: delete the operator's row was deleted.
TEST_F(TableIdsTest, ARowWhoseHubspotIdIsNotARecordIdIsNotDeletedByTheFullSweep) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "3"}, .sync_extra = "  on_remote_delete: delete\n"});
  run_ok();
  ASSERT_EQ(count("SELECT count(*) FROM leads"), 3);
  const std::string name = sql("SELECT lead_name FROM leads WHERE id = 1");
  const std::string id = hubspot_id(1);
  exec(
      "BEGIN; UPDATE leads SET hubspot_id = '12a' WHERE id = 1; UPDATE leadsync.base SET hubspot_id = '12a' "
      "WHERE hubspot_id = '" +
      id + "'; COMMIT");
  auto r = run({"--sync-now", "--full"});
  EXPECT_NE(r.output.find("lead id \"12a\" is not a HubSpot record id (digits only): not sent to HubSpot to "
                          "read its properties, and not taken as deleted there"),
            std::string::npos)
      << r.output;
  // Counted, not only logged: the run's summary and its log line say how many leads were left out.
  EXPECT_NE(r.output.find("skipped 1 lead(s) whose id is not a HubSpot record id"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("skipped_bad_id=1 "), std::string::npos) << r.output;
  EXPECT_EQ(sql("SELECT lead_name || '/' || archived FROM leads WHERE hubspot_id = '12a'"), name + "/false")
      << "deleted as if gone from HubSpot:\n"
      << r.output;
}

}  // namespace
}  // namespace leadsync::badinput
