// The retry helper's rules, asserted with exact waits (manual clock, fixed jitter) and request counts.
#include "test_support.hpp"

namespace leadsync::hubspot::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::string one_lead_page() {
  return Json{{"results", Json::array({lead_json("1")})}}.dump();
}

ListRequest simple_list() {
  return ListRequest{};
}

class RetryTest : public ClientFixture {};

TEST_F(RetryTest, TenSecondly429WaitsOutTheWindowWithJitterThenSucceeds) {
  transport.respond(429, kTenSecondlyBody, {{"X-HubSpot-RateLimit-Interval-Milliseconds", "10000"}})
      .respond(200, one_lead_page());
  auto page = run_sync(client.list_page(simple_list()));
  EXPECT_EQ(page.results.size(), 1u);
  EXPECT_EQ(transport.requests().size(), 2u);
  // The only request in the window is the rejected one: 10,000 ms window + 50 ms margin, + 0.5 * 1,000
  // jitter.
  EXPECT_THAT(sleeps(), ElementsAre(milliseconds(10'550)));
  EXPECT_THAT(observer.rate_limited, ElementsAre("TEN_SECONDLY_ROLLING"));
  ASSERT_EQ(observer.waits.size(), 1u);
  EXPECT_EQ(observer.waits[0].first, "rate_limited:ten_secondly");
}

TEST_F(RetryTest, TenSecondly429SubtractsWhatIsKnownAboutTheWindow) {
  transport.respond(200, one_lead_page());
  run_sync(client.list_page(simple_list()));  // completes at t0
  clock.advance(milliseconds(4'000));
  transport.respond(429, kTenSecondlyBody).respond(200, one_lead_page());
  run_sync(client.list_page(simple_list()));
  // The oldest request leaves the window at t0 + 10,050 ms, 6,050 ms from now; + 500 ms jitter.
  EXPECT_THAT(sleeps(), ElementsAre(milliseconds(6'550)));
}

TEST_F(RetryTest, TenSecondly429BlocksOtherCallersThroughTheLimiter) {
  transport.respond(429, kTenSecondlyBody).respond(429, kTenSecondlyBody).respond(200, one_lead_page());
  run_sync(client.list_page(simple_list()));
  EXPECT_EQ(transport.requests().size(), 3u);
  ASSERT_EQ(sleeps().size(), 2u);
  // By the second 429 the first rejected request has left the window; the second is the oldest: the same
  // 10,050 ms + 500 ms jitter again. No request was sent while the bucket was paused.
  EXPECT_EQ(sleeps()[0], milliseconds(10'550));
  EXPECT_EQ(sleeps()[1], milliseconds(10'550));
}

TEST_F(RetryTest, SecondlySearch429WaitsOneSecond) {
  transport.respond(429, kSecondlyBody).respond(200, R"({"total":0,"results":[]})");
  auto page = run_sync(client.search(SearchRequest{}));
  EXPECT_EQ(page.total, 0);
  EXPECT_THAT(sleeps(), ElementsAre(milliseconds(1'000)));
  EXPECT_THAT(observer.rate_limited, ElementsAre("SECONDLY"));
}

TEST_F(RetryTest, Daily429IsNotRetriedAndStopsFurtherCalls) {
  clock.advance(std::chrono::hours(20));  // 2026-01-01T20:00:00Z
  transport.respond(429, kDailyBody);
  try {
    run_sync(client.list_page(simple_list()));
    FAIL() << "expected a DAILY error";
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_transient());
    EXPECT_EQ(e.details().policy, "DAILY");
    EXPECT_EQ(e.details().http_status, 429);
    ASSERT_TRUE(e.details().retry_after);
    EXPECT_EQ(*e.details().retry_after, std::chrono::hours(4));
    EXPECT_EQ(e.details().correlation_id, "c033cdaa-2c40-4a64-ae48-b4cec88dad24");
  }
  EXPECT_EQ(transport.requests().size(), 1u);
  EXPECT_TRUE(sleeps().empty());
  ASSERT_TRUE(limiter.daily_exhausted_until());
  EXPECT_EQ(core::to_epoch_ms(*limiter.daily_exhausted_until()), 1'767'312'000'000);  // 2026-01-02T00:00Z

  // The next call fails before sending anything.
  EXPECT_THROW(run_sync(client.list_page(simple_list())), core::Error);
  EXPECT_EQ(transport.requests().size(), 1u);

  // After the reset, calls flow again.
  clock.advance(std::chrono::hours(4));
  transport.respond(200, one_lead_page());
  EXPECT_NO_THROW(run_sync(client.list_page(simple_list())));
  EXPECT_FALSE(limiter.daily_exhausted_until());
}

TEST_F(RetryTest, Locked423WaitsTwoSeconds) {
  transport.respond(423, error_json("LOCKED", "locked")).respond(200, one_lead_page());
  run_sync(client.list_page(simple_list()));
  EXPECT_THAT(sleeps(), ElementsAre(milliseconds(2'000)));
}

TEST_F(RetryTest, Migration477HonoursRetryAfterSeconds) {
  transport.respond(477, error_json("MIGRATION_IN_PROGRESS", "migrating"), {{"Retry-After", "3"}})
      .respond(200, one_lead_page());
  run_sync(client.list_page(simple_list()));
  EXPECT_THAT(sleeps(), ElementsAre(milliseconds(3'000)));
}

TEST_F(RetryTest, RetryAfterOnAServerErrorWinsOverBackoff) {
  transport.respond(503, "", {{"Retry-After", "7"}}).respond(200, one_lead_page());
  run_sync(client.list_page(simple_list()));
  EXPECT_THAT(sleeps(), ElementsAre(milliseconds(7'000)));
}

TEST_F(RetryTest, RetryAfterOnA429TenSecondlyIsHonoured) {
  transport.respond(429, kTenSecondlyBody, {{"Retry-After", "2"}}).respond(200, one_lead_page());
  run_sync(client.list_page(simple_list()));
  EXPECT_THAT(sleeps(), ElementsAre(milliseconds(2'000)));
}

TEST_F(RetryTest, ServerErrorsBackOffExponentiallyWithFullJitterThenGiveUp) {
  transport.respond(500, error_json("INTERNAL_ERROR", "boom"))
      .respond(502, "<html>bad gateway</html>")
      .respond(503, "")
      .respond(504, "")
      .respond(500, error_json("INTERNAL_ERROR", "still boom"));
  try {
    run_sync(client.list_page(simple_list()));
    FAIL() << "expected a transient error";
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_transient());
    EXPECT_EQ(e.details().http_status, 500);
    EXPECT_EQ(e.details().category, "INTERNAL_ERROR");
    EXPECT_THAT(e.what(), HasSubstr("gave up after 5 attempts"));
    EXPECT_THAT(e.what(), HasSubstr("GET /crm/v3/objects/leads"));
  }
  EXPECT_EQ(transport.requests().size(), 5u);
  // random(0, min(30 s, 500 ms * 2^n)) with uniform() == 0.5.
  EXPECT_THAT(sleeps(),
              ElementsAre(milliseconds(250), milliseconds(500), milliseconds(1'000), milliseconds(2'000)));
}

TEST_F(RetryTest, ServerErrorsRecoverWithinTheAttempts) {
  transport.respond(502, "").respond(504, "").respond(200, one_lead_page());
  auto page = run_sync(client.list_page(simple_list()));
  EXPECT_EQ(page.results.size(), 1u);
  EXPECT_THAT(sleeps(), ElementsAre(milliseconds(250), milliseconds(500)));
}

class CappedBackoffTest : public ClientFixture {
 public:
  static ClientOptions opts() {
    ClientOptions o = legacy_options();
    o.retry.max_attempts = 6;
    o.retry.initial_backoff = milliseconds(400);
    o.retry.max_backoff = milliseconds(1'000);
    return o;
  }
  CappedBackoffTest() : ClientFixture(RateLimitOptions{}, opts()) {}
};

TEST_F(CappedBackoffTest, BackoffIsCappedAtMaxBackoff) {
  random.set(0.999);
  for (int i = 0; i < 6; ++i) transport.fail(http::TransportErrorKind::timeout, "read timed out");
  EXPECT_THROW(run_sync(client.list_page(simple_list())), core::Error);
  EXPECT_EQ(transport.requests().size(), 6u);
  // 400*0.999, 800*0.999, then capped at 1000*0.999.
  EXPECT_THAT(sleeps(), ElementsAre(milliseconds(399), milliseconds(799), milliseconds(999),
                                    milliseconds(999), milliseconds(999)));
}

TEST_F(RetryTest, TimeoutsAndClosedConnectionsAreRetried) {
  transport.fail(http::TransportErrorKind::timeout, "request timed out")
      .fail(http::TransportErrorKind::closed, "connection closed by peer")
      .fail(http::TransportErrorKind::connect, "connection refused")
      .respond(200, one_lead_page());
  auto page = run_sync(client.list_page(simple_list()));
  EXPECT_EQ(page.results.size(), 1u);
  EXPECT_EQ(transport.requests().size(), 4u);
  EXPECT_THAT(sleeps(), ElementsAre(milliseconds(250), milliseconds(500), milliseconds(1'000)));
  ASSERT_EQ(observer.calls.size(), 4u);
  EXPECT_EQ(observer.calls[0].status, 0);
  EXPECT_EQ(observer.calls[3].status, 200);
}

TEST_F(RetryTest, TransportFailuresExhaustedAreTransient) {
  for (int i = 0; i < 5; ++i)
    transport.fail(http::TransportErrorKind::closed, "connection closed before the body");
  try {
    run_sync(client.list_page(simple_list()));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_transient());
    EXPECT_THAT(e.what(), HasSubstr("closed"));
  }
}

TEST_F(RetryTest, FatalTransportErrorsAreNotRetried) {
  transport.fail(http::TransportErrorKind::tls_verify, "certificate verify failed");
  try {
    run_sync(client.list_page(simple_list()));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_fatal());
  }
  EXPECT_EQ(transport.requests().size(), 1u);
}

// An oversized body will not shrink on retry: one attempt, a message naming the operator's setting.
TEST_F(RetryTest, AnOversizedResponseIsNotRetriedAndNamesMaxResponseMb) {
  transport.handle([](const http::Request&) -> http::Response {
    throw http::TransportError(http::TransportErrorKind::too_large,
                               "response body exceeds max_response_bytes reading 127.0.0.1:1",
                               http::OversizedPart::body);
  });
  try {
    run_sync(client.list_page(simple_list()));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_transient());
    EXPECT_THAT(e.what(), HasSubstr("hubspot.max_response_mb"));
    EXPECT_THAT(e.what(), Not(HasSubstr("max_response_bytes")));
  }
  EXPECT_EQ(transport.requests().size(), 1u);
  EXPECT_TRUE(sleeps().empty());
}

// Oversized headers have no setting behind them: the transport's message, still not retried. The part is
// told by the error's type, whatever its text says.
TEST_F(RetryTest, OversizedHeadersAreNotRetriedAndDoNotNameMaxResponseMb) {
  transport.handle([](const http::Request&) -> http::Response {
    throw http::TransportError(http::TransportErrorKind::too_large,
                               "response body fine, headers exceed 65536 bytes",
                               http::OversizedPart::headers);
  });
  try {
    run_sync(client.list_page(simple_list()));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_transient());
    EXPECT_THAT(e.what(), Not(HasSubstr("hubspot.max_response_mb")));
    EXPECT_THAT(e.what(), HasSubstr("not retried"));
  }
  EXPECT_EQ(transport.requests().size(), 1u);
}

TEST_F(RetryTest, TruncatedJsonIsRetriedThenReportedAsMalformed) {
  const std::string truncated = R"({"status":"COMPLETE","results":[{"id":"1","prop)";
  for (int i = 0; i < 5; ++i) transport.respond(200, truncated);
  try {
    run_sync(client.batch_read({"1"}));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_transient());
    EXPECT_THAT(e.what(),
                HasSubstr("malformed response from HubSpot for POST /crm/v3/objects/leads/batch/read: "));
    EXPECT_EQ(e.details().http_status, 200);
  }
  EXPECT_EQ(transport.requests().size(), 5u);
}

TEST_F(RetryTest, ValidJsonMissingRequiredFieldsIsMalformed) {
  transport.respond(200, R"({"status":"COMPLETE"})").respond(200, batch_json(Json::array({lead_json("1")})));
  auto r = run_sync(client.batch_read({"1"}));
  EXPECT_EQ(r.results.size(), 1u);
  EXPECT_EQ(transport.requests().size(), 2u);
  EXPECT_THAT(sleeps(), ElementsAre(milliseconds(250)));
}

TEST_F(RetryTest, LeadWithoutIdIsMalformed) {
  for (int i = 0; i < 5; ++i) transport.respond(200, R"({"properties":{}})");
  try {
    run_sync(client.update("1", {{"hs_lead_name", "x"}}));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_THAT(
        e.what(),
        HasSubstr("malformed response from HubSpot for PATCH /crm/v3/objects/leads/{id}: lead lacks \"id\""));
  }
}

TEST_F(RetryTest, ValidationErrorIsARecordErrorAndNeverRetried) {
  transport.respond(400, error_json("VALIDATION_ERROR", "Property values were not valid: [...]",
                                    Json{{"propertyName", Json::array({"hs_lead_label"})}}));
  try {
    run_sync(client.update("42", {{"hs_lead_label", "TEPID"}}));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_record());
    EXPECT_EQ(e.details().http_status, 400);
    EXPECT_EQ(e.details().category, "VALIDATION_ERROR");
    EXPECT_EQ(e.details().correlation_id, "c0ffee00-0000-4000-8000-000000000001");
    EXPECT_THAT(e.details().context.at("propertyName"), ElementsAre("hs_lead_label"));
    EXPECT_THAT(e.what(), HasSubstr("Property values were not valid"));
    EXPECT_THAT(e.what(), HasSubstr("PATCH /crm/v3/objects/leads/{id}"));
  }
  EXPECT_EQ(transport.requests().size(), 1u);
  EXPECT_TRUE(sleeps().empty());
}

TEST_F(RetryTest, NotFoundConflictAndUnsupportedMediaTypeAreRecordErrors) {
  for (int status : {404, 409, 415}) {
    transport.respond(status, error_json(status == 409 ? "CONFLICT" : "OBJECT_NOT_FOUND", "nope"));
    try {
      run_sync(client.update("42", {{"hs_lead_name", "x"}}));
      FAIL() << status;
    } catch (const core::Error& e) {
      EXPECT_TRUE(e.is_record()) << status;
      EXPECT_EQ(e.details().http_status, status);
    }
  }
  EXPECT_EQ(transport.requests().size(), 3u);
  EXPECT_TRUE(sleeps().empty());
}

// 414: the request line (every mapped property in the query string) is too long; only a shorter mapping
// helps.
TEST_F(RetryTest, UriTooLongIsAFatalConfigurationErrorNamingTheMappings) {
  transport.respond(414, error_json("OBJECT_NOT_FOUND", "nope"));
  try {
    run_sync(client.list_page(simple_list()));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_fatal());
    EXPECT_EQ(e.details().http_status, 414);
    EXPECT_EQ(e.details().category, "CONFIG");
    EXPECT_THAT(e.what(), HasSubstr("414"));
    EXPECT_THAT(e.what(), HasSubstr("mappings"));
  }
  EXPECT_EQ(transport.requests().size(), 1u);
  EXPECT_TRUE(sleeps().empty());
}

TEST_F(RetryTest, UnauthorizedWithAStaticTokenIsFatalAndSaysWhatToCheck) {
  transport.respond(
      401, error_json("INVALID_AUTHENTICATION",
                      "Authentication credentials not found. This API supports OAuth 2.0 authentication"));
  try {
    run_sync(client.list_page(simple_list()));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_fatal());
    EXPECT_EQ(e.details().http_status, 401);
    EXPECT_EQ(e.details().category, "INVALID_AUTHENTICATION");
    EXPECT_THAT(e.what(), HasSubstr("access token"));
    EXPECT_THAT(e.what(), Not(HasSubstr(kToken)));
  }
  EXPECT_EQ(transport.requests().size(), 1u);
}

TEST_F(RetryTest, MissingScopesIsFatalAndNamesTheScopes) {
  transport.respond(
      403,
      R"({"status":"error","message":"This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.","correlationId":"dc49c0a8-1111-2222-3333-444444444444","errors":[{"message":"One or more of the following scopes are required.","context":{"requiredGranularScopes":["crm.objects.leads.write"]}}],"links":{"scopes":"https://developers.hubspot.com/scopes"},"category":"MISSING_SCOPES"})");
  try {
    run_sync(client.update("1", {{"hs_lead_name", "x"}}));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_fatal());
    EXPECT_EQ(e.details().category, "MISSING_SCOPES");
    EXPECT_EQ(e.details().correlation_id, "dc49c0a8-1111-2222-3333-444444444444");
    EXPECT_THAT(e.what(), HasSubstr("lacks the scope(s): crm.objects.leads.write"));
    EXPECT_THAT(e.what(), HasSubstr("crm.objects.leads.read and crm.objects.leads.write"));
  }
  EXPECT_EQ(transport.requests().size(), 1u);
}

TEST_F(RetryTest, TheTokenNeverAppearsInAnErrorMessageEvenWhenEchoed) {
  const std::string echo = std::string("bad header Authorization: Bearer ") + kToken;
  transport.respond(400, error_json("VALIDATION_ERROR", echo));
  try {
    run_sync(client.update("1", {{"a", "b"}}));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_THAT(e.what(), Not(HasSubstr(kToken)));
    EXPECT_THAT(e.what(), HasSubstr("[redacted]"));
  }
  transport.respond(401, error_json("INVALID_AUTHENTICATION", echo));
  try {
    run_sync(client.update("1", {{"a", "b"}}));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_THAT(e.what(), Not(HasSubstr(kToken)));
  }
  transport.fail(http::TransportErrorKind::tls_verify, echo);
  try {
    run_sync(client.update("1", {{"a", "b"}}));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_THAT(e.what(), Not(HasSubstr(kToken)));
  }
}

TEST_F(RetryTest, EveryRequestCarriesTheBearerTokenAndJsonHeaders) {
  transport.respond(200, R"({"id":"1","properties":{}})");
  run_sync(client.update("1", {{"a", "b"}}));
  EXPECT_EQ(header(request(0), "Authorization"), std::string("Bearer ") + kToken);
  EXPECT_EQ(header(request(0), "Content-Type"), "application/json");
  EXPECT_EQ(header(request(0), "Accept"), "application/json");
}

TEST_F(RetryTest, ObserverSeesRouteTemplatesAndBudgets) {
  transport.respond(200, R"({"id":"7","properties":{}})",
                    {{"X-HubSpot-RateLimit-Max", "190"},
                     {"X-HubSpot-RateLimit-Remaining", "189"},
                     {"X-HubSpot-RateLimit-Interval-Milliseconds", "10000"},
                     {"X-HubSpot-RateLimit-Daily", "625000"},
                     {"X-HubSpot-RateLimit-Daily-Remaining", "624999"}});
  run_sync(client.update("7", {{"a", "b"}}));
  ASSERT_EQ(observer.calls.size(), 1u);
  EXPECT_EQ(observer.calls[0].route, "PATCH /crm/v3/objects/leads/{id}");
  EXPECT_EQ(observer.calls[0].status, 200);
  ASSERT_EQ(observer.budgets.size(), 1u);
  EXPECT_EQ(observer.budgets[0].ten_secondly_max, 190);
  EXPECT_EQ(observer.budgets[0].ten_secondly_remaining, 189);
  EXPECT_EQ(observer.budgets[0].daily_remaining, 624999);
  EXPECT_EQ(observer.budgets[0].daily_max, 625000);
  EXPECT_EQ(observer.budgets[0].interval_ms, 10000);
}

}  // namespace
}  // namespace leadsync::hubspot::test
