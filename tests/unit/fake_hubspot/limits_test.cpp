#include <gtest/gtest.h>

#include "faults.hpp"
#include "rate_limit.hpp"

namespace leadsync::fake_hubspot {
namespace {

std::string header(const RateLimiter::Result& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "<absent>";
}

TEST(FakeHubspotRateLimiter, TenSecondWindowRollsAndRejectionsAreFree) {
  RateLimiter l;
  l.config.per_10s = 3;
  const std::int64_t day = 1767225600000;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(l.check("app", false, 1000 + i, day).verdict, RateVerdict::ok);
  auto r = l.check("app", false, 1500, day);
  EXPECT_EQ(r.verdict, RateVerdict::ten_secondly);
  EXPECT_EQ(header(r, "X-HubSpot-RateLimit-Remaining"), "0");
  EXPECT_EQ(l.check("other", false, 1500, day).verdict, RateVerdict::ok);
  // 10 s after the first call one slot frees up, not before.
  EXPECT_EQ(l.check("app", false, 10'999, day).verdict, RateVerdict::ten_secondly);
  auto later = l.check("app", false, 11'000, day);
  EXPECT_EQ(later.verdict, RateVerdict::ok);
  EXPECT_EQ(header(later, "X-HubSpot-RateLimit-Remaining"), "0");
}

TEST(FakeHubspotRateLimiter, SearchHasItsOwnPerSecondBudgetAndOnlyDailyHeaders) {
  RateLimiter l;
  l.config.per_10s = 1;
  l.config.search_per_second = 2;
  l.config.daily = 10;
  const std::int64_t day = 1767225600000;
  EXPECT_EQ(l.check("app", false, 0, day).verdict, RateVerdict::ok);
  auto s = l.check("app", true, 10, day);
  EXPECT_EQ(s.verdict, RateVerdict::ok);
  EXPECT_EQ(header(s, "X-HubSpot-RateLimit-Max"), "<absent>");
  EXPECT_EQ(header(s, "X-HubSpot-RateLimit-Daily-Remaining"), "8");
  EXPECT_EQ(l.check("app", true, 20, day).verdict, RateVerdict::ok);
  EXPECT_EQ(l.check("app", true, 30, day).verdict, RateVerdict::secondly);
  EXPECT_EQ(l.check("app", true, 1011, day).verdict, RateVerdict::ok);
}

TEST(FakeHubspotRateLimiter, DailyLimitResetsAtMidnightUtc) {
  RateLimiter l;
  l.config.daily = 1;
  const std::int64_t day = 1767225600000;
  EXPECT_EQ(l.check("app", false, 0, day + 5).verdict, RateVerdict::ok);
  EXPECT_EQ(l.check("app", true, 1, day + 6).verdict, RateVerdict::daily);
  EXPECT_EQ(l.check("app", false, 2, day + 86'400'000).verdict, RateVerdict::ok);
}

TEST(FakeHubspotFaultTable, ParsesMatchesAndCountsDown) {
  FaultTable t;
  t.add(parse_fault(nlohmann::json::parse(
      R"({"method":"patch","path_prefix":"/crm/v3/objects/leads/","status":503,"times":2})")));
  t.add(parse_fault(nlohmann::json::parse(R"({"kind":"delay","delay_ms":10})")));
  auto f = t.take("PATCH", "/crm/v3/objects/leads/1");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->status, 503);
  EXPECT_FALSE(f->execute);
  EXPECT_EQ(t.take("PATCH", "/crm/v3/objects/leads/2")->status, 503);
  auto next = t.take("PATCH", "/crm/v3/objects/leads/3");  // the first is used up: the catch-all delay
  ASSERT_TRUE(next);
  EXPECT_EQ(next->kind, FaultKind::delay);
  EXPECT_TRUE(next->execute);
  EXPECT_FALSE(t.take("GET", "/x"));
  EXPECT_EQ(parse_fault(nlohmann::json::parse(R"({"status":477})")).retry_after, 5);
  EXPECT_EQ(parse_fault(nlohmann::json::parse(R"({"kind":"rate_limit"})")).policy, "TEN_SECONDLY_ROLLING");
  EXPECT_THROW(parse_fault(nlohmann::json::parse(R"({"kind":"rate_limit","policy":"HOURLY"})")),
               std::invalid_argument);
  EXPECT_THROW(parse_fault(nlohmann::json::parse(R"({"status":503,"times":0})")), std::invalid_argument);
  EXPECT_THROW(parse_fault(nlohmann::json::parse(R"({"status":503,"colour":"red"})")), std::invalid_argument);
}

}  // namespace
}  // namespace leadsync::fake_hubspot
