// OAuth refresh-token flow and the client's 401 handling (refresh once, then fatal). Secrets never leak.
#include "test_support.hpp"

namespace leadsync::hubspot::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kClientSecret = "csecret-0123456789";
constexpr const char* kRefreshToken = "rt-aaaaaaaa-bbbb-cccc";

std::string token_response(const std::string& access, const std::string& refresh, int expires_in = 1800) {
  return Json{{"access_token", access},
              {"refresh_token", refresh},
              {"expires_in", expires_in},
              {"token_type", "bearer"},
              {"token_use", "access_token"}}
      .dump();
}

struct OAuthFixture : public ::testing::Test {
  OAuthFixture()
      : oauth(transport, clock, OAuthOptions{"cid-1", kClientSecret, kRefreshToken}),
        limiter(clock, RateLimitOptions{}),
        client(transport, clock, random, oauth, limiter, observer) {}

  ManualClock clock;
  FixedRandom random;
  FakeTransport transport;
  OAuthTokenProvider oauth;
  RecordingObserver observer;
  RateLimiter limiter;
  HubSpotClient client;

  const http::Request& request(std::size_t i) const { return transport.requests().at(i); }
};

std::string page() {
  return Json{{"results", Json::array()}}.dump();
}

TEST_F(OAuthFixture, FetchesAnAccessTokenOnFirstUseAndCachesIt) {
  transport.respond(200, token_response("at-1", "rt-2")).respond(200, page()).respond(200, page());
  run_sync(client.list_page({}));
  run_sync(client.list_page({}));
  ASSERT_EQ(transport.requests().size(), 3u);
  EXPECT_EQ(request(0).method, "POST");
  EXPECT_EQ(request(0).target, "/oauth/2026-03/token");  // no query string: secrets in the body only
  EXPECT_EQ(header(request(0), "Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(request(0).body, std::string("grant_type=refresh_token&client_id=cid-1&client_secret=") +
                                 kClientSecret + "&refresh_token=" + kRefreshToken);
  EXPECT_FALSE(header(request(0), "Authorization"));
  EXPECT_EQ(header(request(1), "Authorization"), "Bearer at-1");
  EXPECT_EQ(header(request(2), "Authorization"), "Bearer at-1");
  EXPECT_EQ(oauth.refresh_count(), 1);
}

TEST_F(OAuthFixture, RefreshesFiveMinutesBeforeExpiryWithTheRotatedRefreshToken) {
  transport.respond(200, token_response("at-1", "rt-2"));
  EXPECT_EQ(run_sync(oauth.access_token()), "at-1");
  clock.advance(std::chrono::seconds(1'499));
  EXPECT_EQ(run_sync(oauth.access_token()), "at-1");
  clock.advance(std::chrono::seconds(1));  // 1,500 s = 1,800 - 300
  transport.respond(200, token_response("at-2", "rt-3"));
  EXPECT_EQ(run_sync(oauth.access_token()), "at-2");
  ASSERT_EQ(transport.requests().size(), 2u);
  EXPECT_THAT(request(1).body, HasSubstr("refresh_token=rt-2"));
}

TEST_F(OAuthFixture, Unauthorized401RefreshesOnceAndRetries) {
  transport.respond(200, token_response("at-1", "rt-2"))
      .respond(401, error_json("INVALID_AUTHENTICATION", "expired"))
      .respond(200, token_response("at-2", "rt-3"))
      .respond(200, page());
  run_sync(client.list_page({}));
  ASSERT_EQ(transport.requests().size(), 4u);
  EXPECT_EQ(request(2).target, "/oauth/2026-03/token");
  EXPECT_EQ(header(request(3), "Authorization"), "Bearer at-2");
  EXPECT_TRUE(clock.sleeps().empty());
}

TEST_F(OAuthFixture, ASecond401AfterTheRefreshIsFatal) {
  transport.respond(200, token_response("at-1", "rt-2"))
      .respond(401, error_json("INVALID_AUTHENTICATION", "expired"))
      .respond(200, token_response("at-2", "rt-3"))
      .respond(401, error_json("INVALID_AUTHENTICATION", "still no"));
  try {
    run_sync(client.list_page({}));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_fatal());
    EXPECT_THAT(e.what(), Not(HasSubstr("at-2")));
    EXPECT_THAT(e.what(), Not(HasSubstr(kClientSecret)));
  }
  EXPECT_EQ(transport.requests().size(), 4u);
}

TEST_F(OAuthFixture, RefusedRefreshIsFatalWithoutLeakingSecrets) {
  transport.respond(
      400, std::string(R"({"status":"BAD_REFRESH_TOKEN","message":"missing or unknown refresh token )") +
               kRefreshToken + R"(","correlationId":"x"})");
  try {
    run_sync(client.list_page({}));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_fatal());
    EXPECT_THAT(e.what(), HasSubstr("BAD_REFRESH_TOKEN"));
    EXPECT_THAT(e.what(), HasSubstr("refresh token"));
    EXPECT_THAT(e.what(), Not(HasSubstr(kRefreshToken)));
    EXPECT_THAT(e.what(), Not(HasSubstr(kClientSecret)));
  }
  EXPECT_EQ(transport.requests().size(), 1u);
}

TEST_F(OAuthFixture, TokenEndpointOutageIsTransient) {
  transport.respond(503, "");
  try {
    run_sync(oauth.access_token());
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_transient());
  }
  transport.fail(http::TransportErrorKind::timeout, "timed out");
  try {
    run_sync(oauth.access_token());
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_transient());
    EXPECT_THAT(e.what(), HasSubstr("OAuth token refresh"));
  }
}

TEST_F(OAuthFixture, MalformedTokenResponseIsTransientAndNamesNoValue) {
  transport.respond(200, R"({"access_token":"at-secret-1","token_type":"bearer"})");
  try {
    run_sync(oauth.access_token());
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_transient());
    EXPECT_THAT(e.what(), HasSubstr("malformed response from HubSpot for POST /oauth/2026-03/token"));
    EXPECT_THAT(e.what(), Not(HasSubstr("at-secret-1")));
  }
}

// The date versions answer a refused grant with RFC 6749's fields; /oauth/v1 with the old status.
TEST_F(OAuthFixture, ARevokedRefreshTokenIsFatalSaysWhatToDoAndCarriesItsCause) {
  const std::string rfc = std::string(R"({"status":"BAD_REFRESH_TOKEN","message":"unknown refresh token )") +
                          kRefreshToken +
                          R"(","error":"invalid_grant","error_description":"unknown refresh token )" +
                          kRefreshToken + R"(","correlationId":"c-1"})";
  const std::string v1 = R"({"status":"BAD_REFRESH_TOKEN","message":"missing or unknown refresh token"})";
  for (const std::string& body : {rfc, v1}) {
    SCOPED_TRACE(body);
    OAuthOptions o{"cid-1", kClientSecret, kRefreshToken};
    o.refresh_token_source = "the file /var/lib/leadsync/refresh-token";
    OAuthTokenProvider fresh(transport, clock, o);
    transport.respond(400, body);
    try {
      run_sync(fresh.access_token());
      FAIL();
    } catch (const core::Error& e) {
      EXPECT_TRUE(e.is_fatal());
      EXPECT_EQ(e.details().cause, core::FatalCause::credentials_revoked);
      EXPECT_EQ(e.details().http_status, 400);
      EXPECT_THAT(e.what(), HasSubstr("HubSpot refused the OAuth refresh token"));
      EXPECT_THAT(e.what(), HasSubstr("revoked"));
      EXPECT_THAT(e.what(), HasSubstr("expired"));
      EXPECT_THAT(e.what(), HasSubstr("re-authorize the app"));
      EXPECT_THAT(e.what(), HasSubstr("the file /var/lib/leadsync/refresh-token"));
      EXPECT_THAT(e.what(), Not(HasSubstr(kRefreshToken)));
      EXPECT_THAT(e.what(), Not(HasSubstr(kClientSecret)));
    }
  }
  EXPECT_THAT(transport.requests().at(0).body, HasSubstr("grant_type=refresh_token"));
}

TEST_F(OAuthFixture, ARefusedClientIsFatalButNotARevokedToken) {
  for (const char* body :
       {R"({"error":"invalid_client","error_description":"bad secret"})",
        R"({"status":"BAD_CLIENT_SECRET","message":"missing or invalid client secret"})"}) {
    SCOPED_TRACE(body);
    OAuthTokenProvider fresh(transport, clock, OAuthOptions{"cid-1", kClientSecret, kRefreshToken});
    transport.respond(400, body);
    try {
      run_sync(fresh.access_token());
      FAIL();
    } catch (const core::Error& e) {
      EXPECT_TRUE(e.is_fatal());
      EXPECT_EQ(e.details().cause, core::FatalCause::unspecified);
      EXPECT_THAT(e.what(), HasSubstr("HubSpot refused the OAuth client credentials"));
    }
  }
}

TEST_F(OAuthFixture, ARotatedRefreshTokenIsHandedOverOnceAndUsedFromThenOn) {
  std::vector<std::string> kept;
  OAuthOptions o{"cid-1", kClientSecret, kRefreshToken};
  o.on_refresh_token_rotated = [&](const std::string& t) { kept.push_back(t); };
  OAuthTokenProvider p(transport, clock, o);
  transport.respond(200, token_response("at-1", kRefreshToken));  // not rotated
  run_sync(p.access_token());
  EXPECT_TRUE(kept.empty());
  transport.respond(200, token_response("at-2", "rt-rotated-2"));
  EXPECT_TRUE(run_sync(p.on_unauthorized()));
  EXPECT_EQ(kept, std::vector<std::string>{"rt-rotated-2"});
  EXPECT_EQ(p.refresh_token_in_use(), "rt-rotated-2");
  transport.respond(200, token_response("at-3", "rt-rotated-2"));
  EXPECT_TRUE(run_sync(p.on_unauthorized()));
  EXPECT_EQ(kept.size(), 1u);
  EXPECT_THAT(request(2).body, HasSubstr("refresh_token=rt-rotated-2"));
}

TEST(OAuthOptionsTest, ATokenPathWithAQueryStringIsRefused) {
  ManualClock clock;
  FakeTransport transport;
  OAuthOptions o{"cid-1", kClientSecret, kRefreshToken};
  o.token_path = "/oauth/2026-03/token?client_secret=x";
  try {
    OAuthTokenProvider p(transport, clock, o);
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_fatal());
    EXPECT_THAT(e.what(), HasSubstr("without a query string"));
    EXPECT_THAT(e.what(), Not(HasSubstr("client_secret=x")));
  }
}

TEST_F(OAuthFixture, ATokenResponseThatIsNotJsonOrHasNoAccessTokenIsTransient) {
  const std::pair<const char*, const char*> cases[] = {
      {"<html>502 Bad Gateway</html>", "an HTML page (Content-Type \"application/json\", 28 bytes)"},
      {R"({"access_token":"at-x",)", "body is not valid JSON"},
      {R"({"refresh_token":"rt-x","expires_in":1800})", "OAuth token response lacks \"access_token\""},
      {R"({"access_token":"","expires_in":1800})", "empty access_token"}};
  for (const auto& [body, says] : cases) {
    SCOPED_TRACE(body);
    OAuthTokenProvider fresh(transport, clock, OAuthOptions{"cid-1", kClientSecret, kRefreshToken});
    transport.respond(200, body);
    try {
      run_sync(fresh.access_token());
      FAIL();
    } catch (const core::Error& e) {
      EXPECT_TRUE(e.is_transient());
      EXPECT_THAT(e.what(), HasSubstr(says));
      EXPECT_THAT(e.what(), Not(HasSubstr("rt-x")));
    }
  }
}

TEST(StaticTokenProviderTest, CannotRefresh) {
  StaticTokenProvider p("pat-na1-x");
  EXPECT_EQ(run_sync(p.access_token()), "pat-na1-x");
  EXPECT_FALSE(run_sync(p.on_unauthorized()));
}

// expires_in at or below the refresh margin refreshed on every call; a huge one overflowed the expiry time.
TEST_F(OAuthFixture, ATokenLifetimeOfZeroOrLessIsRaisedAboveTheRefreshMargin) {
  for (const char* expires_in : {"0", "-5", "299"}) {
    SCOPED_TRACE(expires_in);
    OAuthTokenProvider fresh(transport, clock, OAuthOptions{"cid-1", kClientSecret, kRefreshToken});
    const std::size_t before = transport.requests().size();
    transport.respond(200, std::string(R"({"access_token":"at-1","expires_in":)") + expires_in + "}");
    EXPECT_EQ(run_sync(fresh.access_token()), "at-1");
    clock.advance(std::chrono::seconds(30));
    EXPECT_EQ(run_sync(fresh.access_token()), "at-1");  // no second refresh
    EXPECT_EQ(transport.requests().size(), before + 1);
  }
}

TEST_F(OAuthFixture, AHugeTokenLifetimeIsCutToADay) {
  for (const char* expires_in : {"1e30", "99999999999999999999999999", "9223372036854775807"}) {
    SCOPED_TRACE(expires_in);
    OAuthTokenProvider fresh(transport, clock, OAuthOptions{"cid-1", kClientSecret, kRefreshToken});
    transport.respond(200, std::string(R"({"access_token":"at-1","expires_in":)") + expires_in + "}");
    EXPECT_EQ(run_sync(fresh.access_token()), "at-1");
    clock.advance(std::chrono::hours(24) - std::chrono::minutes(5) - std::chrono::seconds(1));
    EXPECT_EQ(run_sync(fresh.access_token()), "at-1");
    clock.advance(std::chrono::seconds(1));  // a day less the 5-minute margin: refreshed
    transport.respond(200, token_response("at-2", "rt-2"));
    EXPECT_EQ(run_sync(fresh.access_token()), "at-2");
  }
}

}  // namespace
}  // namespace leadsync::hubspot::test
