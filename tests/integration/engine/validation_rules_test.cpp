// HubSpot 2026-09 enforces a portal's conditional-required rules on API writes: a local row breaking one
// fails alone (FAILED, the property named in sync_error), the rest of its batch syncs, and the row syncs
// once an operator fixed it and requeued it with --retry-failed. Runs on 2026-09 whatever the suite's
// version: the rules only exist there.
#include "sync_fixture.hpp"

namespace leadsync::engine_test {
namespace {

class ValidationRulesTest : public SyncFixture {
 protected:
  void start_with_rule() {
    start({.fake_args = {"--seed-leads", "3"},
           .extra_mappings = "  - { property: lead_notes,    column: lead_notes, type: string }\n",
           .api_version = "2026-09"});
    sync_ok();
    admin("POST", "/_fake/config",
          json{{"validation_rules", json::array({{{"kind", "conditional_required"},
                                                  {"property", "lead_notes"},
                                                  {"if_property", "hs_lead_type"},
                                                  {"if_value", "EXISTING_BUSINESS"}}})}}
              .dump(),
          200);
  }
};

TEST_F(ValidationRulesTest, RowMissingAConditionallyRequiredPropertyFailsAloneAndSyncsOnceFixed) {
  LEADSYNC_REQUIRE_DATABASE();
  start_with_rule();
  ASSERT_EQ(count("SELECT count(*) FROM leads"), 3);
  const auto bad = sql("SELECT hubspot_id FROM leads WHERE id = 1");
  // One batch of three updates: row 1 breaks the rule (EXISTING_BUSINESS without notes), 2 and 3 do not.
  // The type of 2 and 3 is set too: the seed makes every other lead EXISTING_BUSINESS, and the rule is
  // checked against the record as the write leaves it.
  exec(
      "BEGIN; UPDATE leads SET lead_type = 'EXISTING_BUSINESS', lead_notes = NULL WHERE id = 1;"
      "UPDATE leads SET lead_type = 'NEW_BUSINESS', lead_label = 'HOT' WHERE id IN (2, 3); COMMIT;");
  auto r = sync();
  EXPECT_EQ(r.exit_code, 1) << "finished, but a record failed:\n" << r.output;
  EXPECT_EQ(sql("SELECT sync_status FROM leads WHERE id = 1"), "FAILED");
  const auto error = sql("SELECT sync_error FROM leads WHERE id = 1");
  EXPECT_NE(error.find("lead_notes"), std::string::npos) << error;
  EXPECT_NE(error.find("MISSING_CONDITIONAL_REQUIRED_PROPERTY"), std::string::npos) << error;
  EXPECT_EQ(count("SELECT count(*) FROM leads WHERE id IN (2, 3) AND sync_status = 'SYNCED'"), 2);
  for (int row : {2, 3}) {
    const auto id = sql("SELECT hubspot_id FROM leads WHERE id = " + std::to_string(row));
    EXPECT_EQ(remote_lead(id)["properties"]["hs_lead_label"], "HOT") << "row " << row;
  }
  EXPECT_NE(remote_lead(bad)["properties"]["hs_lead_type"], "EXISTING_BUSINESS");

  // A FAILED change is not retried by itself: another run leaves it.
  auto again = sync();
  EXPECT_EQ(sql("SELECT sync_status FROM leads WHERE id = 1"), "FAILED") << again.output;

  // The operator fills in the notes, then requeues the failure.
  exec("UPDATE leads SET lead_notes = 'renewal of the 2025 contract' WHERE id = 1");
  sync_ok({"--retry-failed"});
  sync_ok();
  EXPECT_EQ(sql("SELECT sync_status FROM leads WHERE id = 1"), "SYNCED");
  const auto remote = remote_lead(bad);
  EXPECT_EQ(remote["properties"]["hs_lead_type"], "EXISTING_BUSINESS");
  EXPECT_EQ(api("GET", "/crm/v3/objects/leads/" + bad + "?properties=lead_notes")["properties"]["lead_notes"],
            "renewal of the 2025 contract");
}

TEST_F(ValidationRulesTest, ASingleRowUpdateRefusedByARuleNamesTheProperty) {
  LEADSYNC_REQUIRE_DATABASE();
  start_with_rule();
  // A NEW_BUSINESS lead (the seed alternates the types) turned EXISTING_BUSINESS without notes.
  const auto row = sql("SELECT id FROM leads WHERE lead_type = 'NEW_BUSINESS' ORDER BY id LIMIT 1");
  ASSERT_FALSE(row.empty());
  exec("UPDATE leads SET lead_type = 'EXISTING_BUSINESS', lead_notes = NULL WHERE id = " + row);
  auto r = sync();
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(sql("SELECT sync_status FROM leads WHERE id = " + row), "FAILED");
  const auto error = sql("SELECT sync_error FROM leads WHERE id = " + row);
  EXPECT_NE(error.find("lead_notes"), std::string::npos) << error;
  EXPECT_EQ(count("SELECT count(*) FROM leads WHERE id <> " + row + " AND sync_status = 'SYNCED'"), 2);
}

}  // namespace
}  // namespace leadsync::engine_test
