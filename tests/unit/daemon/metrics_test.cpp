#include "metrics.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

using namespace leadsync;
using namespace leadsync::daemon;
using namespace std::chrono_literals;

namespace {

core::CycleReport report(const char* mode, const char* status, std::int64_t pulled, std::int64_t pushed) {
  core::CycleReport r;
  r.record.mode = mode;
  r.record.status = status;
  r.record.counts.pulled = pulled;
  r.record.counts.pushed = pushed;
  r.record.counts.failed = 1;
  r.record.counts.conflicts = 2;
  r.record.counts.echoes_suppressed = 3;
  r.record.counts.created_local = 4;
  return r;
}

std::string value_of(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(series + " ", 0) == 0) return line.substr(series.size() + 1);
  return "<missing " + series + ">";
}

}  // namespace

TEST(MetricsTest, LabelValuesAreEscaped) {
  EXPECT_EQ(prometheus_escape(R"(a"b\c)"), R"(a\"b\\c)");
  EXPECT_EQ(prometheus_escape("x\ny"), "x\\ny");
}

TEST(MetricsTest, CountersAccumulateCycleResults) {
  Metrics m;
  m.set_scope("public.hubspot_leads");
  m.cycle_finished(report("incremental", "success", 10, 2), 0.3s);
  m.cycle_finished(report("push", "partial", 0, 5), 7s);
  m.cycle_failed(core::CycleKind::automatic, 2s);
  m.set_leader(true);
  m.set_outbox({3, 1, 7});
  const auto text = m.render({}, {});
  EXPECT_EQ(value_of(text, "leadsync_records_pulled_total"), "10");
  EXPECT_EQ(value_of(text, "leadsync_records_pushed_total"), "7");
  EXPECT_EQ(value_of(text, "leadsync_records_failed_total"), "2");
  EXPECT_EQ(value_of(text, "leadsync_conflicts_total"), "4");
  EXPECT_EQ(value_of(text, "leadsync_echoes_suppressed_total"), "6");
  EXPECT_EQ(value_of(text, R"(leadsync_records_applied_total{side="postgresql",op="create"})"), "8");
  EXPECT_EQ(value_of(text, R"(leadsync_cycles_total{mode="incremental",status="success"})"), "1");
  EXPECT_EQ(value_of(text, R"(leadsync_cycles_total{mode="incremental",status="failed"})"), "1");
  EXPECT_EQ(value_of(text, R"(leadsync_cycles_total{mode="push",status="partial"})"), "1");
  EXPECT_EQ(value_of(text, "leadsync_leader"), "1");
  EXPECT_EQ(value_of(text, R"(leadsync_outbox_changes{state="new"})"), "3");
  EXPECT_EQ(value_of(text, R"(leadsync_outbox_changes{state="failed"})"), "7");
  EXPECT_GT(std::stod(value_of(text, "leadsync_last_success_timestamp_seconds")), 1.6e9);
}

TEST(MetricsTest, LeadsSkippedForABadIdAreCountedFromZero) {
  Metrics m;
  EXPECT_EQ(value_of(m.render({}, {}), R"(leadsync_leads_skipped_total{reason="bad_id"})"), "0");
  auto r = report("full", "success", 3, 0);
  r.skipped_bad_id = 2;
  m.cycle_finished(r, 1s);
  r.skipped_bad_id = 1;
  m.cycle_finished(r, 1s);
  EXPECT_EQ(value_of(m.render({}, {}), R"(leadsync_leads_skipped_total{reason="bad_id"})"), "3");
}

TEST(MetricsTest, WebhookRequestsAreCountedByOutcome) {
  Metrics m;
  EXPECT_EQ(m.render({}, {}).find("leadsync_webhook_requests_total"), std::string::npos)
      << "no series while no request arrived (receiver disabled)";
  m.webhook_request("accepted");
  m.webhook_request("accepted");
  m.webhook_request("bad_signature");
  const auto text = m.render({}, {});
  EXPECT_EQ(value_of(text, R"(leadsync_webhook_requests_total{outcome="accepted"})"), "2");
  EXPECT_EQ(value_of(text, R"(leadsync_webhook_requests_total{outcome="bad_signature"})"), "1");
}

TEST(MetricsTest, ApiCallsAreCountedByActivityAndTheProjectionIsAGauge) {
  Metrics m;
  auto r = report("incremental", "success", 0, 0);
  r.record.counts.api_calls_by_activity[core::index_of(core::ApiActivity::push)] = 3;
  r.record.counts.api_calls_by_activity[core::index_of(core::ApiActivity::association_sweep)] = 20;
  m.cycle_finished(r, 1s);
  m.cycle_finished(r, 1s);
  auto text = m.render({}, {});
  EXPECT_EQ(value_of(text, R"(leadsync_api_calls_total{activity="push"})"), "6");
  EXPECT_EQ(value_of(text, R"(leadsync_api_calls_total{activity="association_sweep"})"), "40");
  EXPECT_EQ(value_of(text, R"(leadsync_api_calls_total{activity="full_sweep"})"), "0");
  EXPECT_EQ(text.find("leadsync_api_budget_projected_daily_calls"), std::string::npos)
      << "no gauge before the first projection";
  m.set_api_projection(43'000, 650'000);
  text = m.render({}, {});
  EXPECT_EQ(value_of(text, "leadsync_api_budget_projected_daily_calls"), "43000");
  EXPECT_EQ(value_of(text, "leadsync_api_budget_daily_calls"), "650000");
}

TEST(MetricsTest, HistogramBucketsAreCumulativeAndEndWithInf) {
  Metrics m;
  m.cycle_finished(report("incremental", "success", 0, 0), 0.07s);  // le 0.1
  m.cycle_finished(report("incremental", "success", 0, 0), 3s);     // le 5
  m.cycle_finished(report("incremental", "success", 0, 0), 7200s);  // beyond the last bucket
  const auto text = m.render({}, {});
  EXPECT_EQ(value_of(text, R"(leadsync_cycle_duration_seconds_bucket{mode="incremental",le="0.05"})"), "0");
  EXPECT_EQ(value_of(text, R"(leadsync_cycle_duration_seconds_bucket{mode="incremental",le="0.1"})"), "1");
  EXPECT_EQ(value_of(text, R"(leadsync_cycle_duration_seconds_bucket{mode="incremental",le="5"})"), "2");
  EXPECT_EQ(value_of(text, R"(leadsync_cycle_duration_seconds_bucket{mode="incremental",le="3600"})"), "2");
  EXPECT_EQ(value_of(text, R"(leadsync_cycle_duration_seconds_bucket{mode="incremental",le="+Inf"})"), "3");
  EXPECT_EQ(value_of(text, R"(leadsync_cycle_duration_seconds_count{mode="incremental"})"), "3");
  EXPECT_NEAR(std::stod(value_of(text, R"(leadsync_cycle_duration_seconds_sum{mode="incremental"})")),
              7203.07, 1e-6);
}

TEST(MetricsTest, ApiStatsAppearByRouteStatusAndPolicy) {
  ApiStats stats;
  stats.on_call("PATCH /crm/v3/objects/leads/{id}", 200, 12ms);
  stats.on_call("PATCH /crm/v3/objects/leads/{id}", 200, 12ms);
  stats.on_call("POST /crm/v3/objects/leads/search", 429, 3ms);
  stats.on_rate_limited("TEN_SECONDLY_ROLLING");
  hubspot::RateBudget b;
  b.daily_remaining = 249'000;
  b.daily_max = 250'000;
  b.ten_secondly_remaining = 97;
  stats.on_budget(b);
  Metrics m;
  RateLimiterView view;
  view.ten_secondly_capacity = 100;
  view.daily_exhausted = true;
  const auto text = m.render(stats.snapshot(), view);
  EXPECT_EQ(
      value_of(text,
               R"(leadsync_hubspot_requests_total{route="PATCH /crm/v3/objects/leads/{id}",status="200"})"),
      "2");
  EXPECT_EQ(
      value_of(text,
               R"(leadsync_hubspot_requests_total{route="POST /crm/v3/objects/leads/search",status="429"})"),
      "1");
  EXPECT_EQ(value_of(text, R"(leadsync_hubspot_rate_limited_total{policy="TEN_SECONDLY_ROLLING"})"), "1");
  EXPECT_EQ(value_of(text, R"(leadsync_hubspot_rate_budget_remaining{window="daily"})"), "249000");
  EXPECT_EQ(value_of(text, R"(leadsync_hubspot_rate_budget_remaining{window="ten_secondly"})"), "97");
  EXPECT_EQ(value_of(text, R"(leadsync_rate_limiter_slots{bucket="ten_secondly",kind="capacity"})"), "100");
  EXPECT_EQ(value_of(text, "leadsync_hubspot_daily_budget_exhausted"), "1");
}

TEST(MetricsTest, EveryLineIsValidExpositionFormat) {
  Metrics m;
  m.set_scope("we\"ird\\scope");
  m.cycle_finished(report("full", "success", 1, 1), 1s);
  ApiStats stats;
  stats.on_call("GET /crm/v3/objects/leads", 0, 1ms);
  const auto text = m.render(stats.snapshot(), {});
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  const std::regex sample(
      R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\["\\n])*",?)*\})? [-+0-9.eE]+(Inf)?$)");
  const std::regex comment(R"(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$)");
  std::istringstream in(text);
  std::string line;
  int samples = 0;
  while (std::getline(in, line)) {
    if (line.rfind('#', 0) == 0) {
      EXPECT_TRUE(std::regex_match(line, comment)) << line;
    } else {
      EXPECT_TRUE(std::regex_match(line, sample)) << line;
      ++samples;
    }
  }
  EXPECT_GT(samples, 20);
}
