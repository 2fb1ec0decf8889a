// Rate limits as HubSpot sends them: ten-secondly per app, search per second per account, daily.
#include "helpers.hpp"

namespace leadsync::fake_hubspot_test {
namespace {

FakeHubspot::Options options(std::vector<std::string> extra,
                             std::vector<std::string> tokens = {"test-token"}) {
  FakeHubspot::Options o;
  o.tokens = std::move(tokens);
  o.extra_args = std::move(extra);
  return o;
}

TEST(FakeHubspotRateLimit, EleventhRequestInTenSecondsGetsTenSecondlyRolling429) {
  FakeHubspot fake(options({"--rate-limit-per-10s", "10"}));
  for (int i = 0; i < 10; ++i) {
    auto r = fake.api("GET", "/crm/v3/objects/leads?limit=1");
    ASSERT_EQ(r.status, 200) << "request " << i + 1 << ": " << r.body;
    EXPECT_EQ(r.headers["x-hubspot-ratelimit-max"], "10");
    EXPECT_EQ(r.headers["x-hubspot-ratelimit-remaining"], std::to_string(9 - i));
    EXPECT_EQ(r.headers["x-hubspot-ratelimit-interval-milliseconds"], "10000");
  }
  auto r = fake.api("GET", "/crm/v3/objects/leads?limit=1");
  ASSERT_EQ(r.status, 429);
  EXPECT_EQ(r.headers["content-type"], "application/json;charset=utf-8");
  EXPECT_EQ(r.headers["x-hubspot-ratelimit-remaining"], "0");
  EXPECT_EQ(r.headers["x-hubspot-ratelimit-max"], "10");
  auto b = body_of(r);
  const std::string corr = r.headers["x-hubspot-correlation-id"];
  EXPECT_EQ(corr.size(), 36u);
  // Exactly the keys and values of docs/hubspot-api.md#429-bodies (groupName carries app id and portal id).
  json expected = {{"status", "error"},
                   {"message", "You have reached your ten_secondly_rolling limit."},
                   {"errorType", "RATE_LIMIT"},
                   {"correlationId", corr},
                   {"policyName", "TEN_SECONDLY_ROLLING"},
                   {"groupName", "publicapi:private_app-api-calls-ten-secondly:1234001:12345678"}};
  EXPECT_EQ(b, expected);
  EXPECT_EQ(stats(fake)["rate_limited"], 1);
}

TEST(FakeHubspotRateLimit, TenSecondlyWindowIsPerApp) {
  FakeHubspot fake(options({"--rate-limit-per-10s", "2"}, {"token-a", "token-b"}));
  EXPECT_EQ(with_token(fake, "token-a", "GET", "/crm/v3/objects/leads").status, 200);
  EXPECT_EQ(with_token(fake, "token-a", "GET", "/crm/v3/objects/leads").status, 200);
  EXPECT_EQ(with_token(fake, "token-a", "GET", "/crm/v3/objects/leads").status, 429);
  auto b = with_token(fake, "token-b", "GET", "/crm/v3/objects/leads");
  EXPECT_EQ(b.status, 200);
  EXPECT_EQ(b.headers["x-hubspot-ratelimit-remaining"], "1");
}

TEST(FakeHubspotRateLimit, SearchIsExemptFromTenSecondlyAndCarriesOnlyDailyHeaders) {
  FakeHubspot fake(options({"--rate-limit-per-10s", "1", "--daily-limit", "100"}));
  EXPECT_EQ(fake.api("GET", "/crm/v3/objects/leads").status, 200);
  EXPECT_EQ(fake.api("GET", "/crm/v3/objects/leads").status, 429);
  auto s = fake.api("POST", "/crm/v3/objects/leads/search", "{}");
  ASSERT_EQ(s.status, 200) << s.body;
  EXPECT_EQ(s.headers.count("x-hubspot-ratelimit-max"), 0u);
  EXPECT_EQ(s.headers.count("x-hubspot-ratelimit-remaining"), 0u);
  EXPECT_EQ(s.headers["x-hubspot-ratelimit-daily"], "100");
  // list 1 + search 1 (the 429 consumed nothing)
  EXPECT_EQ(s.headers["x-hubspot-ratelimit-daily-remaining"], "98");
}

TEST(FakeHubspotRateLimit, SearchPerSecondLimitSendsTheSecondlyBody) {
  // A limit of 1 per second: two searches back to back (milliseconds apart) hit it.
  FakeHubspot fake(options({"--search-per-second", "1"}));
  ASSERT_EQ(fake.api("POST", "/crm/v3/objects/leads/search", "{}").status, 200);
  auto r = fake.api("POST", "/crm/v3/objects/leads/search", "{}");
  ASSERT_EQ(r.status, 429);
  EXPECT_EQ(body_of(r), json({{"status", "error"},
                              {"message", "You have reached your secondly limit."},
                              {"errorType", "RATE_LIMIT"}}));
  // Non-search calls are not affected by the search limit.
  EXPECT_EQ(fake.api("GET", "/crm/v3/objects/leads").status, 200);
  EXPECT_TRUE(eventually([&] { return fake.api("POST", "/crm/v3/objects/leads/search", "{}").status == 200; },
                         std::chrono::seconds(5)));
}

TEST(FakeHubspotRateLimit, DailyLimitSendsTheDailyBody) {
  FakeHubspot fake(options({"--daily-limit", "3"}));
  for (int i = 0; i < 3; ++i) {
    auto r = fake.api("GET", "/crm/v3/objects/leads");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.headers["x-hubspot-ratelimit-daily"], "3");
    EXPECT_EQ(r.headers["x-hubspot-ratelimit-daily-remaining"], std::to_string(2 - i));
  }
  auto r = fake.api("POST", "/crm/v3/objects/leads/search", "{}");
  ASSERT_EQ(r.status, 429);
  auto b = body_of(r);
  EXPECT_EQ(b["status"], "error");
  EXPECT_EQ(b["message"], "You have reached your daily limit.");
  EXPECT_EQ(b["errorType"], "RATE_LIMIT");
  EXPECT_EQ(b["policyName"], "DAILY");
  EXPECT_EQ(b["correlationId"], r.headers["x-hubspot-correlation-id"]);
  EXPECT_EQ(b["requestId"].get<std::string>().size(), 36u);
  EXPECT_EQ(b.size(), 6u);
}

TEST(FakeHubspotRateLimit, LimitsCanBeChangedAtRuntimeAndAreOffByDefault) {
  FakeHubspot fake;
  auto r = fake.api("GET", "/crm/v3/objects/leads");
  EXPECT_EQ(r.headers.count("x-hubspot-ratelimit-max"), 0u);
  auto c = fake.admin("POST", "/_fake/config", R"({"rate_limit_per_10s": 1})");
  ASSERT_EQ(c.status, 200) << c.body;
  EXPECT_EQ(body_of(c)["rate_limit_per_10s"], 1);
  EXPECT_EQ(fake.api("GET", "/crm/v3/objects/leads").status, 200);
  EXPECT_EQ(fake.api("GET", "/crm/v3/objects/leads").status, 429);
  EXPECT_EQ(fake.admin("POST", "/_fake/config", R"({"bogus": 1})").status, 400);
}

TEST(FakeHubspotAuth, MissingOrUnknownTokenGets401InvalidAuthentication) {
  FakeHubspot fake;
  auto r = testing::http_request(fake.port(), "GET", "/crm/v3/objects/leads");
  ASSERT_EQ(r.status, 401);
  auto b = body_of(r);
  EXPECT_EQ(b["category"], "INVALID_AUTHENTICATION");
  EXPECT_EQ(b["status"], "error");
  EXPECT_EQ(b["correlationId"], r.headers["x-hubspot-correlation-id"]);
  EXPECT_EQ(with_token(fake, "someone-else", "GET", "/crm/v3/objects/leads").status, 401);
  EXPECT_EQ(fake.api("GET", "/crm/v3/objects/leads").status, 200);
}

}  // namespace
}  // namespace leadsync::fake_hubspot_test
