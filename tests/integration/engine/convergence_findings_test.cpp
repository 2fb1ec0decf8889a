// Regression tests for bugs the randomized convergence test (tests/integration/convergence) found, each
// reduced to the few steps that show it end to end with the real binary. The seed that found it is named.
#include <functional>
#include <thread>

#include "sync_fixture.hpp"

namespace leadsync::engine_test {
namespace {

class ConvergenceFindingsTest : public SyncFixture {
 protected:
  void ui_edit(const std::string& id, const std::string& property, const std::string& value) {
    admin("PATCH", "/_fake/leads/" + id, json{{"properties", {{property, value}}}}.dump(), 200);
  }
  std::string remote_value(const std::string& id, const std::string& property) {
    auto v = remote_lead(id)["properties"][property];
    return v.is_string() ? v.get<std::string>() : "";
  }

  // Seeds 267 and 609: row 1 is edited to n5 while HubSpot holds the next PATCH `delay_ms` before applying it
  // (leadsync's request timeout is 1 s, `max_attempts` attempts per request); `check_first_run` looks at the
  // run that met the delay. Row 1 is then edited to n7 and pushed before the held PATCH lands, and this waits
  // until it has landed: HubSpot holds n5 again. Returns the lead's HubSpot id.
  using RunCheck = std::function<void(const testing::ProcessResult&)>;
  std::string push_n7_before_a_held_n5_lands(int max_attempts, int delay_ms,
                                             const RunCheck& check_first_run) {
    start({.fake_args = {"--seed-leads", "2"},
           .retry = "{ max_attempts: " + std::to_string(max_attempts) +
                    ", initial_backoff: 10ms, max_backoff: 50ms }",
           .request_timeout = "1s"});
    sync_ok();
    const auto id = sql("SELECT hubspot_id FROM leads WHERE id = 1");
    exec("UPDATE leads SET lead_name = 'n5' WHERE id = 1");
    admin("POST", "/_fake/faults",
          json{{"method", "PATCH"},
               {"path_prefix", leads_path() + "/"},
               {"kind", "delay"},
               {"delay_ms", delay_ms},
               {"times", 1}}
              .dump(),
          201);
    const auto started = std::chrono::steady_clock::now();
    check_first_run(sync());
    exec("UPDATE leads SET lead_name = 'n7' WHERE id = 1");
    auto out = sync_ok();
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(delay_ms - 200))
        << "too slow to push n7 before the held PATCH lands: the test shows nothing";
    EXPECT_EQ(remote_value(id, "hs_lead_name"), "n7") << out;
    for (int i = 0; i < 100 && remote_value(id, "hs_lead_name") != "n5"; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(remote_value(id, "hs_lead_name"), "n5") << "the held PATCH never landed";
    return id;
  }

  // The next run takes n5 for leadsync's own late write: it pushes n7 again, records no conflict, and
  // settles.
  void expect_n7_pushed_over_the_late_n5(const std::string& id) {
    auto out = sync_ok();
    EXPECT_EQ(sql("SELECT lead_name FROM leads WHERE id = 1"), "n7") << out;
    EXPECT_EQ(remote_value(id, "hs_lead_name"), "n7") << out;
    EXPECT_NE(out.find("whose answer never came"), std::string::npos) << out;
    EXPECT_EQ(count("SELECT count(*) FROM leadsync.conflicts"), 0) << out;
    EXPECT_EQ(count("SELECT count(*) FROM leadsync.changes WHERE state IN ('NEW', 'PENDING', 'FAILED')"), 0)
        << out;
    mark_remote_writes();
    out = sync_ok();
    EXPECT_EQ(remote_writes_since_mark(), 0) << "settled:\n" << out;
  }
};

// Seed 31. HubSpot's search index lags behind writes: a search right after leadsync pushed an edit returns
// the lead as it was before. leadsync took that older snapshot for a change made in HubSpot and reverted the
// row to the old value (under `manual` it opened a conflict that blocked the edit for good).
TEST_F(ConvergenceFindingsTest, AStaleSearchResultDoesNotRevertAPushedLocalEdit) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "2", "--search-lag-ms", "3000"}});
  // Let the lagging index see the seeded leads, so that the search below finds lead 1 as it was then.
  std::this_thread::sleep_for(std::chrono::milliseconds(3200));
  sync_ok();
  const auto id = sql("SELECT hubspot_id FROM leads WHERE id = 1");
  exec("UPDATE leads SET lead_name = 'Edited locally' WHERE id = 1");
  auto pushed = sync_ok();
  ASSERT_EQ(remote_value(id, "hs_lead_name"), "Edited locally") << pushed;
  // Within the lag: the search still shows "Demo Lead 1".
  auto out = sync_ok();
  EXPECT_EQ(sql("SELECT lead_name FROM leads WHERE id = 1"), "Edited locally") << out;
  EXPECT_EQ(remote_value(id, "hs_lead_name"), "Edited locally") << out;
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.conflicts"), 0) << out;
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.changes WHERE state IN ('NEW', 'PENDING')"), 0) << out;
}

// Seed 31. A manual conflict stays open until an operator decides, and blocks the push of the property. When
// HubSpot's value went back to the last synced one, only the local side still differed, yet the conflict
// stayed open: the local value never reached HubSpot, and every pull enqueued a push that was dropped as
// MERGED (one more outbox row per cycle, forever: no quiescence).
TEST_F(ConvergenceFindingsTest, AManualConflictWhoseRemoteSideWentBackIsSettledAndTheLocalValuePushed) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.conflict_policy = "manual", .fake_args = {"--seed-leads", "2"}});
  sync_ok();
  const auto id = sql("SELECT hubspot_id FROM leads WHERE id = 1");
  ui_edit(id, "hs_lead_label", "WARM");
  sync_ok();
  exec("UPDATE leads SET lead_label = 'COLD' WHERE id = 1");
  ui_edit(id, "hs_lead_label", "HOT");
  sync_ok();
  ASSERT_EQ(count("SELECT count(*) FROM leadsync.conflicts WHERE resolved_at IS NULL"), 1);
  ASSERT_EQ(remote_value(id, "hs_lead_label"), "HOT");

  ui_edit(id, "hs_lead_label", "WARM");  // HubSpot is back at the last synced value
  auto out = sync_ok();
  EXPECT_EQ(remote_value(id, "hs_lead_label"), "COLD") << out;
  EXPECT_EQ(sql("SELECT lead_label FROM leads WHERE id = 1"), "COLD");
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.conflicts WHERE resolved_at IS NULL"), 0) << out;

  // Settled: further runs (incremental and full) write nothing anywhere.
  const auto outbox = count("SELECT count(*) FROM leadsync.changes");
  mark_remote_writes();
  sync_ok();
  sync_ok({"--full"});
  EXPECT_EQ(remote_writes_since_mark(), 0);
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.changes"), outbox) << "no outbox row per cycle";
}

// Seed 983 (manual). The row was edited away from the last synced label and back to it (COLD -> HOT -> COLD)
// while HubSpot changed it (WARM): both sides wrote, so a manual conflict was opened and the push of the
// label blocked, which completed its outbox rows. The next pull met the row at the base value with no pending
// change, took that for "changed in HubSpot only", overwrote the local write with WARM and closed the
// conflict.
TEST_F(ConvergenceFindingsTest, AManualConflictOverALocalWriteBackToTheBaseStaysOpenAndKeepsTheRow) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.conflict_policy = "manual", .fake_args = {"--seed-leads", "2"}});
  sync_ok();
  const auto id = sql("SELECT hubspot_id FROM leads WHERE id = 1");
  const auto synced = sql("SELECT lead_label FROM leads WHERE id = 1");
  const std::string other = synced == "WARM" ? "HOT" : "WARM";  // HubSpot's edit
  std::string between;                                          // the third label: the row's detour
  for (const char* label : {"COLD", "WARM", "HOT"})
    if (label != synced && label != other) between = label;
  ui_edit(id, "hs_lead_label", other);
  exec("UPDATE leads SET lead_label = '" + between + "' WHERE id = 1");
  exec("UPDATE leads SET lead_label = '" + synced + "' WHERE id = 1");
  auto out = sync_ok();
  ASSERT_EQ(count("SELECT count(*) FROM leadsync.conflicts WHERE resolved_at IS NULL"), 1) << out;
  ASSERT_EQ(count("SELECT count(*) FROM leadsync.changes WHERE state IN ('NEW', 'PENDING')"), 0) << out;

  ui_edit(id, "hs_lead_name", "Renamed in HubSpot");  // the lead turns up in the next search
  out = sync_ok();
  EXPECT_EQ(sql("SELECT lead_label FROM leads WHERE id = 1"), synced) << out;
  EXPECT_EQ(sql("SELECT lead_name FROM leads WHERE id = 1"), "Renamed in HubSpot") << out;
  EXPECT_EQ(remote_value(id, "hs_lead_label"), other) << out;
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.conflicts WHERE resolved_at IS NULL"), 1) << out;

  // The operator's choice still settles it, either way.
  exec("UPDATE leadsync.conflicts SET resolve = 'local' WHERE resolved_at IS NULL");
  out = sync_ok();
  EXPECT_EQ(remote_value(id, "hs_lead_label"), synced) << out;
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.conflicts WHERE resolved_at IS NULL"), 0) << out;
}

// Seed 55. A lead created from a row with empty columns had no base value for them (only the properties sent
// with the create were recorded), so a later local edit of such a column met an empty HubSpot value "with no
// known base" and was taken for a conflict: remote_wins then threw the edit away, manual opened a conflict.
TEST_F(ConvergenceFindingsTest, EditingAColumnThatWasEmptyAtCreateIsAPlainLocalChange) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.conflict_policy = "remote_wins"});
  sync_ok();
  const auto contact = new_contact();
  insert_local_lead("Created without a label", contact);
  sync_ok();
  const auto id = sql("SELECT hubspot_id FROM leads");
  ASSERT_FALSE(id.empty());
  exec("UPDATE leads SET lead_label = 'HOT', lead_type = 'NEW_BUSINESS'");
  auto out = sync_ok();
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.conflicts"), 0) << out;
  EXPECT_EQ(sql("SELECT lead_label || '/' || lead_type FROM leads"), "HOT/NEW_BUSINESS") << out;
  EXPECT_EQ(remote_value(id, "hs_lead_label"), "HOT") << out;
  EXPECT_EQ(remote_value(id, "hs_lead_type"), "NEW_BUSINESS") << out;
}

// Seed 48. HubSpot keeps the unlabeled association (608) beside every labeled one: removing it removes the
// pair, primary label included, and a lead without a primary association is deleted. Deleting only the 608
// row of the primary contact locally made leadsync send that removal, and HubSpot deleted the lead (then
// leadsync archived the row): an edit of one association row deleted the lead on both sides.
TEST_F(ConvergenceFindingsTest, RemovingTheUnlabeledRowBesideThePrimaryDoesNotDeleteTheLead) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.extra_yaml = "  association_sweep_interval: 1ms\n"});
  const auto contact = new_contact();
  const std::string id = create_remote_lead("Primary contact only", contact)["id"];  // no primary company
  sync_ok();
  ASSERT_EQ(count("SELECT count(*) FROM leads_associations WHERE lead_id = 1 AND to_object_id = '" + contact +
                  "' AND association_type_id IN (578, 608)"),
            2);
  exec("DELETE FROM leads_associations WHERE lead_id = 1 AND to_object_id = '" + contact +
       "' AND association_type_id = 608");
  auto out = sync_ok();
  EXPECT_TRUE(remote_exists(id)) << "the lead was deleted in HubSpot:\n" << out;
  EXPECT_EQ(sql("SELECT archived FROM leads WHERE id = 1"), "f") << out;
  // HubSpot cannot hold the primary label without the unlabeled type: the next run brings the row back.
  out = sync_ok();
  EXPECT_TRUE(remote_exists(id)) << out;
  EXPECT_EQ(
      count("SELECT count(*) FROM leads_associations WHERE lead_id = 1 AND to_object_id = '" + contact + "'"),
      2)
      << out;
  mark_remote_writes();
  sync_ok();
  EXPECT_EQ(remote_writes_since_mark(), 0);
}

// Seed 121. A DELETE answered with a 2xx whose body is garbage (here: fake-hubspot's invalid_json fault,
// which does not apply the delete) was taken for a done delete, since the client ignored DELETE bodies: the
// base was dropped while the lead stayed live in HubSpot, and the next pull imported it again as a new row.
TEST_F(ConvergenceFindingsTest, AGarbledAnswerToADeleteIsNotTakenForTheDelete) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "2"}});
  sync_ok();
  const auto id = sql("SELECT hubspot_id FROM leads WHERE id = 1");
  const auto name = sql("SELECT lead_name FROM leads WHERE id = 1");
  exec("DELETE FROM leads WHERE id = 1");
  admin("POST", "/_fake/faults",
        json{{"method", "DELETE"},
             {"path_prefix", leads_path() + "/"},
             {"kind", "invalid_json"},
             {"execute", false},
             {"times", 1}}
            .dump(),
        201);
  auto first = sync();  // the garbled answer is retried (or the run stops and the next one retries)
  auto out = sync_ok();
  EXPECT_FALSE(remote_exists(id)) << "the delete never reached HubSpot:\n" << first.output << out;
  out += sync_ok();
  EXPECT_EQ(count("SELECT count(*) FROM leads WHERE lead_name = '" + name + "'"), 0) << "re-imported:\n"
                                                                                     << out;
  EXPECT_EQ(count("SELECT count(*) FROM leads"), 1) << out;
}

// Seed 267. A run's PATCH of a local edit (n5) got no answer in time (the run was killed, here: it timed
// out); HubSpot applied it only later. The next run pushed the newer local edit (n7); then the first PATCH
// landed and HubSpot held n5 again. leadsync took n5 for a change made in HubSpot and wrote it into the row:
// the newer local write was lost. Now the base remembers n5 as superseded, the pull reads the property's
// history, sees leadsync's own app wrote it, and pushes n7 again. A person's edit to the same value is still
// taken.
TEST_F(ConvergenceFindingsTest, OurOwnPushLandingLateAfterANewerOneIsPushedOverNotTaken) {
  LEADSYNC_REQUIRE_DATABASE();
  // One attempt: leadsync gives up on the held PATCH after 1 s, not knowing whether HubSpot will apply it.
  const auto id = push_n7_before_a_held_n5_lands(1, 6000, [&](const testing::ProcessResult& first) {
    EXPECT_EQ(count("SELECT count(*) FROM leadsync.changes WHERE state = 'PENDING'"), 1) << first.output;
  });
  expect_n7_pushed_over_the_late_n5(id);

  ui_edit(id, "hs_lead_name", "n5");  // a person choosing the old value is a HubSpot change like any other
  auto out = sync_ok();
  EXPECT_EQ(sql("SELECT lead_name FROM leads WHERE id = 1"), "n5") << out;
  EXPECT_EQ(remote_value(id, "hs_lead_name"), "n5") << out;
}

// Seed 609. The same, within one run: the PATCH of a local edit (n5) timed out, the client's retry was
// answered (n5 confirmed), the next local edit (n7) was pushed, and then the first, unanswered PATCH landed:
// HubSpot held n5 again and the pull took it for a HubSpot change. The push now remembers the values of a
// request that had an unanswered attempt, also when the retry confirmed them, and the pull tells the late
// write apart.
TEST_F(ConvergenceFindingsTest, ARetriedPushsFirstAttemptLandingAfterTheNextPushIsPushedOverNotTaken) {
  LEADSYNC_REQUIRE_DATABASE();
  // Three attempts: the retry after the 1 s timeout is answered at once.
  const auto id = push_n7_before_a_held_n5_lands(3, 5000, [&](const testing::ProcessResult& first) {
    EXPECT_EQ(first.exit_code, 0) << first.output;
    EXPECT_EQ(count("SELECT count(*) FROM leadsync.changes WHERE state = 'SUCCESS'"), 1) << first.output;
  });
  expect_n7_pushed_over_the_late_n5(id);
}

// Seed 19. A lead inserted locally was being created when the daemon was killed: HubSpot had applied the
// POST, leadsync had not recorded it (the outbox rows stayed PENDING, the row had no hubspot_id). The row was
// then deleted locally. The push dropped the DELETE as "never reached HubSpot", and the next pull imported
// HubSpot's copy as a new row: the delete was resurrected. Now the DELETE keeps the row's sync_key, the pull
// leaves that copy alone, and the push finds it by the unique key and deletes it.
class UnconfirmedCreateThenLocalDelete : public ConvergenceFindingsTest,
                                         public ::testing::WithParamInterface<const char*> {};

TEST_P(UnconfirmedCreateThenLocalDelete, DeletesHubSpotsCopyInsteadOfImportingIt) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.on_remote_delete = "delete"});
  sync_ok();
  const auto contact = new_contact();
  insert_local_lead("Gone before confirmed", contact);
  const std::string id = create_unconfirmed("Gone before confirmed", contact);
  const std::string how = GetParam();
  if (how == std::string("delete"))
    exec("DELETE FROM leads");
  else
    exec("UPDATE leads SET archived = true");

  // --full: the list sweep sees HubSpot's copy before the push runs, so the pull must not import it.
  auto out = sync_ok({"--full"});
  EXPECT_FALSE(remote_exists(id)) << out;
  EXPECT_EQ(count("SELECT count(*) FROM leads WHERE NOT archived"), 0) << out;
  EXPECT_EQ(count("SELECT count(*) FROM leads"), how == std::string("delete") ? 0 : 1) << out;
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.changes WHERE state IN ('NEW', 'PENDING', 'FAILED')"), 0)
      << out;
  out = sync_ok({"--full"});
  EXPECT_EQ(count("SELECT count(*) FROM leads WHERE NOT archived"), 0) << out;
  EXPECT_FALSE(remote_exists(id)) << out;
}

// The same crash, but HubSpot never applied the POST: the DELETE finds nothing to delete and writes nothing.
TEST_F(ConvergenceFindingsTest, LocalDeleteOfACreateThatNeverReachedHubSpotWritesNothing) {
  LEADSYNC_REQUIRE_DATABASE();
  start();
  sync_ok();
  const auto contact = new_contact();
  insert_local_lead("Never sent", contact);
  exec("UPDATE leadsync.changes SET state = 'PENDING', attempts = 1");
  exec("DELETE FROM leads");
  mark_remote_writes();
  auto out = sync_ok();
  EXPECT_EQ(remote_writes_since_mark(), 0) << out;
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.changes WHERE state IN ('NEW', 'PENDING', 'FAILED')"), 0)
      << out;
}

// Convergence seed 84 (a round run by a long-running daemon): a create request timed out twice; leadsync read
// back the copy the first request made and linked the row to it. The row was deleted locally and its DELETE
// reached HubSpot; then the second request, delayed, reached HubSpot and made another copy with the same
// unique key, which the next pull imported as a new row: the deleted lead came back on both sides. A HubSpot
// lead carrying the unique key of a row deleted (or archived) locally is now deleted, never imported.
class LateCopyOfADeletedLead : public ConvergenceFindingsTest,
                               public ::testing::WithParamInterface<const char*> {};

TEST_P(LateCopyOfADeletedLead, IsDeletedNotImported) {
  LEADSYNC_REQUIRE_DATABASE();
  start();
  sync_ok();
  const auto contact = new_contact();
  insert_local_lead("Deleted, then copied", contact);
  sync_ok();
  const auto key = sql("SELECT sync_key FROM leads WHERE lead_name = 'Deleted, then copied'");
  const auto first = sql("SELECT hubspot_id FROM leads WHERE lead_name = 'Deleted, then copied'");
  ASSERT_FALSE(first.empty());
  const bool archive = GetParam() == std::string("archive");
  exec(archive ? "UPDATE leads SET archived = true" : "DELETE FROM leads");
  sync_ok();
  ASSERT_FALSE(remote_exists(first));
  // The delayed second create request reaches HubSpot only now.
  const json body = {
      {"properties", {{"hs_lead_name", "Deleted, then copied"}, {"leadsync_key", key}}},
      {"associations", json::array({{{"to", {{"id", contact}}},
                                     {"types", json::array({{{"associationCategory", "HUBSPOT_DEFINED"},
                                                             {"associationTypeId", 578}}})}}})}};
  const std::string copy = api("POST", "/crm/v3/objects/leads", body.dump(), 201)["id"];
  auto out = sync_ok();
  EXPECT_EQ(count("SELECT count(*) FROM leads WHERE NOT archived"), 0) << out;
  EXPECT_EQ(count("SELECT count(*) FROM leads"), archive ? 1 : 0) << out;
  EXPECT_FALSE(remote_exists(copy)) << out;
  EXPECT_NE(out.find("late copy of a lead deleted locally"), std::string::npos) << out;
  // Settled: the next sweep writes nothing on either side.
  mark_remote_writes();
  auto again = sync_ok({"--full"});
  EXPECT_EQ(remote_writes_since_mark(), 0) << again;
  EXPECT_EQ(count("SELECT count(*) FROM leads WHERE NOT archived"), 0) << again;
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.changes WHERE state IN ('NEW', 'PENDING', 'FAILED')"), 0)
      << again;
}

INSTANTIATE_TEST_SUITE_P(HardOrSoft, LateCopyOfADeletedLead, ::testing::Values("delete", "archive"),
                         [](const auto& param_info) { return std::string(param_info.param); });

INSTANTIATE_TEST_SUITE_P(HardOrSoft, UnconfirmedCreateThenLocalDelete, ::testing::Values("delete", "archive"),
                         [](const auto& param_info) { return std::string(param_info.param); });

}  // namespace
}  // namespace leadsync::engine_test
