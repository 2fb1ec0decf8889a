// Bad database states: the mapped table dropped, an operator's trigger or constraint refusing leadsync's
// write, a read-only database (as a replica behaves), the connection killed mid-run. Each: the exit code, a
// message that names the cause, and nothing lost or duplicated on either side.
#include <csignal>

#include "badinput_fixture.hpp"

namespace leadsync::badinput {
namespace {

using namespace std::chrono_literals;

class DatabaseTest : public BadInputFixture {
 protected:
  // leadsync started in the background with the fixture's config and environment (run() waits; this does
  // not).
  std::unique_ptr<testing::ChildProcess> spawn(std::vector<std::string> args) {
    std::vector<std::string> a{"--config", config_.string(), "--migrations", LEADSYNC_MIGRATIONS_DIR};
    a.insert(a.end(), args.begin(), args.end());
    return std::make_unique<testing::ChildProcess>(
        LEADSYNC_LEADSYNC_BIN, a,
        testing::ChildProcess::Env{{"HUBSPOT_ACCESS_TOKEN", kToken}, {"LEADSYNC_DATABASE_URL", db_->dsn()}});
  }

  long remote_leads() { return admin("GET", "/_fake/stats")["leads"].get<long>(); }

  std::string create_remote_lead(const std::string& name) {
    const auto contact = new_contact();
    json body = {
        {"properties", {{"hs_lead_name", name}}},
        {"associations", json::array({{{"to", {{"id", contact}}},
                                       {"types", json::array({{{"associationCategory", "HUBSPOT_DEFINED"},
                                                               {"associationTypeId", 578}}})}}})}};
    return api("POST", "/crm/v3/objects/leads", body, 201)["id"].get<std::string>();
  }

  long rows_named(const std::string& name) {
    return count("SELECT count(*) FROM leads WHERE lead_name = '" + name + "'");
  }
};

// An operator dropped the mapped table between runs. leadsync refuses to recreate it silently (an empty table
// would not match what it synced: every lead would look deleted with no captured delete) and says how to go
// on; following that advice re-imports every lead from HubSpot. HubSpot is never touched.
TEST_F(DatabaseTest, TheMappedTableDroppedBetweenRunsIsRefusedWithTheTableNamed) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "3"}});
  run_ok();
  const auto ids = sql("SELECT string_agg(hubspot_id, ',' ORDER BY hubspot_id) FROM leads");
  const long associations = count("SELECT count(*) FROM leads_associations");
  const long writes = remote_writes();
  exec("DROP TABLE leads_associations, leads");
  auto r = run();
  EXPECT_EQ(r.exit_code, 78) << r.output;
  EXPECT_NE(r.output.find("table public.leads is missing"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("DELETE FROM leadsync.base"), std::string::npos) << r.output;
  EXPECT_EQ(sql("SELECT to_regclass('public.leads') IS NULL"), "t")
      << "not recreated behind the operator's back";
  EXPECT_EQ(remote_writes(), writes) << r.output;
  EXPECT_EQ(remote_leads(), 3);
  // Twice the same answer (a restart does not change it).
  EXPECT_EQ(run().exit_code, 78);

  // The operator chooses to start over: the advice in the message, then a normal run re-imports everything.
  for (const char* t : {"base", "changes", "sync_state", "conflicts", "sweep_seen"})
    exec(std::string("DELETE FROM leadsync.") + t + " WHERE scope = 'public.leads'");
  auto out = run_ok();
  EXPECT_EQ(sql("SELECT string_agg(hubspot_id, ',' ORDER BY hubspot_id) FROM leads"), ids) << out;
  EXPECT_EQ(count("SELECT count(*) FROM leads_associations"), associations) << out;
  EXPECT_EQ(remote_writes(), writes) << "re-importing writes nothing to HubSpot:\n" << out;
}

// Dropped while the daemon runs: the next cycle fails naming the table, nothing is sent to HubSpot (in
// particular no lead is deleted there), and the daemon keeps running and retrying.
TEST_F(DatabaseTest, TheMappedTableDroppedWhileTheDaemonRunsFailsTheCycleAndTouchesNothingInHubSpot) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "3"}, .sync_extra = "  interval: 1s\n"});
  run_ok();
  const long writes = remote_writes();
  auto daemon = spawn({});
  daemon->wait_for_line("cycle success", 60s);
  exec("DROP TABLE leads_associations, leads");
  const auto line = daemon->wait_for_line("sync cycle failed", 60s);
  EXPECT_NE(line.find("leads"), std::string::npos) << line;
  EXPECT_NE(line.find("does not exist"), std::string::npos) << line;
  EXPECT_TRUE(daemon->running()) << daemon->output();
  EXPECT_EQ(remote_writes(), writes) << daemon->output();
  EXPECT_EQ(remote_leads(), 3);
  daemon->send_signal(SIGTERM);
  EXPECT_TRUE(daemon->wait(30s).has_value());
  // Started again, it refuses the missing table as above.
  auto r = run();
  EXPECT_EQ(r.exit_code, 78) << r.output;
  EXPECT_NE(r.output.find("table public.leads is missing"), std::string::npos) << r.output;
}

// An operator's trigger RAISEs on some values leadsync pulls: only that lead is left out (exit 1, the
// trigger's message on the row and in the output); the others are written. Without the trigger, a full sweep
// brings it.
TEST_F(DatabaseTest, AnOperatorTriggerRefusingAPulledValueLeavesOnlyThatLeadOut) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "3"}});
  run_ok();
  exec(
      "CREATE FUNCTION no_forbidden() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
      "IF NEW.lead_name LIKE 'Forbidden%' THEN RAISE EXCEPTION 'lead names may not start with Forbidden'; "
      "END IF; "
      "RETURN NEW; END $$");
  exec(
      "CREATE TRIGGER operator_check BEFORE INSERT OR UPDATE ON leads FOR EACH ROW EXECUTE FUNCTION "
      "no_forbidden()");
  const auto old_name = sql("SELECT lead_name FROM leads WHERE id = 1");
  ui_edit(hubspot_id(1), {{"hs_lead_name", "Forbidden name"}});
  ui_edit(hubspot_id(2), {{"hs_lead_name", "Allowed name"}});
  const auto created = create_remote_lead("Forbidden new lead");
  auto r = run();
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find(hubspot_id(1)), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(created), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("lead names may not start with Forbidden"), std::string::npos) << r.output;
  EXPECT_EQ(sql("SELECT lead_name FROM leads WHERE id = 2"), "Allowed name");
  EXPECT_EQ(sql("SELECT lead_name FROM leads WHERE id = 1"), old_name);
  EXPECT_EQ(sql("SELECT sync_status FROM leads WHERE id = 1"), "FAILED");
  EXPECT_NE(sql("SELECT sync_error FROM leads WHERE id = 1").find("lead names may not start with Forbidden"),
            std::string::npos);
  EXPECT_EQ(rows_named("Forbidden new lead"), 0);
  EXPECT_EQ(remote_value(hubspot_id(1), "hs_lead_name"), "Forbidden name")
      << "HubSpot's value is not overwritten";

  exec("DROP TRIGGER operator_check ON leads");
  auto out = run_ok({"--sync-now", "--full"});
  EXPECT_EQ(sql("SELECT lead_name FROM leads WHERE id = 1"), "Forbidden name") << out;
  EXPECT_EQ(sql("SELECT sync_status FROM leads WHERE id = 1"), "SYNCED") << out;
  EXPECT_EQ(sql("SELECT sync_error FROM leads WHERE id = 1"), "") << out;
  EXPECT_EQ(rows_named("Forbidden new lead"), 1) << out;
  EXPECT_EQ(count("SELECT count(*) FROM leads"), 4);
}

// A CHECK and a UNIQUE constraint the operator added: a pulled value violating either leaves only that lead
// out, with PostgreSQL's reason naming the constraint; the others are written.
TEST_F(DatabaseTest, AnOperatorConstraintViolatedByAPulledValueLeavesOnlyThatLeadOut) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "4"}});
  run_ok();
  exec(
      "ALTER TABLE leads ADD CONSTRAINT name_not_shouting CHECK (lead_name IS NULL OR lead_name <> "
      "upper(lead_name))");
  exec("ALTER TABLE leads ADD CONSTRAINT one_lead_per_name UNIQUE (lead_name)");
  const auto name1 = sql("SELECT lead_name FROM leads WHERE id = 1");
  const auto name4 = sql("SELECT lead_name FROM leads WHERE id = 4");
  ui_edit(hubspot_id(1), {{"hs_lead_name", "SHOUTED NAME"}});
  ui_edit(hubspot_id(2), {{"hs_lead_name", "Quiet name"}});
  ui_edit(hubspot_id(3), {{"hs_lead_label", "WARM"}});
  ui_edit(hubspot_id(4), {{"hs_lead_name", sql("SELECT lead_name FROM leads WHERE id = 3")}});
  auto r = run();
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("name_not_shouting"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("one_lead_per_name"), std::string::npos) << r.output;
  EXPECT_EQ(sql("SELECT lead_name FROM leads WHERE id = 1"), name1);
  EXPECT_EQ(sql("SELECT lead_name FROM leads WHERE id = 4"), name4);
  EXPECT_EQ(sql("SELECT lead_name FROM leads WHERE id = 2"), "Quiet name");
  EXPECT_EQ(sql("SELECT lead_label FROM leads WHERE id = 3"), "WARM");
  EXPECT_NE(sql("SELECT sync_error FROM leads WHERE id = 1")
                .find("violates check constraint \"name_not_shouting\""),
            std::string::npos);
  EXPECT_NE(sql("SELECT sync_error FROM leads WHERE id = 4").find("one_lead_per_name"), std::string::npos);
  EXPECT_EQ(sql("SELECT count(*) FROM leads WHERE sync_status = 'FAILED'"), "2");
  EXPECT_EQ(remote_value(hubspot_id(1), "hs_lead_name"), "SHOUTED NAME")
      << "HubSpot's value is not overwritten";
}

// A page of at least 40 leads is written as two halves at once, on two connections (PgStore::apply_pull). A
// lead refused by PostgreSQL in each half leaves out only those two; every other lead of both halves is
// written, and once the cause is gone the next sweep brings the two in, nothing doubled.
TEST_F(DatabaseTest, ALeadRefusedInEachHalfOfAParallelPageLeavesOnlyThoseOut) {
  LEADSYNC_REQUIRE_DATABASE();
  start();
  run_ok();
  exec(
      "CREATE FUNCTION no_7_or_70() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
      "IF NEW.lead_name IN ('Demo Lead 7', 'Demo Lead 70') THEN RAISE EXCEPTION 'not lead 7 or 70'; END IF; "
      "RETURN NEW; END $$");
  exec(
      "CREATE TRIGGER operator_check BEFORE INSERT OR UPDATE ON leads FOR EACH ROW EXECUTE FUNCTION "
      "no_7_or_70()");
  admin("POST", "/_fake/reset", json{{"seed_leads", 90}}, 200);  // one list page of 90: halves of 45
  auto r = run({"--sync-now", "--full"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("not lead 7 or 70"), std::string::npos) << r.output;
  // Each half fell back to writing lead by lead on its own: the page was split.
  std::size_t fallbacks = 0;
  for (auto at = r.output.find("lead by lead"); at != std::string::npos;
       at = r.output.find("lead by lead", at + 1))
    ++fallbacks;
  EXPECT_EQ(fallbacks, 2u) << r.output;
  EXPECT_EQ(count("SELECT count(*) FROM leads"), 88) << r.output;
  EXPECT_EQ(rows_named("Demo Lead 7") + rows_named("Demo Lead 70"), 0);
  EXPECT_EQ(rows_named("Demo Lead 6") + rows_named("Demo Lead 71"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.base"), 88);

  exec("DROP TRIGGER operator_check ON leads");
  auto out = run_ok({"--sync-now", "--full"});
  EXPECT_EQ(count("SELECT count(*) FROM leads"), 90) << out;
  EXPECT_EQ(count("SELECT count(DISTINCT hubspot_id) FROM leads"), 90) << out;
  EXPECT_EQ(count("SELECT count(DISTINCT lead_id) FROM leads_associations"), 90) << out;
  EXPECT_EQ(remote_leads(), 90) << "nothing created in HubSpot";
}

// The database became read-only (what a replica/hot standby does): a clear error naming the read-only state,
// exit 69 (unavailable: a failover can make it writable again, so systemd restarts and the daemon retries),
// nothing written or sent; once writable, the waiting local edit is pushed.
TEST_F(DatabaseTest, AReadOnlyDatabaseIsReportedAsUnavailableAndNothingIsLost) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "2"}});
  run_ok();
  exec("UPDATE leads SET lead_label = 'COLD' WHERE id = 1");
  ui_edit(hubspot_id(2), {{"hs_lead_name", "Renamed in HubSpot"}});
  const auto dbname = sql("SELECT quote_ident(current_database())");
  exec("ALTER DATABASE " + dbname + " SET default_transaction_read_only = on");
  const auto digest = table_digest();
  const long writes = remote_writes();
  auto r = run();
  EXPECT_EQ(r.exit_code, 69) << r.output;
  EXPECT_NE(r.output.find("read-only"), std::string::npos) << r.output;
  EXPECT_EQ(table_digest(), digest);
  EXPECT_EQ(remote_writes(), writes) << r.output;
  EXPECT_NE(remote_value(hubspot_id(1), "hs_lead_label"), "COLD");

  exec("BEGIN; SET TRANSACTION READ WRITE; ALTER DATABASE " + dbname +
       " RESET default_transaction_read_only; COMMIT");
  auto out = run_ok();
  EXPECT_EQ(remote_value(hubspot_id(1), "hs_lead_label"), "COLD") << out;
  EXPECT_EQ(sql("SELECT lead_name FROM leads WHERE id = 2"), "Renamed in HubSpot") << out;
}

// leadsync's PostgreSQL connections are killed (pg_terminate_backend) while a run waits on HubSpot: the run
// fails as unavailable (exit 69) naming the lost connection; the next run completes, nothing lost or
// duplicated.
TEST_F(DatabaseTest, TheConnectionKilledMidRunFailsTheRunAndTheNextRunCompletes) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "3"}});
  run_ok();
  exec("UPDATE leads SET lead_label = 'HOT' WHERE id = 1");
  ui_edit(hubspot_id(2), {{"hs_lead_name", "Renamed in HubSpot"}});
  const long new_row = insert_lead("'Created locally'");
  // Hold the sweep's first page long enough to kill the connections under it.
  fault({{"kind", "delay"},
         {"delay_ms", 5000},
         {"method", "GET"},
         {"path_prefix", "/crm/v3/objects/leads"},
         {"times", 1}});
  auto p = spawn({"--sync-now", "--full"});
  p->wait_for_line("full sweep", 60s);
  const auto killed = count(
      "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
      "current_database() AND pid <> pg_backend_pid() AND application_name LIKE 'leadsync%') k");
  EXPECT_GE(killed, 1);
  const auto code = p->wait(120s);
  ASSERT_TRUE(code.has_value());
  // 0 only if this machine was so slow that the kill came after the held request (nothing then to check).
  EXPECT_TRUE(*code == 69 || *code == 0) << p->output();
  if (*code == 69) {
    EXPECT_NE(p->output().find("PostgreSQL connection failed"), std::string::npos) << p->output();
  }

  auto out = run_ok();
  EXPECT_EQ(remote_value(hubspot_id(1), "hs_lead_label"), "HOT") << out;
  EXPECT_EQ(sql("SELECT lead_name FROM leads WHERE id = 2"), "Renamed in HubSpot") << out;
  EXPECT_FALSE(hubspot_id(new_row).empty()) << out;
  EXPECT_EQ(remote_leads(), 4) << "the local lead created once, nothing duplicated:\n" << out;
  EXPECT_EQ(count("SELECT count(*) FROM leads"), 4);
  EXPECT_EQ(count("SELECT count(*) FROM (SELECT hubspot_id FROM leads GROUP BY 1 HAVING count(*) > 1) d"), 0);
}

// A silent network partition or a stalled server must fail the batch (retried) instead of hanging the cycle
// until the watchdog kills the process: the data connection carries TCP keepalives, a TCP user timeout and a
// statement timeout, as the leader-lock connection does. An operator's trigger reads them from leadsync's
// own session while it writes a pulled lead.
TEST_F(DatabaseTest, TheDataConnectionHasKeepalivesAndAStatementTimeout) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "1"}});
  run_ok();
  exec(
      "CREATE TABLE probe (statement_timeout text, tcp_user_timeout text, keepalives_idle text); "
      "CREATE FUNCTION probe() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
      "INSERT INTO probe VALUES (current_setting('statement_timeout'), current_setting('tcp_user_timeout'), "
      "current_setting('tcp_keepalives_idle')); RETURN NEW; END $$; "
      "CREATE TRIGGER probe BEFORE INSERT ON leads FOR EACH ROW EXECUTE FUNCTION probe()");
  create_remote_lead("pulled through the probe");
  run_ok();
  ASSERT_EQ(count("SELECT count(*) FROM probe"), 1);
  EXPECT_EQ(sql("SELECT statement_timeout FROM probe"), "2min");
  EXPECT_EQ(sql("SELECT tcp_user_timeout FROM probe"), "15000");  // milliseconds
  EXPECT_EQ(sql("SELECT keepalives_idle FROM probe"), "5");
}

// A statement that runs into statement_timeout (57014) fails the run as "unavailable" (69: retried), not as
// a configuration problem; the next run completes.
TEST_F(DatabaseTest, AStatementTimeoutIsUnavailableAndTheNextRunCompletes) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "1"}});
  run_ok();
  exec(
      "CREATE FUNCTION cancel_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
      "RAISE EXCEPTION 'canceling statement due to statement timeout' USING ERRCODE = '57014'; END $$; "
      "CREATE TRIGGER cancel_insert BEFORE INSERT ON leads FOR EACH ROW EXECUTE FUNCTION cancel_insert()");
  create_remote_lead("pulled after the timeout");
  auto r = run();
  EXPECT_EQ(r.exit_code, 69) << r.output;
  EXPECT_NE(r.output.find("SQLSTATE 57014"), std::string::npos) << r.output;
  exec("DROP TRIGGER cancel_insert ON leads");
  run_ok();
  EXPECT_EQ(rows_named("pulled after the timeout"), 1);
}

}  // namespace
}  // namespace leadsync::badinput
