// The one-shot CLI against real systems: exit codes of docs/design.md#exit-codes, --check-config --online,
// --status (text and JSON), --retry-failed, --version; secrets never in the output.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <chrono>
#include <thread>

#include "daemon_fixture.hpp"

namespace leadsync::daemon_test {
namespace {

class CliTest : public DaemonFixture {};

// A loopback port nobody listens on (bound, then closed).
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST_F(CliTest, UsageErrorsExitTwo) {
  auto r = testing::run_process(LEADSYNC_LEADSYNC_BIN, {"--sync-now"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--config FILE is required"), std::string::npos) << r.output;
  EXPECT_EQ(testing::run_process(LEADSYNC_LEADSYNC_BIN, {"--config", "x.yaml", "--bogus"}).exit_code, 2);
  EXPECT_EQ(
      testing::run_process(LEADSYNC_LEADSYNC_BIN, {"--config", "x.yaml", "--status", "--sync-now"}).exit_code,
      2);
  auto v = testing::run_process(LEADSYNC_LEADSYNC_BIN, {"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.output.rfind("leadsync ", 0), 0u) << v.output;
  auto h = testing::run_process(LEADSYNC_LEADSYNC_BIN, {"--help"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.output.find("--dry-run"), std::string::npos);
}

TEST_F(CliTest, InvalidConfigurationExitsSeventyEight) {
  LEADSYNC_REQUIRE_DATABASE();
  start_env();
  write_config(config_text(options_) + "surprise_key: 1\n");
  for (const auto& mode : {"--check-config", "--sync-now", "--status"}) {
    auto r = cli({mode});
    EXPECT_EQ(r.exit_code, 78) << mode << ": " << r.output;
    EXPECT_NE(r.output.find("surprise_key"), std::string::npos) << r.output;
  }
  auto daemon = cli({});  // daemon mode refuses to start too
  EXPECT_EQ(daemon.exit_code, 78) << daemon.output;
  auto missing = testing::run_process(LEADSYNC_LEADSYNC_BIN,
                                      {"--config", (dir_ / "nope.yaml").string(), "--check-config"});
  EXPECT_EQ(missing.exit_code, 78) << missing.output;
  // The token variable is unset: also a configuration problem.
  write_config(config_text(options_));
  auto no_token = cli({"--sync-now"}, {{"HUBSPOT_ACCESS_TOKEN", ""}});
  EXPECT_EQ(no_token.exit_code, 78) << no_token.output;
}

TEST_F(CliTest, TableThatDoesNotFitExitsSeventyEight) {
  LEADSYNC_REQUIRE_DATABASE();
  start_env();
  exec("CREATE TABLE public.leads (id bigserial PRIMARY KEY, lead_name integer)");
  auto check = cli({"--check-config", "--online"});
  EXPECT_EQ(check.exit_code, 78) << check.output;
  EXPECT_NE(check.output.find("lead_name"), std::string::npos) << check.output;
  EXPECT_EQ(sql("SELECT to_regclass('leadsync.schema_migrations') IS NULL"), "t")
      << "--check-config changes nothing";
  auto r = cli({"--sync-now"});
  EXPECT_EQ(r.exit_code, 78) << r.output;
  EXPECT_NE(r.output.find("does not fit"), std::string::npos) << r.output;
  auto d = cli({});
  EXPECT_EQ(d.exit_code, 78) << d.output;
}

TEST_F(CliTest, UnreachableOrRefusingServicesExitSixtyNine) {
  LEADSYNC_REQUIRE_DATABASE();
  start_env();
  // HubSpot not listening.
  auto o = options_;
  o.base_url = "http://127.0.0.1:" + std::to_string(closed_port());
  o.retry = "{ max_attempts: 2, initial_backoff: 10ms, max_backoff: 20ms }";
  write_config(config_text(o));
  auto r = cli({"--sync-now"});
  EXPECT_EQ(r.exit_code, 69) << r.output;
  auto check = cli({"--check-config", "--online"});
  EXPECT_EQ(check.exit_code, 69) << check.output;

  // HubSpot refusing the token: 69, and neither token appears anywhere.
  write_config(config_text(options_));
  const std::string wrong = "wrong-token-c0ffee-secret";
  r = cli({"--sync-now"}, {{"HUBSPOT_ACCESS_TOKEN", wrong}});
  EXPECT_EQ(r.exit_code, 69) << r.output;
  EXPECT_EQ(r.output.find(wrong), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("401"), std::string::npos) << r.output;

  // PostgreSQL not listening: 69, and the DSN's password is not printed.
  const std::string dsn = "host=127.0.0.1 port=" + std::to_string(closed_port()) +
                          " user=postgres password=pg-secret-5150 dbname=postgres connect_timeout=2";
  for (const auto& mode : {"--sync-now", "--status", "--retry-failed"}) {
    r = cli({mode}, {{"LEADSYNC_DATABASE_URL", dsn}});
    EXPECT_EQ(r.exit_code, 69) << mode << ": " << r.output;
    EXPECT_EQ(r.output.find("pg-secret-5150"), std::string::npos) << r.output;
  }
  EXPECT_EQ(r.output.find(kToken), std::string::npos);
}

TEST_F(CliTest, CheckConfigOnlineReportsWhatTheFirstRunWouldDo) {
  LEADSYNC_REQUIRE_DATABASE();
  start_env();
  auto r = cli({"--check-config", "--online"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("does not exist yet: created at the next start"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("property hs_lead_name"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("API version: HubSpot"), std::string::npos) << "legacy's end is near:\n"
                                                                      << r.output;
  auto j = cli({"--check-config", "--online", "--output", "json"});
  ASSERT_EQ(j.exit_code, 0) << j.output;
  auto doc = json::parse(j.output.substr(j.output.find('{')), nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << j.output;
  EXPECT_EQ(doc["failures"], 0);

  // A property HubSpot does not have, and one whose type does not fit: 78, both named.
  auto text = config_text(options_);
  text.replace(text.find("  - { property: hs_lead_label"), 0,
               "  - { property: no_such_property, column: nope, type: string }\n"
               "  - { property: hs_lead_type, column: lead_type, type: number }\n");
  write_config(text);
  r = cli({"--check-config", "--online"});
  EXPECT_EQ(r.exit_code, 78) << r.output;
  EXPECT_NE(r.output.find("no_such_property"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("HubSpot type is enumeration, which does not fit mapping type number"),
            std::string::npos)
      << r.output;
}

TEST_F(CliTest, CheckConfigOnlineWarnsAboutValidationRulesLeadsyncCannotSatisfy) {
  LEADSYNC_REQUIRE_DATABASE();
  start_env();
  const std::string rules = "/crm/v3/property-validations/0-136/";
  auto put_rule = [&](const std::string& property, const std::string& type, const std::string& arg) {
    auto r =
        fake_->api("PUT", rules + property + "/rule-type/" + type, json{{"ruleArguments", {arg}}}.dump());
    ASSERT_EQ(r.status, 204) << r.body;
  };
  // A rule on a pushed property: a warning naming it and what happens to a row that breaks it.
  put_rule("hs_lead_name", "MAX_LENGTH", "12");
  auto r = cli({"--check-config", "--online"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(
      r.output.find("warn  validation rules of hs_lead_name: HubSpot refuses writes that break MAX_LENGTH 12 "
                    "(at most 12 characters)"),
      std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("1 lead properties carry rules, 1 of them written by leadsync"), std::string::npos)
      << r.output;

  // The same through the 2026-09 path, which also says what that version enforces without listing it.
  auto text = config_text(options_);
  text.replace(text.find("api_version: legacy"), 19, "api_version: 2026-09");
  write_config(text);
  r = cli({"--check-config", "--online"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("validation rules of hs_lead_name"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("conditional-required properties"), std::string::npos) << r.output;
  EXPECT_EQ(requests_matching(fake_stats(), "GET /crm/property-validations/2026-09/0-136"), 1)
      << fake_stats();

  // A rule on the unique key property that no UUID passes would refuse every create: 78.
  json key = {{"name", "leadsync_key"}, {"label", "leadsync key"},        {"type", "string"},
              {"fieldType", "text"},    {"groupName", "leadinformation"}, {"hasUniqueValue", true}};
  ASSERT_EQ(fake_->api("POST", "/crm/v3/properties/leads", key.dump()).status, 201);
  put_rule("leadsync_key", "ALPHANUMERIC", "NUMERIC_ONLY");
  r = cli({"--check-config", "--online"});
  EXPECT_EQ(r.exit_code, 78) << r.output;
  EXPECT_NE(r.output.find("FAIL  validation rules of leadsync_key"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("would refuse it on every create: ALPHANUMERIC NUMERIC_ONLY"), std::string::npos)
      << r.output;
}

TEST_F(CliTest, StatusShowsRunsOutboxAndBudgetAndRetryFailedRequeues) {
  LEADSYNC_REQUIRE_DATABASE();
  EnvOptions o;
  o.fake_args = {"--seed-leads", "10", "--daily-limit", "50000"};
  start_env(o);
  auto before = cli({"--status"});
  EXPECT_EQ(before.exit_code, 0) << before.output;
  EXPECT_NE(before.output.find("not initialized"), std::string::npos) << before.output;
  // The fake's own counters of the routes a full sweep uses (the list and the lead count, a search).
  auto sweep_calls = [&] {
    long n = 0;
    const json stats = admin("GET", "/_fake/stats");
    for (const auto& [route, count] : stats["requests"].items()) {
      const bool list = route.rfind("GET ", 0) == 0 && route.size() > 6 && route.ends_with("/leads");
      if (list || route.ends_with("/leads/search")) n += count.get<long>();
    }
    return n;
  };
  const long sweep_before = sweep_calls();
  ASSERT_EQ(cli({"--sync-now"}).exit_code, 0);
  const long full_sweep_calls = sweep_calls() - sweep_before;

  // HubSpot refuses an option that does not exist: the change fails permanently.
  const auto id = sql("SELECT hubspot_id FROM public.leads ORDER BY id LIMIT 1");
  exec("UPDATE public.leads SET lead_label = 'NOT_AN_OPTION' WHERE hubspot_id = '" + id + "'");
  auto partial = cli({"--sync-now"});
  EXPECT_EQ(partial.exit_code, 1) << "finished, but a record failed:\n" << partial.output;

  auto s = cli({"--status"});
  ASSERT_EQ(s.exit_code, 0) << s.output;
  EXPECT_NE(s.output.find("outbox:    0 new, 0 pending, 1 failed"), std::string::npos) << s.output;
  EXPECT_NE(s.output.find("watermark: 20"), std::string::npos) << s.output;
  EXPECT_NE(s.output.find("of 50000 daily calls left"), std::string::npos) << s.output;
  EXPECT_NE(s.output.find("NOT_AN_OPTION"), std::string::npos) << "the failure and HubSpot's reason:\n"
                                                               << s.output;
  EXPECT_NE(s.output.find("full        success"), std::string::npos) << s.output;
  EXPECT_NE(s.output.find("partial"), std::string::npos) << s.output;

  auto js = cli({"--status", "--output", "json"});
  ASSERT_EQ(js.exit_code, 0) << js.output;
  auto doc = json::parse(js.output.substr(js.output.find('{')), nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << js.output;
  EXPECT_EQ(doc["changes"]["failed"], 1);
  EXPECT_EQ(doc["runs"].size(), 2u);
  EXPECT_EQ(doc["runs"][1]["mode"], "full");
  EXPECT_EQ(doc["runs"][1]["pulled"], 10);
  EXPECT_EQ(doc["hubspot_budget"]["daily_max"], 50000);
  EXPECT_LT(doc["hubspot_budget"]["daily_remaining"].get<long>(), 50000);
  EXPECT_TRUE(doc["state"].contains("watermark"));
  EXPECT_EQ(doc["daemon"]["active"], false);
  EXPECT_EQ(js.output.find(kToken), std::string::npos);
  // API calls by activity (issue 19): the split adds up to the runs' totals and matches the fake's counters.
  const auto& usage = doc["api"];
  ASSERT_TRUE(usage.contains("calls_24h")) << js.output;
  EXPECT_EQ(usage["calls_24h"]["full_sweep"].get<long>(), full_sweep_calls) << js.output;
  EXPECT_GE(usage["calls_24h"]["push"].get<long>(), 1) << "the refused update was sent:\n" << js.output;
  long split = 0, total = 0;
  for (const auto& [activity, n] : usage["calls_24h"].items()) split += n.get<long>();
  for (const auto& run : doc["runs"]) total += run["api_calls"].get<long>();
  EXPECT_EQ(split, total) << js.output;
  EXPECT_GT(usage["projected_daily_calls"].get<long>(), 0) << js.output;
  EXPECT_EQ(usage["daily_budget"], 50000);
  EXPECT_EQ(usage["daily_budget_source"], "HubSpot");
  EXPECT_NE(s.output.find("API calls, last 24 h: " + std::to_string(total)), std::string::npos) << s.output;
  // The API version and HubSpot's end of support for it (issue 17): these tests speak legacy, whose end is
  // within the six months of warnings from 2026-09-28 on.
  EXPECT_EQ(usage["version"]["version"], "legacy") << js.output;
  EXPECT_EQ(usage["version"]["end_of_support"], "2027-03-30") << js.output;
  EXPECT_TRUE(usage["version"]["warning"].is_string()) << js.output;
  EXPECT_NE(s.output.find("HubSpot API: version legacy, supported until 2027-03-30"), std::string::npos)
      << s.output;
  EXPECT_NE(s.output.find("WARNING: HubSpot"), std::string::npos) << s.output;

  // Fix the value, requeue: the next run pushes it.
  exec("UPDATE public.leads SET lead_label = 'HOT' WHERE hubspot_id = '" + id + "'");
  auto rq = cli({"--retry-failed"});
  EXPECT_EQ(rq.exit_code, 0) << rq.output;
  EXPECT_NE(rq.output.find("requeued 1 failed change(s)"), std::string::npos) << rq.output;
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.changes WHERE state = 'FAILED'"), 0);
  EXPECT_EQ(cli({"--sync-now"}).exit_code, 0);
  auto lead = api("GET", "/crm/v3/objects/leads/" + id + "?properties=hs_lead_label");
  EXPECT_EQ(lead["properties"]["hs_lead_label"], "HOT");
}

// hubspot.rate_limit.daily_share (issue 19): sweeps whose day would exceed the share are stretched, said so
// in --status and --check-config --online, and --sync-now keeps to the stretched interval.
TEST_F(CliTest, SweepsThatWouldExceedTheDailyShareAreStretched) {
  LEADSYNC_REQUIRE_DATABASE();
  EnvOptions o;
  o.fake_args = {"--seed-leads", "1000"};
  // A full sweep every second would take about 11 calls 86,400 times a day; the share is 5,000.
  o.sync_yaml = "  interval: 1h\n  full_sweep_interval: 1s\n";
  o.rate_limit = "{ requests_per_10s: 1000, search_per_second: 100, daily: 10000, daily_share: 50% }";
  start_env(o);
  auto first = cli({"--sync-now"});
  ASSERT_EQ(first.exit_code, 0) << first.output;

  auto js = cli({"--status", "--output", "json"});
  ASSERT_EQ(js.exit_code, 0) << js.output;
  const auto doc = json::parse(js.output.substr(js.output.find('{')), nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << js.output;
  const auto& plan = doc["api"]["planned_sweeps"];
  EXPECT_EQ(plan["allowed_daily_calls"], 5000) << js.output;
  EXPECT_EQ(plan["stretched"], true) << js.output;
  EXPECT_EQ(plan["fits"], true) << js.output;
  EXPECT_GE(plan["full_sweep_interval_seconds"].get<long>(), 60) << js.output;
  EXPECT_GT(plan["configured_daily_calls"].get<long>(), 500'000) << js.output;
  EXPECT_LE(doc["api"]["projected_daily_calls"].get<long>(), 5000) << js.output;
  auto s = cli({"--status"});
  EXPECT_NE(s.output.find("budget plan: full sweep every 1s needs "), std::string::npos) << s.output;
  EXPECT_NE(s.output.find("the share allows 5000 (50% of 10000)"), std::string::npos) << s.output;

  auto check = cli({"--check-config", "--online"});
  EXPECT_EQ(check.exit_code, 0) << "a stretched plan is a warning:\n" << check.output;
  EXPECT_NE(check.output.find("API budget: 1000 leads: full sweep every 1s needs "), std::string::npos)
      << check.output;

  // Past the configured second, but well within the planned interval: the next run only searches.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto second = cli({"--sync-now"});
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("API budget: full sweep every 1s needs"), std::string::npos) << second.output;
  EXPECT_EQ(sql("SELECT mode FROM leadsync.runs ORDER BY id DESC LIMIT 1"), "incremental") << second.output;
}

}  // namespace
}  // namespace leadsync::daemon_test
