// Creates, deletes and associations, on each side.
#include "sync_fixture.hpp"

namespace leadsync::engine_test {
namespace {

class LifecycleTest : public SyncFixture {
 protected:
  // Inserts a lead row (and optionally its primary contact association) in one transaction.
  long insert_local(const std::string& name, const std::string& contact, int type_id = 578) {
    std::string sql_text = "BEGIN; INSERT INTO leads (lead_name, lead_label) VALUES ('" + name + "', 'HOT');";
    if (!contact.empty())
      sql_text +=
          "INSERT INTO leads_associations (lead_id, to_object_type, to_object_id, association_type_id) "
          "VALUES (currval('leads_id_seq'), 'contacts', '" +
          contact + "', " + std::to_string(type_id) + ");";
    exec(sql_text + "COMMIT;");
    return count("SELECT max(id) FROM leads");
  }
  std::string hubspot_id_of(long row) {
    return sql("SELECT hubspot_id FROM leads WHERE id = " + std::to_string(row));
  }
  long remote_lead_count() {
    auto r = api("POST", "/crm/v3/objects/leads/search", R"({"limit":1})", 200);
    return r["total"].get<long>();
  }
};

TEST_F(LifecycleTest, LocalCreateWithPrimaryAssociationIsCreatedInHubSpotOnce) {
  LEADSYNC_REQUIRE_DATABASE();
  start();
  sync_ok();
  auto contact = new_contact();
  auto company = new_company();
  auto row = insert_local("Created locally", contact);
  exec(
      "INSERT INTO leads_associations (lead_id, to_object_type, to_object_id, association_type_id) VALUES (" +
      std::to_string(row) + ", 'companies', '" + company + "', 610)");
  auto out = sync_ok();
  auto id = hubspot_id_of(row);
  ASSERT_FALSE(id.empty()) << out;
  auto remote = remote_lead(id);
  EXPECT_EQ(remote["properties"]["hs_lead_name"], "Created locally");
  EXPECT_EQ(remote["properties"]["hs_lead_label"], "HOT");
  EXPECT_EQ(remote["properties"]["leadsync_key"],
            sql("SELECT sync_key FROM leads WHERE id = " + std::to_string(row)));
  EXPECT_EQ(remote["associations"]["contacts"]["results"][0]["id"], contact) << remote.dump();
  EXPECT_EQ(remote["associations"]["companies"]["results"][0]["id"], company) << remote.dump();
  EXPECT_EQ(sql("SELECT sync_status FROM leads WHERE id = " + std::to_string(row)), "SYNCED");
  sync_ok();
  EXPECT_EQ(remote_lead_count(), 1) << "created exactly once";
}

TEST_F(LifecycleTest, LocalCreateWithoutPrimaryAssociationFailsClearlyAndSendsNothing) {
  LEADSYNC_REQUIRE_DATABASE();
  start();
  sync_ok();
  auto row = insert_local("No primary", "");
  mark_remote_writes();
  auto r = sync();
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(remote_writes_since_mark(), 0) << "HubSpot would refuse it: not sent";
  EXPECT_EQ(sql("SELECT sync_status FROM leads WHERE id = " + std::to_string(row)), "FAILED");
  EXPECT_NE(sql("SELECT sync_error FROM leads WHERE id = " + std::to_string(row)).find("primary association"),
            std::string::npos);
  EXPECT_EQ(sql("SELECT state FROM leadsync.changes"), "FAILED");
  // Adding the association (a new local change) makes it go through.
  auto contact = new_contact();
  exec(
      "INSERT INTO leads_associations (lead_id, to_object_type, to_object_id, association_type_id) VALUES (" +
      std::to_string(row) + ", 'contacts', '" + contact + "', 578)");
  auto out = sync_ok();
  EXPECT_FALSE(hubspot_id_of(row).empty()) << out;
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.changes WHERE state = 'FAILED'"), 0);
}

TEST_F(LifecycleTest, LocalDeleteDeletesInHubSpot) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "3"}});
  sync_ok();
  auto id = hubspot_id_of(1);
  exec("DELETE FROM leads WHERE id = 1");
  auto out = sync_ok();
  EXPECT_FALSE(remote_exists(id)) << out;
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.base WHERE hubspot_id = '" + id + "'"), 0);
  sync_ok({"--full"});
  EXPECT_EQ(count("SELECT count(*) FROM leads"), 2) << "the delete is not resurrected by a sweep";
}

TEST_F(LifecycleTest, LocalArchiveFlagDeletesInHubSpot) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "2"}});
  sync_ok();
  auto id = hubspot_id_of(2);
  exec("UPDATE leads SET archived = true WHERE id = 2");
  sync_ok();
  EXPECT_FALSE(remote_exists(id));
  EXPECT_EQ(sql("SELECT archived FROM leads WHERE id = 2"), "t");
}

class RemoteDeleteTest : public LifecycleTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(RemoteDeleteTest, RemoteDeleteFollowsThePolicyAndBeatsALocalEdit) {
  LEADSYNC_REQUIRE_DATABASE();
  const std::string policy = GetParam();
  start({.on_remote_delete = policy, .fake_args = {"--seed-leads", "4"}});
  sync_ok();
  auto id = hubspot_id_of(3);
  api("DELETE", "/crm/v3/objects/leads/" + id, "", 204);
  exec("UPDATE leads SET lead_name = 'edited after the remote delete' WHERE id = 3");
  auto out = sync_ok({"--full"});
  if (policy == "archive") {
    EXPECT_EQ(sql("SELECT archived FROM leads WHERE id = 3"), "t") << out;
  } else {
    EXPECT_EQ(count("SELECT count(*) FROM leads WHERE id = 3"), 0) << out;
  }
  EXPECT_FALSE(remote_exists(id)) << "never resurrected by the pending local edit";
  EXPECT_EQ(sql("SELECT state FROM leadsync.changes WHERE lead_id = 3 ORDER BY id DESC LIMIT 1"), "IGNORED");
  EXPECT_EQ(count("SELECT count(*) FROM leads WHERE archived = false"), 3);
}

INSTANTIATE_TEST_SUITE_P(Policies, RemoteDeleteTest, ::testing::Values("archive", "delete"));

// A full sweep knows a lead as seen either by the base it wrote for it (a lead that changed) or by a row in
// leadsync.sweep_seen (a lead that did not): only the leads seen neither way are checked in HubSpot, and
// only those HubSpot no longer has are archived. 60 leads: one page, written as two halves.
TEST_F(LifecycleTest, AFullSweepChecksOnlyTheLeadsItDidNotSeeChangedOrNot) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "60"}});
  sync_ok();
  for (int row : {10, 45})
    admin("PATCH", "/_fake/leads/" + hubspot_id_of(row),
          json{{"properties", {{"hs_lead_name", "changed " + std::to_string(row)}}}}.dump(), 200);
  for (int row : {20, 50}) api("DELETE", "/crm/v3/objects/leads/" + hubspot_id_of(row), "", 204);
  auto out = sync_ok({"--full"});
  EXPECT_NE(out.find("2 known lead(s) not seen by the full sweep"), std::string::npos) << out;
  EXPECT_EQ(sql("SELECT string_agg(id::text, ',' ORDER BY id) FROM leads WHERE archived"), "20,50") << out;
  EXPECT_EQ(sql("SELECT lead_name FROM leads WHERE id = 45"), "changed 45");
  EXPECT_EQ(count("SELECT count(*) FROM leads WHERE NOT archived"), 58);
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.sweep_seen"), 0) << "the seen-set is dropped with the sweep";
  // The next sweep starts afresh: nothing unseen, nothing checked.
  auto again = sync_ok({"--full"});
  EXPECT_EQ(again.find("not seen by the full sweep"), std::string::npos) << again;
}

// A full sweep applies eight list pages at a time, as two transactions of four pages (on two connections at
// once); the first transaction records the sweep's cursor at the batch's start (every batch before it is
// applied). 2,000 leads: batches of pages 1-8, 9-16 and 17-20. A failure on page 14 (the second transaction
// of the second batch, pages 13-16) leaves pages 1-12 applied and the cursor at page 9; the next run lists
// pages 9-20 only, nothing doubles.
TEST_F(LifecycleTest, AFullSweepThatFailsMidwayResumesAtTheBatchThatFailed) {
  LEADSYNC_REQUIRE_DATABASE();
  start();
  sync_ok();  // creates the tables (empty portal)
  exec(
      "CREATE FUNCTION fail_on_1360() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
      "IF NEW.lead_name = 'Demo Lead 1360' THEN "
      "RAISE EXCEPTION 'disk trouble' USING ERRCODE = '53100'; END IF; RETURN NEW; END $$");
  exec("CREATE TRIGGER fail_on_1360 BEFORE INSERT ON leads FOR EACH ROW EXECUTE FUNCTION fail_on_1360()");
  admin("POST", "/_fake/reset", json{{"seed_leads", 2000}}.dump(), 200);
  auto failed = sync({"--full"});
  EXPECT_NE(failed.exit_code, 0) << failed.output;
  EXPECT_NE(failed.output.find("disk trouble"), std::string::npos) << failed.output;
  EXPECT_EQ(count("SELECT count(*) FROM leads"), 1200) << "pages 1-12";
  EXPECT_FALSE(sql("SELECT value FROM leadsync.sync_state WHERE key = 'sweep.cursor'").empty());

  exec("DROP TRIGGER fail_on_1360 ON leads");
  admin("DELETE", "/_fake/stats");
  auto out = sync_ok({"--full"});
  EXPECT_NE(out.find("full sweep resumed after"), std::string::npos) << out;
  EXPECT_EQ(request_counts()["GET " + leads_path()], 12) << "pages 9-20 only\n" << out;
  EXPECT_EQ(count("SELECT count(*) FROM leads"), 2000) << out;
  EXPECT_EQ(count("SELECT count(DISTINCT hubspot_id) FROM leads"), 2000);
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.base"), 2000);
  EXPECT_EQ(sql("SELECT value FROM leadsync.sync_state WHERE key = 'sweep.cursor'"), "")
      << "the sweep is complete";
}

TEST_F(LifecycleTest, RecycleBinScanFindsRemoteDeletesWithoutAFullSweep) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "4"}, .extra_yaml = "  association_sweep_interval: 1ms\n"});
  sync_ok();
  auto id = hubspot_id_of(2);
  api("DELETE", "/crm/v3/objects/leads/" + id, "", 204);
  auto out = sync_ok();
  EXPECT_NE(out.find("(incremental)"), std::string::npos) << out;
  EXPECT_EQ(sql("SELECT archived FROM leads WHERE id = 2"), "t") << out;
}

TEST_F(LifecycleTest, RemovingTheLastPrimaryAssociationInHubSpotDeletesTheLeadEverywhere) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.extra_yaml = "  association_sweep_interval: 1ms\n"});
  auto contact = new_contact();
  auto lead = create_remote_lead("Soon orphaned", contact);
  const std::string id = lead["id"];
  sync_ok();
  ASSERT_EQ(count("SELECT count(*) FROM leads WHERE hubspot_id = '" + id + "'"), 1);
  api("DELETE", "/crm/v3/objects/leads/" + id + "/associations/contacts/" + contact + "/578", "", 204);
  ASSERT_FALSE(remote_exists(id)) << "HubSpot deletes a lead without a primary association";
  auto out = sync_ok();
  EXPECT_EQ(sql("SELECT archived FROM leads WHERE hubspot_id = '" + id + "'"), "t") << out;
}

TEST_F(LifecycleTest, AssociationsAddedAndRemovedInHubSpotReachTheTable) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.extra_yaml = "  association_sweep_interval: 1ms\n"});
  auto contact = new_contact();
  auto other = new_contact();
  const std::string id = create_remote_lead("Assoc", contact)["id"];
  sync_ok();
  const std::string assoc =
      "SELECT count(*) FROM leads_associations a JOIN leads l ON l.id = a.lead_id WHERE "
      "l.hubspot_id = '" +
      id + "' AND a.to_object_id = '" + other + "' AND a.association_type_id = 608";
  api("PUT", "/crm/v3/objects/leads/" + id + "/associations/contacts/" + other + "/608", "", 200);
  auto out = sync_ok();
  EXPECT_EQ(count(assoc), 1) << out;
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.changes"), 0) << "applied as leadsync, not captured";
  api("DELETE", "/crm/v3/objects/leads/" + id + "/associations/contacts/" + other + "/608", "", 204);
  out = sync_ok();
  EXPECT_EQ(count(assoc), 0) << out;
}

TEST_F(LifecycleTest, AssociationsAddedAndRemovedLocallyReachHubSpot) {
  LEADSYNC_REQUIRE_DATABASE();
  start();
  auto contact = new_contact();
  auto company = new_company();
  const std::string id = create_remote_lead("Assoc", contact)["id"];
  sync_ok();
  const std::string row = sql("SELECT id FROM leads WHERE hubspot_id = '" + id + "'");
  exec(
      "INSERT INTO leads_associations (lead_id, to_object_type, to_object_id, association_type_id) VALUES (" +
      row + ", 'companies', '" + company + "', 580)");
  auto out = sync_ok();
  auto remote = remote_lead(id);
  ASSERT_TRUE(remote["associations"].contains("companies")) << remote.dump() << out;
  EXPECT_EQ(remote["associations"]["companies"]["results"][0]["id"], company);
  exec("DELETE FROM leads_associations WHERE lead_id = " + row + " AND to_object_type = 'companies'");
  out = sync_ok();
  remote = remote_lead(id);
  EXPECT_FALSE(remote["associations"].contains("companies")) << remote.dump() << out;
  EXPECT_TRUE(remote_exists(id)) << "the primary contact is still there";
}

}  // namespace
}  // namespace leadsync::engine_test
