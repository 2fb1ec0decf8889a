// Bad HubSpot responses, end to end: what `leadsync --sync-now` does (exit code, message, the outbox and the
// rows) when HubSpot answers with an error status, a rate limit, a broken or huge body, or valid JSON of the
// wrong shape. Client-level details (exact waits, retries) are unit-tested in tests/unit/hubspot and
// tests/integration/hubspot; here the point is the daemon-level outcome: nothing lost, the rest unaffected.
#include "badinput_fixture.hpp"

namespace leadsync::badinput {
namespace {

class HubSpotResponseTest : public BadInputFixture {
 protected:
  // Three imported leads; row 1 edited locally (not pushed yet).
  void imported_with_a_local_edit(Options o = {}) {
    o.fake_args.insert(o.fake_args.end(), {"--seed-leads", "3"});
    start(o);
    run_ok();
    exec("UPDATE leads SET lead_name = 'Edited locally' WHERE id = 1");
  }
  // The local edit is still waiting: not lost, not FAILED.
  void expect_edit_pending(const std::string& output) {
    EXPECT_EQ(sql("SELECT lead_name FROM leads WHERE id = 1"), "Edited locally") << output;
    EXPECT_EQ(
        count("SELECT count(*) FROM leadsync.changes WHERE lead_id = 1 AND state IN ('NEW', 'PENDING')"), 1)
        << output;
    EXPECT_EQ(count("SELECT count(*) FROM leadsync.changes WHERE state = 'FAILED'"), 0) << output;
  }
  // After the faults are gone the edit reaches HubSpot.
  void expect_recovers() {
    clear_faults();
    exec("UPDATE leadsync.changes SET next_attempt_at = now() WHERE state IN ('NEW', 'PENDING')");
    auto out = run_ok();
    EXPECT_EQ(remote_value(hubspot_id(1), "hs_lead_name"), "Edited locally") << out;
    EXPECT_EQ(sql("SELECT sync_status FROM leads WHERE id = 1"), "SYNCED") << out;
  }
};

TEST_F(HubSpotResponseTest, Unauthorized401StopsWith69AndSaysWhichTokenToCheck) {
  LEADSYNC_REQUIRE_DATABASE();
  imported_with_a_local_edit();
  fault({{"status", 401}, {"times", -1}});
  auto r = run();
  EXPECT_EQ(r.exit_code, 69) << r.output;
  EXPECT_NE(r.output.find("rejected the credentials"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("access_token_env"), std::string::npos) << r.output;
  expect_edit_pending(r.output);
  expect_recovers();
}

TEST_F(HubSpotResponseTest, MissingScopes403StopsWith69AndNamesTheScopes) {
  LEADSYNC_REQUIRE_DATABASE();
  imported_with_a_local_edit();
  fault({{"status", 403}, {"times", -1}});
  auto r = run();
  EXPECT_EQ(r.exit_code, 69) << r.output;
  EXPECT_NE(r.output.find("crm.objects.leads.write"), std::string::npos) << r.output;
  expect_edit_pending(r.output);
  expect_recovers();
}

// A lead deleted in HubSpot and edited locally before leadsync noticed: the update answers "not found" for
// that lead only. It is marked FAILED with HubSpot's message (exit 1), the other lead is pushed, and the next
// sweep recognises the delete (archived row, change IGNORED).
TEST_F(HubSpotResponseTest, NotFound404ForOneLeadFailsOnlyThatLeadUntilTheSweepSeesTheDelete) {
  LEADSYNC_REQUIRE_DATABASE();
  imported_with_a_local_edit();
  exec("UPDATE leads SET lead_name = 'Also edited' WHERE id = 2");
  api("DELETE", "/crm/v3/objects/leads/" + hubspot_id(1), nullptr, 204);
  auto r = run();
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(sql("SELECT sync_status FROM leads WHERE id = 1"), "FAILED") << r.output;
  EXPECT_NE(sql("SELECT last_error FROM leadsync.changes WHERE lead_id = 1").find("OBJECT_NOT_FOUND"),
            std::string::npos);
  EXPECT_EQ(remote_value(hubspot_id(2), "hs_lead_name"), "Also edited") << r.output;
  auto out = run_ok({"--sync-now", "--full"});
  EXPECT_EQ(sql("SELECT archived FROM leads WHERE id = 1"), "t") << out;
  EXPECT_EQ(sql("SELECT state FROM leadsync.changes WHERE lead_id = 1"), "IGNORED");
}

TEST_F(HubSpotResponseTest, Conflict409OnAnUpdateFailsThatLeadWithHubSpotsMessageAndRetryFailedRequeuesIt) {
  LEADSYNC_REQUIRE_DATABASE();
  imported_with_a_local_edit();
  fault({{"method", "PATCH"}, {"path_prefix", "/crm/v3/objects/leads/"}, {"status", 409}});
  auto r = run();
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(sql("SELECT sync_status FROM leads WHERE id = 1"), "FAILED");
  EXPECT_NE(sql("SELECT sync_error FROM leads WHERE id = 1").find("409"), std::string::npos);
  EXPECT_EQ(sql("SELECT http_status FROM leadsync.changes WHERE lead_id = 1"), "409");
  EXPECT_FALSE(sql("SELECT correlation_id FROM leadsync.changes WHERE lead_id = 1").empty());
  auto out = run_ok({"--sync-now", "--retry-failed"});
  EXPECT_EQ(remote_value(hubspot_id(1), "hs_lead_name"), "Edited locally") << out;
}

// 414 comes from a request line HubSpot finds too long (many mapped properties in the query string): the
// operator has to map fewer properties, so it is a configuration problem, not an outage to retry.
TEST_F(HubSpotResponseTest, UriTooLong414OnTheLeadListStopsWith78AndNamesTheMappings) {
  LEADSYNC_REQUIRE_DATABASE();
  imported_with_a_local_edit();
  fault({{"method", "GET"}, {"path_prefix", "/crm/v3/objects/leads"}, {"status", 414}, {"times", -1}});
  const auto before = table_digest();
  auto r = run({"--sync-now", "--full"});
  EXPECT_EQ(r.exit_code, 78) << r.output;
  EXPECT_NE(r.output.find("414"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("mappings"), std::string::npos) << r.output;
  EXPECT_EQ(table_digest(), before);
  expect_edit_pending(r.output);
}

TEST_F(HubSpotResponseTest, Locked423IsWaitedOutAndRetried) {
  LEADSYNC_REQUIRE_DATABASE();
  imported_with_a_local_edit();
  fault({{"method", "PATCH"}, {"path_prefix", "/crm/v3/objects/leads/"}, {"status", 423}, {"times", 2}});
  auto out = run_ok();
  EXPECT_EQ(remote_value(hubspot_id(1), "hs_lead_name"), "Edited locally") << out;
}

TEST_F(HubSpotResponseTest, TenSecondly429IsWaitedOutAndRetried) {
  LEADSYNC_REQUIRE_DATABASE();
  imported_with_a_local_edit();
  fault({{"kind", "rate_limit"},
         {"policy", "TEN_SECONDLY_ROLLING"},
         {"method", "PATCH"},
         {"path_prefix", "/crm/v3/objects/leads/"},
         {"retry_after", 1}});
  auto out = run_ok();
  EXPECT_EQ(remote_value(hubspot_id(1), "hs_lead_name"), "Edited locally") << out;
  EXPECT_EQ(admin("GET", "/_fake/stats")["rate_limited"], 1);
}

TEST_F(HubSpotResponseTest, Secondly429OnSearchIsWaitedOutAndRetried) {
  LEADSYNC_REQUIRE_DATABASE();
  imported_with_a_local_edit();
  ui_edit(hubspot_id(2), {{"hs_lead_label", "COLD"}});
  fault({{"kind", "rate_limit"},
         {"policy", "SECONDLY"},
         {"method", "POST"},
         {"path_prefix", "/crm/v3/objects/leads/search"},
         {"times", 2}});
  auto out = run_ok();
  EXPECT_EQ(sql("SELECT lead_label FROM leads WHERE id = 2"), "COLD") << out;
  EXPECT_EQ(remote_value(hubspot_id(1), "hs_lead_name"), "Edited locally") << out;
}

TEST_F(HubSpotResponseTest, Daily429StopsWith69UntilTheResetAndLosesNothing) {
  LEADSYNC_REQUIRE_DATABASE();
  imported_with_a_local_edit();
  fault({{"kind", "rate_limit"}, {"policy", "DAILY"}, {"times", 1}});
  auto r = run();
  EXPECT_EQ(r.exit_code, 69) << r.output;
  EXPECT_NE(r.output.find("daily"), std::string::npos) << r.output;
  expect_edit_pending(r.output);
  auto status = run({"--status"});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("daily budget EXHAUSTED"), std::string::npos) << status.output;
  // A later run before the reset spends no call (HubSpot would answer 429 again) and says until when.
  admin("DELETE", "/_fake/stats", nullptr, 204);
  auto again = run();
  EXPECT_EQ(again.exit_code, 69) << again.output;
  EXPECT_NE(again.output.find("daily reset at"), std::string::npos) << again.output;
  EXPECT_TRUE(admin("GET", "/_fake/stats")["requests"].empty()) << admin("GET", "/_fake/stats").dump();
  expect_edit_pending(again.output);
}

TEST_F(HubSpotResponseTest, Migration477HonoursRetryAfterAndRetries) {
  LEADSYNC_REQUIRE_DATABASE();
  imported_with_a_local_edit();
  fault(
      {{"method", "PATCH"}, {"path_prefix", "/crm/v3/objects/leads/"}, {"status", 477}, {"retry_after", 1}});
  auto out = run_ok();
  EXPECT_EQ(remote_value(hubspot_id(1), "hs_lead_name"), "Edited locally") << out;
}

TEST_F(HubSpotResponseTest, ServerErrorsAreRetriedAndAnOutageLeavesTheChangePendingWith69) {
  LEADSYNC_REQUIRE_DATABASE();
  imported_with_a_local_edit();
  // Fewer than the 3 attempts: retried within the run.
  fault({{"method", "PATCH"}, {"path_prefix", "/crm/v3/objects/leads/"}, {"status", 503}, {"times", 2}});
  auto out = run_ok();
  EXPECT_EQ(remote_value(hubspot_id(1), "hs_lead_name"), "Edited locally") << out;
  // A whole outage: the run fails, nothing is lost.
  exec("UPDATE leads SET lead_name = 'Edited during the outage' WHERE id = 1");
  for (int status : {500, 502, 504}) fault({{"status", status}, {"times", -1}});
  auto r = run();
  EXPECT_EQ(r.exit_code, 69) << r.output;
  EXPECT_NE(r.output.find("server error"), std::string::npos) << r.output;
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.changes WHERE state IN ('NEW', 'PENDING')"), 1) << r.output;
  clear_faults();
  exec("UPDATE leadsync.changes SET next_attempt_at = now() WHERE state IN ('NEW', 'PENDING')");
  out = run_ok();
  EXPECT_EQ(remote_value(hubspot_id(1), "hs_lead_name"), "Edited during the outage") << out;
}

TEST_F(HubSpotResponseTest, InvalidJsonTruncatedAndCutBodiesAreRetriedThenStopWith69) {
  LEADSYNC_REQUIRE_DATABASE();
  imported_with_a_local_edit();
  for (const char* kind : {"invalid_json", "truncated_body", "drop_mid_body"}) {
    SCOPED_TRACE(kind);
    clear_faults();
    // Once: retried within the run.
    fault({{"kind", kind}, {"method", "GET"}, {"path_prefix", "/crm/v3/objects/leads"}});
    auto out = run_ok({"--sync-now", "--full"});
    EXPECT_EQ(count("SELECT count(*) FROM leads WHERE NOT archived"), 3) << out;
    // Every time: the run stops, the table is untouched.
    fault({{"kind", kind}, {"method", "GET"}, {"path_prefix", "/crm/v3/objects/leads"}, {"times", -1}});
    const auto before = table_digest();
    auto r = run({"--sync-now", "--full"});
    EXPECT_EQ(r.exit_code, 69) << r.output;
    EXPECT_EQ(table_digest(), before) << r.output;
  }
  expect_recovers();
}

TEST_F(HubSpotResponseTest, AResponseLargerThanMaxResponseMbStopsWith69AndNamesTheSetting) {
  LEADSYNC_REQUIRE_DATABASE();
  imported_with_a_local_edit({.hubspot_extra = "  max_response_mb: 1\n"});
  const std::string huge = R"({"results":[],"padding":")" + std::string(2 * 1024 * 1024, 'x') + R"("})";
  fault({{"status", 200},
         {"method", "GET"},
         {"path_prefix", "/crm/v3/objects/leads"},
         {"body", huge},
         {"times", -1}});
  const auto before = table_digest();
  auto r = run({"--sync-now", "--full"});
  EXPECT_EQ(r.exit_code, 69) << r.output;
  EXPECT_NE(r.output.find("max_response_mb"), std::string::npos) << r.output;
  EXPECT_EQ(table_digest(), before);
  EXPECT_EQ(count("SELECT count(*) FROM leads WHERE NOT archived"), 3) << "a failed sweep deletes nothing";
  expect_recovers();
}

// Valid JSON with values of another type than HubSpot documents: scalars are read as their text (a number
// where a string is expected, an id as a number, "archived" as a string) and the lead is imported.
TEST_F(HubSpotResponseTest, ScalarsOfTheWrongTypeAreReadAsText) {
  LEADSYNC_REQUIRE_DATABASE();
  start();
  run_ok();  // an empty portal: the schema exists, nothing is synced
  const json page = {{"results", json::array({{{"id", 5000000777},
                                               {"properties",
                                                {{"hs_lead_name", 12345},
                                                 {"hs_lead_label", "HOT"},
                                                 {"hs_lead_type", nullptr},
                                                 {"hs_lastmodifieddate", "2026-01-01T00:00:00.000Z"}}},
                                               {"createdAt", "2026-01-01T00:00:00.000Z"},
                                               {"updatedAt", "2026-01-01T00:00:00.000Z"},
                                               {"archived", "false"}}})}};
  fault({{"status", 200}, {"method", "GET"}, {"path_prefix", "/crm/v3/objects/leads"}, {"body", page}});
  auto out = run_ok({"--sync-now", "--full"});
  EXPECT_EQ(sql("SELECT lead_name || '/' || lead_label FROM leads WHERE hubspot_id = '5000000777'"),
            "12345/HOT")
      << out;
}

// Valid JSON of the wrong shape: malformed, retried, then the run stops (69) naming what is wrong, and
// nothing is written.
TEST_F(HubSpotResponseTest, ValidJsonOfTheWrongShapeStopsWith69AndChangesNothing) {
  LEADSYNC_REQUIRE_DATABASE();
  imported_with_a_local_edit();
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"results", json::object()}}, "\"results\""},
      {{{"results", json::array({{{"id", "1"}, {"properties", json::array()}}})}}, "\"properties\""},
      {{{"results", json::array({{{"properties", json::object()}}})}}, "\"id\""},
      {json::array(), "not a JSON object"},
  };
  for (const auto& [body, named] : cases) {
    SCOPED_TRACE(body.dump());
    clear_faults();
    fault({{"status", 200},
           {"method", "GET"},
           {"path_prefix", "/crm/v3/objects/leads"},
           {"body", body},
           {"times", -1}});
    const auto before = table_digest();
    auto r = run({"--sync-now", "--full"});
    EXPECT_EQ(r.exit_code, 69) << r.output;
    EXPECT_NE(r.output.find("malformed response from HubSpot"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find(named), std::string::npos) << r.output;
    EXPECT_EQ(table_digest(), before);
  }
  expect_edit_pending("");
  expect_recovers();
}

// 100,000 levels of arrays: decoding such a tree recursed once per level and overflowed the stack.
TEST_F(HubSpotResponseTest, JsonNested100000LevelsDeepStopsWith69AndChangesNothing) {
  LEADSYNC_REQUIRE_DATABASE();
  imported_with_a_local_edit();
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  const std::vector<std::pair<int, std::string>> cases = {
      {200, R"({"results":)" + deep + "}"},                                             // a list page
      {200, R"({"results":[{"id":"1","properties":{"hs_lead_name":)" + deep + "}}]}"},  // a property value
      {400, R"({"status":"error","message":"bad","category":"X","context":{"a":)" + deep + "}}"},  // an error
  };
  for (const auto& [status, body] : cases) {
    SCOPED_TRACE(status);
    clear_faults();
    fault({{"status", status},
           {"method", "GET"},
           {"path_prefix", "/crm/v3/objects/leads"},
           {"body", body},
           {"times", -1}});
    const auto before = table_digest();
    auto r = run({"--sync-now", "--full"});
    EXPECT_EQ(r.exit_code, 69) << r.output.substr(0, 4000);
    EXPECT_NE(r.output.find("deeper than 64 levels"), std::string::npos) << r.output.substr(0, 4000);
    EXPECT_EQ(table_digest(), before);
  }
  expect_edit_pending("");
  expect_recovers();
}

}  // namespace
}  // namespace leadsync::badinput
