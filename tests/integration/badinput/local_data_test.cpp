// Bad local data and values that do not fit: what leadsync does with a row HubSpot would refuse, and with a
// HubSpot value the operator's column cannot hold. One record fails with a message saying why; the others
// are synced; nothing is sent that HubSpot must refuse.
#include "badinput_fixture.hpp"

namespace leadsync::badinput {
namespace {

class LocalDataTest : public BadInputFixture {};

TEST_F(LocalDataTest, AnInvalidEnumerationValueFailsThatLeadWithHubSpotsMessageAndTheOthersAreSynced) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "3"}});
  run_ok();
  exec("UPDATE leads SET lead_label = 'NOT_AN_OPTION' WHERE id = 1");
  exec("UPDATE leads SET lead_label = 'COLD' WHERE id IN (2, 3)");
  auto r = run();
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(sql("SELECT sync_status FROM leads WHERE id = 1"), "FAILED");
  EXPECT_NE(sql("SELECT sync_error FROM leads WHERE id = 1").find("NOT_AN_OPTION"), std::string::npos);
  EXPECT_EQ(remote_value(hubspot_id(2), "hs_lead_label"), "COLD") << r.output;
  EXPECT_EQ(remote_value(hubspot_id(3), "hs_lead_label"), "COLD") << r.output;
  EXPECT_NE(remote_value(hubspot_id(1), "hs_lead_label"), "NOT_AN_OPTION");
  // Fixing the row sends it.
  exec("UPDATE leads SET lead_label = 'HOT' WHERE id = 1");
  auto out = run_ok();
  EXPECT_EQ(remote_value(hubspot_id(1), "hs_lead_label"), "HOT") << out;
}

TEST_F(LocalDataTest, ANullNameOnACreateFailsBeforeAnythingIsSent) {
  LEADSYNC_REQUIRE_DATABASE();
  start();
  run_ok();
  const long nameless = insert_lead("NULL");
  const long named = insert_lead("'Has a name'");
  const long writes = remote_writes();
  auto r = run();
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(remote_writes() - writes, 1) << "only the named lead is created:\n" << r.output;
  EXPECT_EQ(sql("SELECT sync_status FROM leads WHERE id = " + std::to_string(nameless)), "FAILED");
  EXPECT_NE(sql("SELECT sync_error FROM leads WHERE id = " + std::to_string(nameless)).find("hs_lead_name"),
            std::string::npos);
  EXPECT_FALSE(hubspot_id(named).empty());
  exec("UPDATE leads SET lead_name = 'Named later' WHERE id = " + std::to_string(nameless));
  auto out = run_ok();
  EXPECT_FALSE(hubspot_id(nameless).empty()) << out;
}

// HubSpot requires a lead name: clearing it on an existing lead is refused locally with the reason, not sent.
TEST_F(LocalDataTest, ClearingTheNameOfASyncedLeadFailsBeforeAnythingIsSent) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "2"}});
  run_ok();
  const auto id = hubspot_id(1);
  const auto name = remote_value(id, "hs_lead_name");
  exec("UPDATE leads SET lead_name = NULL WHERE id = 1");
  exec("UPDATE leads SET lead_label = 'WARM' WHERE id = 2");
  auto r = run();
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(remote_value(id, "hs_lead_name"), name) << r.output;
  EXPECT_EQ(sql("SELECT sync_status FROM leads WHERE id = 1"), "FAILED");
  EXPECT_NE(sql("SELECT sync_error FROM leads WHERE id = 1").find("hs_lead_name"), std::string::npos);
  EXPECT_EQ(remote_value(hubspot_id(2), "hs_lead_label"), "WARM");
}

// HubSpot stores at most 65,536 characters in a string property value; longer values are refused before
// they are sent (a whole batch would otherwise carry a value HubSpot must reject).
TEST_F(LocalDataTest, AStringLongerThanHubSpotAcceptsFailsBeforeAnythingIsSent) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "2"}});
  run_ok();
  const auto id = hubspot_id(1);
  const auto name = remote_value(id, "hs_lead_name");
  exec("UPDATE leads SET lead_name = repeat('x', 65537) WHERE id = 1");
  exec("UPDATE leads SET lead_name = repeat('y', 65536) WHERE id = 2");  // exactly the limit: fine
  const long created = insert_lead("repeat('é', 70000)");
  auto r = run();
  EXPECT_EQ(r.exit_code, 1) << r.output.substr(0, 4000);
  EXPECT_EQ(remote_value(id, "hs_lead_name"), name);
  EXPECT_EQ(remote_value(hubspot_id(2), "hs_lead_name").size(), 65536u);
  EXPECT_TRUE(hubspot_id(created).empty());
  for (long row : {1L, created}) {
    EXPECT_EQ(sql("SELECT sync_status FROM leads WHERE id = " + std::to_string(row)), "FAILED");
    const auto error = sql("SELECT sync_error FROM leads WHERE id = " + std::to_string(row));
    EXPECT_NE(error.find("65,536"), std::string::npos) << error;
    EXPECT_NE(error.find("hs_lead_name"), std::string::npos) << error;
  }
}

// The operator made lead_name varchar(20): a longer name edited in HubSpot does not fit. That lead is left
// out and reported (exit 1, PostgreSQL's reason on the row); the others are applied; once the column is
// widened the next run applies it (failed leads are read again every cycle, though the watermark moved past
// them).
TEST_F(LocalDataTest, AHubSpotStringTooLongForTheColumnLeavesOnlyThatLeadOut) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "3"}});
  run_ok();
  exec("ALTER TABLE leads ALTER COLUMN lead_name TYPE varchar(20)");
  ui_edit(hubspot_id(1), {{"hs_lead_name", "A name much longer than twenty characters"}});
  ui_edit(hubspot_id(2), {{"hs_lead_name", "Short"}});
  auto r = run();
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find(hubspot_id(1)), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("character varying(20)"), std::string::npos) << r.output;
  EXPECT_EQ(sql("SELECT lead_name FROM leads WHERE id = 2"), "Short");
  EXPECT_NE(sql("SELECT lead_name FROM leads WHERE id = 1"), "A name much longer than twenty characters");
  EXPECT_NE(sql("SELECT sync_error FROM leads WHERE id = 1").find("character varying(20)"),
            std::string::npos);
  EXPECT_EQ(sql("SELECT sync_status FROM leads WHERE id = 1"), "FAILED");
  // Still too long: still refused, still recorded (not skipped because the watermark moved on).
  auto again = run();
  EXPECT_EQ(again.exit_code, 1) << again.output;
  EXPECT_NE(sql("SELECT sync_error FROM leads WHERE id = 1").find("character varying(20)"),
            std::string::npos);
  exec("ALTER TABLE leads ALTER COLUMN lead_name TYPE text");
  auto out = run_ok();
  EXPECT_EQ(sql("SELECT lead_name FROM leads WHERE id = 1"), "A name much longer than twenty characters")
      << out;
  EXPECT_EQ(sql("SELECT sync_status FROM leads WHERE id = 1"), "SYNCED") << out;
  EXPECT_EQ(sql("SELECT sync_error FROM leads WHERE id = 1"), "") << out;
  EXPECT_EQ(remote_value(hubspot_id(1), "hs_lead_name"), "A name much longer than twenty characters");
}

// An import writes new rows with one array parameter per column: the text columns (and the ids, timestamps)
// in binary format, the other types as literals that PostgreSQL casts. Every type, NULLs among them, arrives
// as HubSpot has it; 50 leads make a batch written as two halves.
TEST_F(LocalDataTest, AnImportOfEveryColumnTypeArrivesAsHubSpotHasIt) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "50"},
         .mappings_extra = "  - { property: lead_score, column: lead_score, type: number }\n"
                           "  - { property: follow_up_date, column: follow_up, type: date }\n"
                           "  - { property: last_touch_at, column: last_touch, type: datetime }\n"
                           "  - { property: is_priority, column: priority, type: bool }\n"
                           "  - { property: lead_notes, column: notes, type: string }\n"});
  std::vector<std::string> ids;
  const auto listed = api("GET", "/crm/v3/objects/leads?limit=100", nullptr, 200);
  for (const auto& lead : listed["results"]) ids.push_back(lead["id"]);
  ASSERT_EQ(ids.size(), 50u);
  ui_edit(ids[3], {{"lead_score", "42.5"},
                   {"follow_up_date", "2026-12-24"},
                   {"last_touch_at", "2026-11-20T09:30:00.123Z"},
                   {"is_priority", "true"},
                   {"lead_notes", "two\nlines, \"quoted\" \\ {braced}"}});
  ui_edit(ids[30], {{"lead_score", "-7"}, {"is_priority", "false"}, {"lead_notes", ""}});
  run_ok();
  auto row = [&](const std::string& id, const std::string& column) {
    return sql("SELECT " + column + "::text FROM leads WHERE hubspot_id = '" + id + "'");
  };
  EXPECT_EQ(row(ids[3], "lead_score"), "42.5");
  EXPECT_EQ(row(ids[3], "follow_up"), "2026-12-24");
  EXPECT_EQ(sql("SELECT to_char(last_touch AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS') FROM leads "
                "WHERE hubspot_id = '" +
                ids[3] + "'"),
            "2026-11-20T09:30:00.123");
  EXPECT_EQ(row(ids[3], "priority"), "true");
  EXPECT_EQ(row(ids[3], "notes"), "two\nlines, \"quoted\" \\ {braced}");
  EXPECT_EQ(row(ids[30], "lead_score"), "-7");
  EXPECT_EQ(row(ids[30], "priority"), "false");
  EXPECT_EQ(row(ids[30], "follow_up"), "") << "not set in HubSpot: NULL";
  EXPECT_EQ(row(ids[30], "last_touch"), "");
  EXPECT_EQ(count("SELECT count(*) FROM leads WHERE lead_name IS NULL OR hubspot_updated_at IS NULL"), 0);
  EXPECT_EQ(sql("SELECT count(*) FROM leads l JOIN leadsync.base b ON b.hubspot_id = l.hubspot_id "
                "WHERE b.remote_updated_at = l.hubspot_updated_at"),
            "50");
  // Nothing to do on the next run: the rows and bases hold exactly what HubSpot holds.
  const auto digest = table_digest();
  const auto writes = remote_writes();
  run_ok({"--sync-now", "--full"});
  EXPECT_EQ(table_digest(), digest);
  EXPECT_EQ(remote_writes(), writes);
}

TEST_F(LocalDataTest, AHubSpotNumberTooBigForAnIntegerColumnLeavesOnlyThatLeadOut) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "3"},
         .mappings_extra = "  - { property: lead_score, column: lead_score, type: number }\n"});
  run_ok();
  exec("ALTER TABLE leads ALTER COLUMN lead_score TYPE integer");
  ui_edit(hubspot_id(1), {{"lead_score", "99999999999"}});
  ui_edit(hubspot_id(2), {{"lead_score", "7"}});
  auto r = run();
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find(hubspot_id(1)), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("out of range"), std::string::npos) << r.output;
  EXPECT_EQ(sql("SELECT lead_score FROM leads WHERE id = 2"), "7");
  EXPECT_EQ(sql("SELECT lead_score FROM leads WHERE id = 1"), "");
  EXPECT_EQ(remote_value(hubspot_id(1), "lead_score"), "99999999999") << "HubSpot's value is not overwritten";
}

}  // namespace
}  // namespace leadsync::badinput
