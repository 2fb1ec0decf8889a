// Per-record failures and uncertain outcomes: nothing lost, nothing duplicated, nothing blocked.
#include "sync_fixture.hpp"

namespace leadsync::engine_test {
namespace {

class FailureTest : public SyncFixture {
 protected:
  long leads_named(const std::string& name) {
    json body = {
        {"filterGroups",
         json::array(
             {{{"filters",
                json::array({{{"propertyName", "hs_lead_name"}, {"operator", "EQ"}, {"value", name}}})}}})},
        {"limit", 10}};
    return api("POST", "/crm/v3/objects/leads/search", body.dump(), 200)["total"].get<long>();
  }
};

TEST_F(FailureTest, OneInvalidRecordInABatchOf100LeavesTheOther99Synced) {
  LEADSYNC_REQUIRE_DATABASE();
  start();
  sync_ok();
  auto contact = new_contact();
  std::string sql_text = "BEGIN;";
  for (int i = 0; i < 100; ++i) {
    sql_text += "INSERT INTO leads (lead_name, lead_label) VALUES ('Batch " + std::to_string(i) + "', '" +
                (i == 42 ? "NOT_AN_OPTION" : "HOT") + "');";
    sql_text +=
        "INSERT INTO leads_associations (lead_id, to_object_type, to_object_id, association_type_id) "
        "VALUES (currval('leads_id_seq'), 'contacts', '" +
        contact + "', 578);";
  }
  exec(sql_text + "COMMIT;");
  mark_remote_writes();
  auto r = sync();
  EXPECT_EQ(r.exit_code, 1) << "finished, but a record failed:\n" << r.output;
  EXPECT_EQ(remote_writes_since_mark(), 1) << "one batch create for all 100:\n"
                                           << r.output << "\n"
                                           << admin("GET", "/_fake/stats").dump();
  EXPECT_EQ(count("SELECT count(*) FROM leads WHERE hubspot_id IS NOT NULL AND sync_status = 'SYNCED'"), 99);
  EXPECT_EQ(sql("SELECT lead_name || '|' || sync_status FROM leads WHERE hubspot_id IS NULL"),
            "Batch 42|FAILED");
  const auto error = sql("SELECT sync_error FROM leads WHERE hubspot_id IS NULL");
  EXPECT_NE(error.find("NOT_AN_OPTION"), std::string::npos) << "HubSpot's message: " << error;
  // The failed lead's INSERT and ASSOC_ADD outbox rows.
  EXPECT_EQ(count("SELECT count(DISTINCT lead_id) FROM leadsync.changes WHERE state = 'FAILED'"), 1);
  // The status of the answer that carried the input's error: 2026-09 itemises errors inside its 201.
  EXPECT_EQ(sql("SELECT DISTINCT http_status FROM leadsync.changes WHERE state = 'FAILED'"),
            api_version_ == "2026-09" ? "201" : "207");
  EXPECT_FALSE(sql("SELECT DISTINCT correlation_id FROM leadsync.changes WHERE state = 'FAILED'").empty());
  EXPECT_EQ(leads_named("Batch 0"), 1);

  // A failed record is not retried by itself; fixing the row retries it.
  mark_remote_writes();
  EXPECT_EQ(sync().exit_code, 0);
  EXPECT_EQ(remote_writes_since_mark(), 0);
  exec("UPDATE leads SET lead_label = 'WARM' WHERE hubspot_id IS NULL");
  sync_ok();
  EXPECT_EQ(count("SELECT count(*) FROM leads WHERE hubspot_id IS NULL"), 0);
  EXPECT_EQ(leads_named("Batch 42"), 1);
}

TEST_F(FailureTest, RetryFailedRequeuesFailures) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "2"}});
  sync_ok();
  const auto id = sql("SELECT hubspot_id FROM leads WHERE id = 1");
  admin("POST", "/_fake/faults",
        json{{"method", "PATCH"}, {"path_prefix", leads_path() + "/"}, {"status", 400}, {"times", 1}}.dump(),
        201);
  exec("UPDATE leads SET lead_name = 'needs a retry' WHERE id = 1");
  EXPECT_EQ(sync().exit_code, 1);
  EXPECT_EQ(sql("SELECT state FROM leadsync.changes"), "FAILED");
  sync_ok({"--retry-failed"});
  EXPECT_EQ(remote_lead(id)["properties"]["hs_lead_name"], "needs a retry");
  EXPECT_EQ(sql("SELECT state FROM leadsync.changes"), "SUCCESS");
}

TEST_F(FailureTest, AnOutageNeverMarksChangesFailedAndNothingIsDoneBeforeHubSpotConfirms) {
  LEADSYNC_REQUIRE_DATABASE();
  // One attempt per change before FAILED: outages must still not count as attempts.
  start({.fake_args = {"--seed-leads", "2"}, .extra_yaml = "  max_push_attempts: 1\n"});
  sync_ok();
  const auto id = sql("SELECT hubspot_id FROM leads WHERE id = 1");
  exec("UPDATE leads SET lead_name = 'after an outage' WHERE id = 1");
  for (int outage = 0; outage < 3; ++outage) {
    // More 503s than the client's 3 attempts: the push call fails as a whole, the cycle ends (69), the
    // daemon would back off.
    admin(
        "POST", "/_fake/faults",
        json{{"method", "PATCH"}, {"path_prefix", leads_path() + "/"}, {"status", 503}, {"times", 3}}.dump(),
        201);
    auto r = sync();
    EXPECT_EQ(r.exit_code, 69) << r.output;
    EXPECT_EQ(sql("SELECT state FROM leadsync.changes"), "PENDING") << "outage " << outage;
    EXPECT_EQ(sql("SELECT sync_status FROM leads WHERE id = 1"), "RETRYING");
    EXPECT_EQ(remote_lead(id)["properties"]["hs_lead_name"], "Demo Lead 1");
    exec("UPDATE leadsync.changes SET next_attempt_at = now()");  // skip the backoff
  }
  sync_ok();
  EXPECT_EQ(remote_lead(id)["properties"]["hs_lead_name"], "after an outage");
  EXPECT_EQ(sql("SELECT state FROM leadsync.changes"), "SUCCESS");
}

TEST_F(FailureTest, CreateWhoseAnswerWasLostIsNotDuplicated) {
  LEADSYNC_REQUIRE_DATABASE();
  start();
  sync_ok();
  auto contact = new_contact();
  insert_local_lead("Lost answer", contact);
  // HubSpot creates the lead, then the connection drops before leadsync reads the answer.
  admin("POST", "/_fake/faults",
        json{{"method", "POST"},
             {"path_prefix", leads_path() + "/batch/create"},
             {"kind", "drop_after_headers"},
             {"times", 1}}
            .dump(),
        201);
  auto r = sync();
  sync_ok();
  EXPECT_EQ(leads_named("Lost answer"), 1) << r.output;
  EXPECT_EQ(sql("SELECT hubspot_id IS NOT NULL FROM leads"), "t");
  EXPECT_EQ(sql("SELECT sync_status FROM leads"), "SYNCED");
}

TEST_F(FailureTest, CrashBetweenCreateAndCommitIsRecoveredByTheUniqueKey) {
  LEADSYNC_REQUIRE_DATABASE();
  start();
  sync_ok();
  auto contact = new_contact();
  insert_local_lead("Crashed", contact);
  const std::string id = create_unconfirmed("Crashed", contact);  // a crash after the POST, before the commit
  auto out = sync_ok();
  EXPECT_EQ(leads_named("Crashed"), 1) << out;
  EXPECT_EQ(sql("SELECT hubspot_id FROM leads"), id);
  EXPECT_EQ(sql("SELECT state FROM leadsync.changes ORDER BY id LIMIT 1"), "SUCCESS");
}

TEST_F(FailureTest, WithoutAUniqueKeyAnUncertainCreateIsFlaggedNotRepeated) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.unique_key = false});
  sync_ok();
  auto contact = new_contact();
  insert_local_lead("Unsure", contact);
  exec("UPDATE leadsync.changes SET state = 'PENDING', attempts = 1");
  mark_remote_writes();
  auto r = sync();
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(remote_writes_since_mark(), 0);
  EXPECT_NE(sql("SELECT sync_error FROM leads").find("unique_key_property"), std::string::npos);
}

// Without a unique key a row deleted while its create was in doubt cannot be looked for in HubSpot: leadsync
// writes nothing, and says what may happen and what to do.
TEST_F(FailureTest, WithoutAUniqueKeyADeleteAfterAnUncertainCreateIsWarnedAbout) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.unique_key = false});
  sync_ok();
  insert_local_lead("Unsure and gone", new_contact());
  exec("UPDATE leadsync.changes SET state = 'PENDING', attempts = 1");
  exec("DELETE FROM leads");
  mark_remote_writes();
  auto out = sync_ok();
  EXPECT_EQ(remote_writes_since_mark(), 0) << out;
  EXPECT_NE(out.find("without hubspot.unique_key_property that copy cannot be found"), std::string::npos)
      << out;
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.changes WHERE state IN ('NEW', 'PENDING', 'FAILED')"), 0)
      << out;
}

}  // namespace
}  // namespace leadsync::engine_test
