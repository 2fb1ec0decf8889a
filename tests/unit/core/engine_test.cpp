// SyncEngine against in-memory ports (MemoryStore, ScriptedRemote): the branches of pull and push that
// otherwise only the integration tests reach, in milliseconds. The integration tests
// (tests/integration/engine) run the same paths through PostgreSQL and fake-hubspot.
#include "leadsync/core/engine.hpp"

#include "engine_fixture.hpp"

namespace leadsync::core {
namespace {

// ---- pull: full sweep -------------------------------------------------------------------------------

TEST_F(EngineTest, AFullSweepImportsEveryPageAndRecordsTheWatermark) {
  for (int i = 0; i < 5; ++i) remote.add_lead(named("lead " + std::to_string(i)));
  auto report = cycle();
  EXPECT_TRUE(report.full_sweep);
  EXPECT_EQ(report.record.status, "success");
  EXPECT_EQ(report.record.counts.created_local, 5);
  EXPECT_EQ(store.rows.size(), 5u);
  EXPECT_EQ(remote.count("list"), 3);  // pages of two
  EXPECT_EQ(store.state.at(kStateWatermark), std::to_string(to_epoch_ms(clock.now())));
  EXPECT_EQ(store.state.at(kStateSweepId), "");
}

TEST_F(EngineTest, AStoppedSweepSavesItsCursorAndTheNextCycleResumesAfterIt) {
  remote.page_size = 1;
  for (int i = 0; i < 20; ++i) remote.add_lead(named("lead " + std::to_string(i)));  // 8 pages per batch
  on_progress = [](SyncEngine& e, const Progress& p) {
    if (p.phase == "full sweep") e.request_stop();
  };
  auto first = cycle();
  EXPECT_EQ(first.record.status, "cancelled");
  EXPECT_EQ(store.rows.size(), 8u);
  const auto cursor = store.state.at(kStateSweepCursor);
  EXPECT_FALSE(cursor.empty());

  on_progress = nullptr;
  std::vector<std::optional<std::string>> cursors;
  remote.on_list_page = [&](const std::optional<std::string>& c, bool archived) {
    cursors.push_back(c);
    remote.on_list_page = nullptr;
    RemotePage page;
    // Served by the default behaviour below (the hook only watches the first call).
    std::vector<RemoteLead> all;
    for (const auto& [id, l] : remote.leads)
      if (!archived && std::stol(id) > std::stol(c.value_or("0"))) all.push_back(l);
    page.leads.push_back(all.front());
    if (all.size() > 1) page.next_cursor = all.front().id;
    return page;
  };
  auto second = cycle();
  ASSERT_FALSE(cursors.empty());
  EXPECT_EQ(cursors.front(), cursor);  // resumed, not started over
  EXPECT_EQ(second.record.status, "success");
  EXPECT_EQ(second.record.counts.created_local, 12);
  EXPECT_EQ(store.rows.size(), 20u);
  EXPECT_EQ(store.state.at(kStateSweepCursor), "");
}

TEST_F(EngineTest, ASweepTooOldToResumeStartsOver) {
  remote.add_lead(named("a"));
  store.state[kStateSweepId] = "42";
  store.state[kStateSweepCursor] = "1000";
  store.state[kStateSweepStarted] = std::to_string(to_epoch_ms(clock.now() - options.full_sweep_interval));
  std::vector<std::optional<std::string>> cursors;
  remote.on_list_page = [&](const std::optional<std::string>& c, bool) {
    cursors.push_back(c);
    RemotePage page;
    if (!c) page.leads.push_back(remote.leads.begin()->second);
    return page;
  };
  cycle();
  ASSERT_EQ(cursors.size(), 1u);
  EXPECT_EQ(cursors[0], std::nullopt);
  EXPECT_EQ(store.rows.size(), 1u);
}

TEST_F(EngineTest, ALeadMissingFromACompleteSweepIsDeletedLocallyOnlyOnceABatchReadConfirmsIt) {
  std::int64_t gone_row = 0, kept_row = 0;
  const auto gone = synced_row("gone", &gone_row);
  const auto kept = synced_row("kept", &kept_row);
  remote.leads.erase(gone);
  // `kept` is missing from the list (HubSpot's list is not a snapshot), but a batch read still finds it.
  remote.on_list_page = [&](const std::optional<std::string>&, bool archived) {
    return archived ? RemotePage{} : RemotePage{};
  };
  auto report = cycle(CycleKind::full);
  EXPECT_TRUE(store.rows.at(gone_row).archived);
  EXPECT_FALSE(store.rows.at(kept_row).archived);
  EXPECT_EQ(report.record.counts.deleted_local, 1);
  EXPECT_EQ(remote.count("read"), 1);
  EXPECT_TRUE(remote.leads.contains(kept));
}

// ---- pull: paging that does not advance (issue 16, finding 10) ---------------------------------------

TEST_F(EngineTest, AListCursorThatRepeatsStopsTheSweepWithAnError) {
  int calls = 0;
  remote.on_list_page = [&](const std::optional<std::string>& c, bool) -> RemotePage {
    if (++calls > 50) throw fatal_error("the sweep kept paging");  // without the check: never ends
    RemotePage page;
    page.leads.push_back(RemoteLead{.id = std::to_string(2000 + calls), .values = named("x")});
    // A -> B -> A -> B ...
    page.next_cursor = c == std::optional<std::string>("A") ? "B" : "A";
    return page;
  };
  const auto error = cycle_error();
  EXPECT_NE(error.find("paging cursor \"A\""), std::string::npos) << error;
  EXPECT_EQ(last_error_kind, ErrorKind::transient);
  EXPECT_LE(calls, 3);
  EXPECT_EQ(store.last_run->status, "failed");
}

TEST_F(EngineTest, AListCursorThatNeverAdvancesStopsTheSweepWithAnError) {
  int calls = 0;
  remote.on_list_page = [&](const std::optional<std::string>& c, bool) -> RemotePage {
    if (++calls > 50) throw fatal_error("the sweep kept paging");
    RemotePage page;
    page.next_cursor = c.value_or("same");
    return page;
  };
  const auto error = cycle_error();
  EXPECT_NE(error.find("paging cursor \"same\""), std::string::npos) << error;
  EXPECT_LE(calls, 2);
}

TEST_F(EngineTest, AnArchivedListCursorThatRepeatsStopsTheMaintenanceSweepWithAnError) {
  first_sweep_done();
  clock.advance(options.association_sweep_interval);
  int calls = 0;
  remote.on_list_page = [&](const std::optional<std::string>&, bool archived) -> RemotePage {
    EXPECT_TRUE(archived);
    if (++calls > 50) throw fatal_error("the scan kept paging");
    return RemotePage{.next_cursor = "again"};
  };
  const auto error = cycle_error();
  EXPECT_NE(error.find("archived lead list"), std::string::npos) << error;
  EXPECT_LE(calls, 2);
}

// ---- pull: timestamps from the future (issue 16, finding 11) -----------------------------------------

TEST_F(EngineTest, ALeadModifiedInTheFutureIsRefusedAndAppliedOnceTheClockCatchesUp) {
  const auto id = remote.add_lead(named("from the future"), clock.now() + 30min);
  remote.add_lead(named("today"));
  auto first = cycle();
  EXPECT_EQ(store.row_by_hubspot_id(id), nullptr);  // not applied, no base from that time
  EXPECT_NE(store.row_by_hubspot_id(std::to_string(std::stol(id) + 1)), nullptr);
  EXPECT_EQ(first.record.status, "partial");
  EXPECT_EQ(first.record.counts.failed, 1);
  EXPECT_EQ(store.state.at("pull_retry"), id);
  EXPECT_NE(logged().find("lead " + id + ": HubSpot reports it modified at"), std::string::npos) << logged();

  clock.advance(30min);
  auto later = cycle();  // incremental: the refused lead is read again
  EXPECT_FALSE(later.full_sweep);
  ASSERT_NE(store.row_by_hubspot_id(id), nullptr);
  EXPECT_EQ(later.record.status, "success");
  EXPECT_EQ(store.state.at("pull_retry"), "");
}

TEST_F(EngineTest, AnUpdatedAtWithinTheSkewIsApplied) {
  const auto id = remote.add_lead(named("slightly ahead"), clock.now() + kMaxRemoteClockSkew);
  EXPECT_EQ(cycle().record.status, "success");
  EXPECT_NE(store.row_by_hubspot_id(id), nullptr);
}

TEST_F(EngineTest, EverySkippedResultIsLoggedWithItsReason) {
  std::int64_t row = 0;
  const auto id = synced_row("lead", &row);
  first_sweep_done();
  // Search returns a version older than the base (index lag).
  remote.leads.at(id).updated_at = *store.base.at(row).remote_updated_at - 1s;
  auto report = cycle();
  EXPECT_EQ(report.record.counts.skipped, 1);
  EXPECT_NE(logged().find("lead " + id + ": not applied (older_than_base)"), std::string::npos) << logged();
}

// ---- pull: incremental ------------------------------------------------------------------------------

TEST_F(EngineTest, TheWatermarkNeverPassesTheRunStartNorTheNewestLeadSeen) {
  first_sweep_done();
  clock.advance(10min);
  const auto start = clock.now();
  const auto id = remote.add_lead(named("new"), start - 2min);
  cycle();
  EXPECT_NE(store.row_by_hubspot_id(id), nullptr);
  EXPECT_EQ(store.state.at(kStateWatermark), std::to_string(to_epoch_ms(start - 2min)));
}

TEST_F(EngineTest, ALocalWriteRefusedIsReadAgainNextCycleUntilApplied) {
  first_sweep_done();
  clock.advance(1min);
  const auto id = remote.add_lead(named("too long for the column"));
  store.refuse_pull_of(id, "value too long for type character varying(20)");
  auto first = cycle();
  EXPECT_EQ(first.record.counts.failed, 1);
  EXPECT_EQ(store.state.at("pull_retry"), id);
  EXPECT_EQ(store.row_by_hubspot_id(id), nullptr);

  clock.advance(10min);  // past the search window: only the retry list finds it
  remote.calls.clear();
  auto second = cycle();
  EXPECT_EQ(remote.count("read"), 1);
  EXPECT_NE(store.row_by_hubspot_id(id), nullptr);
  EXPECT_EQ(second.record.status, "success");
}

TEST_F(EngineTest, AConflictReadWithoutTimestampsIsReadAgainWithHistoryBeforeItIsDecided) {
  std::int64_t row = 0;
  const auto id = synced_row("lead", &row);
  first_sweep_done();
  clock.advance(1min);
  store.edit_row(row, "hs_lead_label", "WARM");
  clock.advance(1min);
  remote.edit_lead(id, "hs_lead_label", "COLD");
  store.apply_pull_calls = 0;
  // The local edit is pushed in this cycle too: keep it pending so the pull meets the conflict first.
  auto report = cycle();
  EXPECT_EQ(remote.count("read_history"), 1);
  EXPECT_EQ(store.apply_pull_calls, 2);  // deferred, then applied with the history
  EXPECT_EQ(report.record.counts.conflicts, 1);
}

// ---- push: creates ----------------------------------------------------------------------------------

TEST_F(EngineTest, ACreateIsLinkedAndItsBaseHoldsEveryMappedProperty) {
  const auto row = store.insert_row(named("new lead"), {kContact});
  auto report = cycle(CycleKind::push_only);
  EXPECT_EQ(report.record.counts.created_remote, 1);
  const auto id = store.rows.at(row).hubspot_id.value();
  EXPECT_EQ(remote.leads.at(id).unique_key, store.rows.at(row).sync_key);
  const auto& base = store.base.at(row);
  EXPECT_EQ(base.values.at("hs_lead_name"), "new lead");
  ASSERT_TRUE(base.values.contains("hs_lead_label"));  // empty, and synced as empty
  EXPECT_EQ(base.values.at("hs_lead_label"), std::nullopt);
}

TEST_F(EngineTest, AnInDoubtCreateThatReachedHubSpotIsLinkedNotCreatedAgain) {
  const auto row = store.insert_row(named("maybe created"), {kContact});
  store.outbox.at(row).pending = true;  // an earlier attempt was claimed and never answered
  store.outbox.at(row).attempts = 1;
  const auto id = remote.add_lead(named("maybe created"), std::nullopt, store.rows.at(row).sync_key);
  auto report = cycle(CycleKind::push_only);
  EXPECT_EQ(remote.count("find_by_unique_key"), 1);
  EXPECT_EQ(remote.count("create"), 0);
  EXPECT_EQ(store.rows.at(row).hubspot_id, id);
  EXPECT_EQ(report.record.counts.created_remote, 1);
  EXPECT_EQ(remote.leads.size(), 1u);
}

TEST_F(EngineTest, AnInDoubtCreateThatDidNotReachHubSpotIsCreated) {
  const auto row = store.insert_row(named("not created"), {kContact});
  store.outbox.at(row).pending = true;
  store.outbox.at(row).attempts = 1;
  cycle(CycleKind::push_only);
  EXPECT_EQ(remote.count("find_by_unique_key"), 1);
  EXPECT_EQ(remote.count("create"), 1);
  EXPECT_TRUE(store.rows.at(row).hubspot_id);
}

TEST_F(EngineTest, AnInDoubtCreateWithoutAUniqueKeyIsFlaggedNotRepeated) {
  options.mapping.unique_key_property.reset();
  const auto row = store.insert_row(named("unknowable"), {kContact});
  store.outbox.at(row).pending = true;
  store.outbox.at(row).attempts = 1;
  auto report = cycle(CycleKind::push_only);
  EXPECT_EQ(remote.count("create"), 0);
  EXPECT_EQ(store.closed.at(row).status, PushStatus::failed);
  EXPECT_NE(store.closed.at(row).error.find("cannot be checked without"), std::string::npos);
  EXPECT_EQ(report.record.status, "partial");
}

TEST_F(EngineTest, ARowDeletedWhileItsCreateWasInDoubtIsDeletedInHubSpotIfTheCreateArrived) {
  const auto row = store.insert_row(named("deleted"), {kContact});
  const auto key = store.rows.at(row).sync_key;
  store.outbox.at(row).pending = true;
  store.outbox.at(row).attempts = 1;
  const auto id = remote.add_lead(named("deleted"), std::nullopt, key);
  store.delete_row(row);
  auto report = cycle(CycleKind::push_only);
  EXPECT_EQ(remote.count("archive"), 1);
  EXPECT_TRUE(remote.leads.at(id).archived);
  EXPECT_EQ(report.record.counts.deleted_remote, 1);
}

TEST_F(EngineTest, ARowDeletedWhileItsCreateWasInDoubtIsIgnoredIfTheCreateNeverArrived) {
  const auto row = store.insert_row(named("deleted"), {kContact});
  store.outbox.at(row).pending = true;
  store.outbox.at(row).attempts = 1;
  store.delete_row(row);
  cycle(CycleKind::push_only);
  EXPECT_EQ(remote.count("archive"), 0);
  EXPECT_EQ(store.closed.at(row).status, PushStatus::ignored);
}

TEST_F(EngineTest, ACreateWithoutAPrimaryAssociationFailsBeforeAnythingIsSent) {
  const auto row = store.insert_row(named("no contact"), {kOtherContact});
  auto report = cycle(CycleKind::push_only);
  EXPECT_EQ(remote.count("create"), 0);
  EXPECT_EQ(store.closed.at(row).status, PushStatus::failed);
  EXPECT_EQ(report.record.counts.failed, 1);
}

// ---- push: updates ----------------------------------------------------------------------------------

TEST_F(EngineTest, PropertiesAcceptedButAssociationsRefusedKeepThePropertiesInTheBase) {
  std::int64_t row = 0;
  const auto id = synced_row("lead", &row);
  store.edit_row(row, "hs_lead_label", "HOT");
  store.rows.at(row).associations.insert(kOtherContact);
  remote.on_change_associations = [](const std::vector<AssociationChange>& changes) {
    std::vector<WriteResult> out;
    for (const auto& c : changes)
      out.push_back({.ref = c.hubspot_id, .error = transient_error("association write timed out")});
    return out;
  };
  auto first = cycle(CycleKind::push_only);
  EXPECT_EQ(store.outcomes.back().status, PushStatus::retry);
  EXPECT_EQ(store.base.at(row).values.at("hs_lead_label"), "HOT");  // the properties are synced
  EXPECT_EQ(remote.leads.at(id).values.at("hs_lead_label"), "HOT");
  EXPECT_EQ(first.record.counts.updated_remote, 0);

  remote.on_change_associations = nullptr;
  remote.calls.clear();
  clock.advance(options.push_retry_max);
  auto second = cycle(CycleKind::push_only);
  EXPECT_EQ(remote.count("update"), 0);  // only the associations go again
  EXPECT_EQ(remote.count("change_associations"), 1);
  EXPECT_EQ(second.record.counts.updated_remote, 1);
  EXPECT_TRUE(remote.leads.at(id).associations->contains(kOtherContact));
}

TEST_F(EngineTest, AFailedPropertyUpdateLeavesItsAssociationsForTheRetry) {
  std::int64_t row = 0;
  synced_row("lead", &row);
  store.edit_row(row, "hs_lead_label", "HOT");
  store.rows.at(row).associations.insert(kOtherContact);
  remote.on_update = [](const std::vector<UpdateRequest>& reqs) {
    std::vector<WriteResult> out;
    for (const auto& r : reqs) out.push_back({.ref = r.hubspot_id, .error = transient_error("busy")});
    return out;
  };
  cycle(CycleKind::push_only);
  EXPECT_EQ(remote.count("change_associations"), 0);
  EXPECT_EQ(store.outcomes.back().status, PushStatus::retry);
}

TEST_F(EngineTest, AWholeCallFailingIsNotCountedAsAnAttempt) {
  options.max_push_attempts = 1;  // a counted attempt would mark the change FAILED at once
  std::int64_t row = 0;
  synced_row("lead", &row);
  store.edit_row(row, "hs_lead_label", "HOT");
  remote.on_update = [](const std::vector<UpdateRequest>&) -> std::vector<WriteResult> {
    throw transient_error("HubSpot server error (503) after 3 attempts");
  };
  EXPECT_NE(cycle_error(CycleKind::push_only).find("503"), std::string::npos);
  EXPECT_EQ(last_error_kind, ErrorKind::transient);
  EXPECT_EQ(store.outcomes.back().status, PushStatus::retry);
  EXPECT_TRUE(store.outcomes.back().next_attempt_at);
  EXPECT_FALSE(store.closed.contains(row));
}

TEST_F(EngineTest, ARecordFailingTransientlyCountsAsAnAttemptUntilItGivesUp) {
  options.max_push_attempts = 2;
  std::int64_t row = 0;
  synced_row("lead", &row);
  store.edit_row(row, "hs_lead_label", "HOT");
  remote.on_update = [](const std::vector<UpdateRequest>& reqs) {
    std::vector<WriteResult> out;
    for (const auto& r : reqs) out.push_back({.ref = r.hubspot_id, .error = transient_error("locked")});
    return out;
  };
  cycle(CycleKind::push_only);
  EXPECT_EQ(store.outcomes.back().status, PushStatus::retry);
  EXPECT_EQ(store.outcomes.back().next_attempt_at, clock.now() + options.push_retry_initial);
  clock.advance(options.push_retry_initial);
  cycle(CycleKind::push_only);
  EXPECT_EQ(store.outcomes.back().status, PushStatus::failed);
  EXPECT_NE(store.outcomes.back().error.find("gave up after 2 attempts: locked"), std::string::npos);
}

TEST_F(EngineTest, ARecordErrorFailsOnlyThatLead) {
  std::int64_t a = 0, b = 0;
  const auto id_a = synced_row("a", &a);
  synced_row("b", &b);
  store.edit_row(a, "hs_lead_label", "BAD");
  store.edit_row(b, "hs_lead_label", "HOT");
  remote.on_update = [&](const std::vector<UpdateRequest>& reqs) {
    std::vector<UpdateRequest> others;
    std::vector<WriteResult> out;
    for (const auto& r : reqs)
      if (r.hubspot_id == id_a)
        out.push_back({.ref = r.hubspot_id, .error = record_error("INVALID_OPTION: BAD")});
      else
        others.push_back(r);
    for (auto& r : remote.do_update(others)) out.push_back(std::move(r));
    return out;
  };
  auto report = cycle(CycleKind::push_only);
  EXPECT_EQ(store.closed.at(a).status, PushStatus::failed);
  EXPECT_EQ(store.closed.at(b).status, PushStatus::success);
  EXPECT_EQ(report.record.counts.failed, 1);
  EXPECT_EQ(report.record.counts.updated_remote, 1);
}

TEST_F(EngineTest, ACreateHubSpotSaysNothingAboutIsRetried) {
  const auto row = store.insert_row(named("new"), {kContact});
  remote.on_create = [](const std::vector<CreateRequest>&) { return std::vector<WriteResult>{}; };
  cycle(CycleKind::push_only);
  EXPECT_EQ(store.outcomes.back().status, PushStatus::retry);
  EXPECT_EQ(store.outcomes.back().error, "HubSpot returned no result for this lead");
  EXPECT_FALSE(store.rows.at(row).hubspot_id);
}

TEST_F(EngineTest, AFatalErrorEndsTheCycleWithoutRecordingOutcomes) {
  std::int64_t row = 0;
  synced_row("lead", &row);
  store.edit_row(row, "hs_lead_label", "HOT");
  const auto recorded = store.outcomes.size();
  remote.on_update = [](const std::vector<UpdateRequest>&) -> std::vector<WriteResult> {
    throw fatal_error("HubSpot rejected the credentials");
  };
  cycle_error(CycleKind::push_only);
  EXPECT_EQ(last_error_kind, ErrorKind::fatal);
  EXPECT_EQ(store.outcomes.size(), recorded);  // the claim stays PENDING: the next run is in doubt
}

TEST_F(EngineTest, AnUnconfirmedEarlierAttemptOfAnUpdateIsRememberedAsASupersededWrite) {
  std::int64_t row = 0;
  synced_row("lead", &row);
  store.edit_row(row, "hs_lead_label", "HOT");
  remote.on_update = [&](const std::vector<UpdateRequest>& reqs) {
    auto out = remote.do_update(reqs);
    for (auto& r : out) r.unconfirmed_attempt = true;  // the client's first try went unanswered
    return out;
  };
  cycle(CycleKind::push_only);
  const auto& base = store.base.at(row);
  ASSERT_TRUE(base.superseded.contains("hs_lead_label"));
  EXPECT_TRUE(base.superseded.at("hs_lead_label").contains(Value("HOT")));
  EXPECT_EQ(base.superseded_until, clock.now() + kSupersededWriteHorizon);
}

TEST_F(EngineTest, ValuesAnInDoubtAttemptMayHaveSentAreRememberedAsSupersededWrites) {
  std::int64_t row = 0;
  synced_row("lead", &row);
  store.edit_row(row, "hs_lead_label", "HOT");
  // The attempt that sends HOT never learns its outcome (the run dies: nothing recorded, claim PENDING).
  remote.on_update = [](const std::vector<UpdateRequest>&) -> std::vector<WriteResult> {
    throw fatal_error("killed");
  };
  cycle_error(CycleKind::push_only);
  remote.on_update = nullptr;
  store.edit_row(row, "hs_lead_label", "COLD");
  cycle(CycleKind::push_only);
  EXPECT_EQ(store.closed.at(row).status, PushStatus::success);
  const auto& base = store.base.at(row);
  EXPECT_EQ(base.values.at("hs_lead_label"), "COLD");
  ASSERT_TRUE(base.superseded.contains("hs_lead_label"));
  EXPECT_TRUE(base.superseded.at("hs_lead_label").contains(Value("HOT")));
}

// ---- push: archives and the rest --------------------------------------------------------------------

TEST_F(EngineTest, ARowDeletedLocallyIsArchivedInHubSpotAndItsBaseDropped) {
  std::int64_t row = 0;
  const auto id = synced_row("lead", &row);
  store.delete_row(row);
  auto report = cycle(CycleKind::push_only);
  EXPECT_TRUE(remote.leads.at(id).archived);
  EXPECT_FALSE(store.base.contains(row));
  EXPECT_EQ(report.record.counts.deleted_remote, 1);
}

TEST_F(EngineTest, AnArchiveCallFailingLeavesTheDeletePending) {
  std::int64_t row = 0;
  const auto id = synced_row("lead", &row);
  store.delete_row(row);
  remote.on_archive = [](const std::vector<std::string>&) -> std::vector<WriteResult> {
    throw transient_error("connection reset");
  };
  cycle_error(CycleKind::push_only);
  EXPECT_FALSE(remote.leads.at(id).archived);
  EXPECT_EQ(store.outcomes.back().status, PushStatus::retry);
}

TEST_F(EngineTest, ARowThatMatchesItsBaseIsMergedWithoutACall) {
  std::int64_t row = 0;
  synced_row("lead", &row);
  store.edit_row(row, "hs_lead_name", "lead");  // same value again
  remote.calls.clear();
  cycle(CycleKind::push_only);
  EXPECT_TRUE(remote.calls.empty());
  EXPECT_EQ(store.closed.at(row).status, PushStatus::merged);
}

TEST_F(EngineTest, ADryRunPlansThePushButClaimsAndSendsNothing) {
  const auto row = store.insert_row(named("new"), {kContact});
  auto report = cycle(CycleKind::push_only, /*dry_run=*/true);
  ASSERT_TRUE(report.dry_run);
  ASSERT_EQ(report.dry_run->push.size(), 1u);
  EXPECT_EQ(report.dry_run->push[0].second.action, PushAction::create);
  EXPECT_EQ(remote.count("create"), 0);
  EXPECT_FALSE(store.outbox.at(row).pending);
}

// ---- API calls by activity (issue 19) ------------------------------------------------------------------

TEST_F(EngineTest, EveryCallOfACycleIsAttributedToTheActivityThatMadeIt) {
  for (int i = 0; i < 5; ++i) remote.add_lead(named("lead " + std::to_string(i)));
  auto full = cycle();
  const auto& by = full.record.counts.api_calls_by_activity;
  EXPECT_EQ(by[index_of(ApiActivity::full_sweep)], static_cast<std::int64_t>(remote.calls.size()));
  EXPECT_GT(by[index_of(ApiActivity::full_sweep)], 0);

  remote.calls.clear();
  store.insert_row(named("local"), {kContact});
  clock.advance(options.association_sweep_interval);
  auto next = cycle();
  const auto& split = next.record.counts.api_calls_by_activity;
  EXPECT_EQ(split[index_of(ApiActivity::full_sweep)], 0);
  EXPECT_EQ(split[index_of(ApiActivity::incremental)], remote.count("search"));
  EXPECT_EQ(split[index_of(ApiActivity::association_sweep)], remote.count("read_associations"));
  EXPECT_EQ(split[index_of(ApiActivity::recycle_bin)], remote.count("list_archived"));
  EXPECT_EQ(split[index_of(ApiActivity::push)], remote.count("create"));
  EXPECT_GT(split[index_of(ApiActivity::push)], 0);
  std::int64_t sum = 0;
  for (auto n : split) sum += n;
  EXPECT_EQ(sum, next.record.counts.api_calls);
}

}  // namespace
}  // namespace leadsync::core
