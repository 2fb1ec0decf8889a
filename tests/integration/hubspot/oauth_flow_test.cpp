// The OAuth refresh-token flow of leadsync's client against fake-hubspot's token endpoint over real sockets:
// an expired access token is refreshed and the calls go on; a rotated refresh token is handed over and the
// old one is refused; a revoked refresh token is a fatal error that says so and names no secret.
#include "integration_support.hpp"
#include "leadsync/testing/http_client.hpp"

namespace leadsync::hubspot::itest {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kClientId = "client-it-1";
constexpr const char* kClientSecret = "cs-it-5d0e3b71";
constexpr const char* kRefreshToken = "rt-it-a9c4f2e8";

class OAuthFlowIT : public ::testing::Test {
 protected:
  OAuthFlowIT()
      : fake(testing::FakeHubspot::Options{
            {"test-token"},
            {"--oauth-client", std::string(kClientId) + ":" + kClientSecret + ":" + kRefreshToken}}),
        transport(ioc.get_executor(), http::TransportOptions{fake.base_url()}),
        limiter(clock, generous_limits()) {}

  ~OAuthFlowIT() override {
    client.reset();
    oauth.reset();
    try {
      itest::run(ioc, transport.shutdown());
    } catch (...) {
    }
  }

  void build(std::string refresh_token = kRefreshToken) {
    OAuthOptions o{kClientId, kClientSecret, std::move(refresh_token)};
    o.refresh_token_source = "the file /var/lib/leadsync/hubspot-refresh-token";
    o.on_refresh_token_rotated = [this](const std::string& t) { rotated.push_back(t); };
    client.reset();
    oauth = std::make_unique<OAuthTokenProvider>(transport, clock, std::move(o));
    client =
        std::make_unique<HubSpotClient>(transport, clock, random, *oauth, limiter, observer, fast_retry());
  }
  Json admin(const std::string& method, const std::string& path, const std::string& body = {}) {
    auto r = fake.admin(method, path, body);
    EXPECT_LT(r.status, 300) << method << " " << path << ": " << r.body;
    return r.body.empty() ? Json() : Json::parse(r.body);
  }
  int token_calls() {
    Json s = admin("GET", "/_fake/stats");
    return s["requests"].value("POST /oauth/2026-03/token", 0);
  }
  std::size_t list() { return itest::run(ioc, client->list_page({})).results.size(); }
  // A refresh with `refresh_token`, straight to the fake (not through leadsync).
  int refresh_status(const std::string& refresh_token) {
    return testing::http_request(fake.port(), "POST", "/oauth/2026-03/token",
                                 std::string("grant_type=refresh_token&client_id=") + kClientId +
                                     "&client_secret=" + kClientSecret + "&refresh_token=" + refresh_token,
                                 {{"Content-Type", "application/x-www-form-urlencoded"}})
        .status;
  }

  testing::FakeHubspot fake;
  net::io_context ioc;
  http::BeastTransport transport;
  core::SystemClock clock;
  core::StdRandom random{7};
  CountingObserver observer;
  RateLimiter limiter;
  std::unique_ptr<OAuthTokenProvider> oauth;
  std::unique_ptr<HubSpotClient> client;
  std::vector<std::string> rotated;
};

TEST_F(OAuthFlowIT, AnExpiredAccessTokenIsRefreshedAndTheCallsGoOn) {
  build();
  EXPECT_EQ(list(), 0u);
  EXPECT_EQ(oauth->refresh_count(), 1);
  admin("POST", "/_fake/oauth/expire");  // every access token issued so far is dead
  EXPECT_EQ(list(), 0u);                 // 401 -> refresh -> the same call again
  EXPECT_EQ(oauth->refresh_count(), 2);
  EXPECT_EQ(token_calls(), 2);
  EXPECT_EQ(observer.statuses[401], 1);
  EXPECT_EQ(list(), 0u);  // the new token is cached
  EXPECT_EQ(token_calls(), 2);
  EXPECT_TRUE(rotated.empty());  // rotation is off: HubSpot's default answer repeats the refresh token
}

TEST_F(OAuthFlowIT, ARotatedRefreshTokenIsHandedOverAndTheOldOneIsRefused) {
  admin("POST", "/_fake/config", R"({"oauth_rotate_refresh_tokens":true})");
  build();
  EXPECT_EQ(list(), 0u);
  ASSERT_EQ(rotated.size(), 1u);
  EXPECT_NE(rotated[0], kRefreshToken);
  EXPECT_EQ(admin("GET", "/_fake/oauth")["refresh_tokens"], Json::array({rotated[0]}));
  EXPECT_EQ(refresh_status(kRefreshToken), 400);  // the configured one is gone
  // A provider started with the handed-over token (what a restart reads from the file) works.
  const std::string kept = rotated[0];
  rotated.clear();
  build(kept);
  EXPECT_EQ(list(), 0u);
  EXPECT_EQ(rotated.size(), 1u);
}

TEST_F(OAuthFlowIT, ARevokedRefreshTokenIsFatalSaysSoAndLeaksNothing) {
  build();
  EXPECT_EQ(list(), 0u);
  admin("POST", "/_fake/oauth/revoke", std::string(R"({"refresh_token":")") + kRefreshToken + "\"}");
  admin("POST", "/_fake/oauth/expire");
  try {
    list();
    FAIL() << "a revoked refresh token must stop the call";
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_fatal());
    EXPECT_EQ(e.details().cause, core::FatalCause::credentials_revoked);
    EXPECT_THAT(e.what(), HasSubstr("400 invalid_grant BAD_REFRESH_TOKEN"));
    EXPECT_THAT(e.what(), HasSubstr("revoked"));
    EXPECT_THAT(e.what(), HasSubstr("the file /var/lib/leadsync/hubspot-refresh-token"));
    EXPECT_THAT(e.what(), Not(HasSubstr(kRefreshToken)));
    EXPECT_THAT(e.what(), Not(HasSubstr(kClientSecret)));
  }
}

// A proxy in front of the token endpoint: its redirect is not followed (the secrets in the body would go
// with it), its gzip-encoded answer is not read as JSON; each says so, and neither echoes a secret.
TEST_F(OAuthFlowIT, TheTokenEndpointsRedirectAndGzipAnswersGetTheirOwnMessages) {
  build();
  admin("POST", "/_fake/faults",
        Json{{"kind", "redirect"},
             {"status", 307},
             {"path_prefix", "/oauth/"},
             {"location", std::string("https://sso.example.org/oauth?refresh_token=") + kRefreshToken}}
            .dump());
  try {
    list();
    FAIL() << "a redirected token refresh must fail";
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_fatal()) << e.what();
    EXPECT_THAT(e.what(), HasSubstr("with a redirect (307) to https://sso.example.org (path and query not "
                                    "shown); leadsync does not follow redirects"));
    EXPECT_THAT(e.what(), Not(HasSubstr(kRefreshToken)));
  }
  EXPECT_EQ(token_calls(), 1);

  admin("POST", "/_fake/faults", Json{{"kind", "gzip_body"}, {"path_prefix", "/oauth/"}}.dump());
  try {
    list();
    FAIL() << "a gzip-encoded token response must fail";
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_transient()) << e.what();
    EXPECT_THAT(e.what(), HasSubstr("malformed response from HubSpot for POST /oauth/2026-03/token: body is "
                                    "encoded (Content-Encoding: \"gzip\""));
    EXPECT_THAT(e.what(), Not(HasSubstr(kRefreshToken)));
    EXPECT_THAT(e.what(), Not(HasSubstr(kClientSecret)));
  }
  EXPECT_EQ(list(), 0u);  // the proxy gone, the refresh and the call go through
}

}  // namespace
}  // namespace leadsync::hubspot::itest
