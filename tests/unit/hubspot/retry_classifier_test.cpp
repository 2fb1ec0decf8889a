// The retry rules as a pure function: one attempt's outcome in, done / retry(wait, reason) / fail(error) out.
// No transport, no clock: every input the verdict depends on is given here.
#include "retry_classifier.hpp"

#include "test_support.hpp"

namespace leadsync::hubspot::detail {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::Not;
using Action = Verdict::Action;

constexpr const char* kSecret = "pat-na1-secret-token-0000";

CallTraits read_call() {
  return CallTraits{"GET /crm/v3/objects/leads", RatePolicy::ten_secondly, false, {}};
}
CallTraits create_call() {
  return CallTraits{"POST /crm/v3/objects/leads", RatePolicy::ten_secondly, true, {}};
}

AttemptOutcome answer(int status, std::string body = "{}", std::vector<http::Header> headers = {}) {
  AttemptOutcome o;
  o.response.status = status;
  o.response.body = std::move(body);
  o.response.headers = std::move(headers);
  return o;
}

AttemptOutcome transport_failure(http::TransportErrorKind kind, std::string message = "boom",
                                 http::OversizedPart part = http::OversizedPart::none) {
  AttemptOutcome o;
  o.transport_error = http::TransportError(kind, message, part);
  return o;
}

// Backoff step 2 with the draw 0.5: half of min(30 s, 500 ms * 4) = 1 s.
const WaitInputs kWaits{2, 0.5, milliseconds(7'000), milliseconds(3'600'000)};

Verdict classify(const AttemptOutcome& o, const CallTraits& call = read_call(), bool may_refresh = true) {
  return classify_attempt(call, o, RetryPolicy{}, kWaits, kSecret, may_refresh);
}

TEST(RetryClassifier, A2xxThatDecodedIsDoneAndSoIsAnAcceptedStatus) {
  EXPECT_EQ(classify(answer(200)).action, Action::done);
  CallTraits get = read_call();
  get.accept_statuses = {404};
  EXPECT_EQ(classify(answer(404), get).action, Action::done);
  EXPECT_EQ(classify(answer(404)).action, Action::fail);
}

TEST(RetryClassifier, AMalformed2xxIsRetriedWithBackoffButAmbiguousForACreate) {
  auto o = answer(200, "{", {{"X-HubSpot-Correlation-Id", "cid-1"}});
  o.malformed = "body is not valid JSON";
  const auto v = classify(o);
  EXPECT_EQ(v.action, Action::retry);
  EXPECT_EQ(v.wait, milliseconds(1'000));
  EXPECT_EQ(v.wait_reason, "backoff:malformed");
  EXPECT_TRUE(v.backoff_step);
  EXPECT_EQ(v.error->details().correlation_id, "cid-1");
  const auto c = classify(o, create_call());
  EXPECT_EQ(c.action, Action::fail);
  EXPECT_TRUE(c.ambiguous);
}

TEST(RetryClassifier, TransportErrorsRetryAndSayWhetherTheRequestMayHaveBeenSent) {
  const auto timeout = classify(transport_failure(http::TransportErrorKind::timeout));
  EXPECT_EQ(timeout.action, Action::retry);
  EXPECT_EQ(timeout.wait_reason, "backoff:transport");
  EXPECT_TRUE(timeout.unconfirmed);
  const auto connect = classify(transport_failure(http::TransportErrorKind::connect));
  EXPECT_EQ(connect.action, Action::retry);
  EXPECT_FALSE(connect.unconfirmed);
  const auto verify = classify(transport_failure(http::TransportErrorKind::tls_verify));
  EXPECT_EQ(verify.action, Action::fail);
  EXPECT_TRUE(verify.error->is_fatal());
  const auto create = classify(transport_failure(http::TransportErrorKind::closed), create_call());
  EXPECT_EQ(create.action, Action::fail);
  EXPECT_TRUE(create.ambiguous);
  EXPECT_EQ(classify(transport_failure(http::TransportErrorKind::connect), create_call()).action,
            Action::retry);
}

TEST(RetryClassifier, AnOversizedBodyIsNotRetriedAndNamesTheSettingByItsTypeNotItsText) {
  const auto body = classify(transport_failure(http::TransportErrorKind::too_large, "whatever the text says",
                                               http::OversizedPart::body));
  EXPECT_EQ(body.action, Action::fail);
  EXPECT_TRUE(body.error->is_transient());
  EXPECT_THAT(body.error->what(), HasSubstr("hubspot.max_response_mb"));
  // A message mentioning a response body does not decide anything any more.
  const auto headers =
      classify(transport_failure(http::TransportErrorKind::too_large,
                                 "response body is fine, headers are not", http::OversizedPart::headers));
  EXPECT_EQ(headers.action, Action::fail);
  EXPECT_THAT(headers.error->what(), Not(HasSubstr("hubspot.max_response_mb")));
}

TEST(RetryClassifier, A401AsksForOneRefreshThenIsFatal) {
  const auto first = classify(answer(401, hubspot::test::error_json("INVALID_AUTHENTICATION", "expired")));
  EXPECT_EQ(first.action, Action::refresh_token);
  EXPECT_TRUE(first.error->is_fatal());
  const auto second = classify(answer(401), read_call(), false);
  EXPECT_EQ(second.action, Action::fail);
  EXPECT_THAT(second.error->what(), HasSubstr("HubSpot rejected the credentials"));
}

TEST(RetryClassifier, RateLimitsPauseTheirBucketAndDailyStops) {
  const auto ten = classify(answer(429, hubspot::test::kTenSecondlyBody));
  EXPECT_EQ(ten.action, Action::retry);
  EXPECT_EQ(ten.wait, milliseconds(7'500));  // the limiter's 7 s + 0.5 * 1 s jitter
  EXPECT_EQ(ten.pause, RatePolicy::ten_secondly);
  EXPECT_EQ(ten.rate_limited_policy, "TEN_SECONDLY_ROLLING");
  EXPECT_FALSE(ten.backoff_step);

  CallTraits search = read_call();
  search.policy = RatePolicy::search;
  const auto secondly = classify(answer(429, hubspot::test::kSecondlyBody), search);
  EXPECT_EQ(secondly.wait, milliseconds(1'000));
  EXPECT_EQ(secondly.pause, RatePolicy::search);
  EXPECT_EQ(secondly.rate_limited_policy, "SECONDLY");

  const auto daily = classify(answer(429, hubspot::test::kDailyBody));
  EXPECT_EQ(daily.action, Action::fail);
  EXPECT_TRUE(daily.daily_exhausted);
  EXPECT_EQ(daily.error->details().retry_after, milliseconds(3'600'000));
  EXPECT_EQ(daily.error->details().policy, "DAILY");
}

TEST(RetryClassifier, RetryAfterIsHonouredUpToMaxBackoffAndTheClampIsReported) {
  const auto asked = classify(answer(423, "{}", {{"Retry-After", "3"}}));
  EXPECT_EQ(asked.wait, milliseconds(3'000));
  EXPECT_FALSE(asked.clamped);
  const auto huge = classify(answer(503, "{}", {{"Retry-After", "1000000000"}}));
  EXPECT_EQ(huge.action, Action::retry);
  EXPECT_EQ(huge.wait, RetryPolicy{}.max_backoff);
  ASSERT_TRUE(huge.clamped);
  EXPECT_EQ(huge.clamped->asked_seconds, 1e9);
  EXPECT_EQ(huge.error->details().retry_after, RetryPolicy{}.max_backoff);
  // Beyond a double's range or not a number: our own wait.
  EXPECT_EQ(classify(answer(503, "{}", {{"Retry-After", "1e400"}})).wait, milliseconds(1'000));
  EXPECT_EQ(classify(answer(503, "{}", {{"Retry-After", "Wed, 21 Oct 2026 07:28:00 GMT"}})).wait,
            milliseconds(1'000));
  EXPECT_EQ(classify(answer(429, hubspot::test::kTenSecondlyBody, {{"Retry-After", "1e300"}})).wait,
            RetryPolicy{}.max_backoff);
}

TEST(RetryClassifier, ServerErrorsRetryExceptForACreate) {
  const auto v = classify(answer(500));
  EXPECT_EQ(v.action, Action::retry);
  EXPECT_EQ(v.wait_reason, "backoff:server_error");
  EXPECT_TRUE(v.backoff_step);
  const auto c = classify(answer(502), create_call());
  EXPECT_EQ(c.action, Action::fail);
  EXPECT_TRUE(c.ambiguous);
  EXPECT_EQ(classify(answer(477, "{}", {{"Retry-After", "5"}})).wait, milliseconds(5'000));
  EXPECT_EQ(classify(answer(304)).wait_reason, "backoff:unexpected_status");
  EXPECT_EQ(classify(answer(302)).action, Action::fail) << "a redirect is never followed nor retried";
}

TEST(RetryClassifier, ClientErrorsAreNotRetried) {
  const auto too_long = classify(answer(414));
  EXPECT_EQ(too_long.action, Action::fail);
  EXPECT_TRUE(too_long.error->is_fatal());
  EXPECT_EQ(too_long.error->details().category, "CONFIG");
  const auto forbidden = classify(answer(403));
  EXPECT_TRUE(forbidden.error->is_fatal());
  EXPECT_THAT(forbidden.error->what(), HasSubstr("crm.objects.leads.write"));
  const auto invalid = classify(answer(400, hubspot::test::error_json("VALIDATION_ERROR", "bad value")));
  EXPECT_EQ(invalid.action, Action::fail);
  EXPECT_TRUE(invalid.error->is_record());
  EXPECT_THAT(invalid.error->what(), HasSubstr("VALIDATION_ERROR"));
}

TEST(RetryClassifier, TheTokenNeverReachesAMessage) {
  const std::string echo = std::string("Authorization: Bearer ") + kSecret;
  EXPECT_THAT(classify(transport_failure(http::TransportErrorKind::closed, echo)).error->what(),
              Not(HasSubstr(kSecret)));
  EXPECT_THAT(classify(answer(400, hubspot::test::error_json("VALIDATION_ERROR", echo))).error->what(),
              Not(HasSubstr(kSecret)));
}

TEST(RetryClassifier, FullJitterBackoffDoublesUpToTheCap) {
  const RetryPolicy p;
  EXPECT_EQ(full_jitter_backoff(p, 0, 1.0), milliseconds(500));
  EXPECT_EQ(full_jitter_backoff(p, 3, 1.0), milliseconds(4'000));
  EXPECT_EQ(full_jitter_backoff(p, 1'000, 1.0), milliseconds(30'000));
  EXPECT_EQ(full_jitter_backoff(p, 3, 0.5), milliseconds(2'000));
}

}  // namespace
}  // namespace leadsync::hubspot::detail
