// The checks a webhook request passes before it is stored, as pure functions. The known-answer signatures
// were computed with another implementation (Python's hmac and base64 modules), not with this code.
#include "leadsync/webhooks/verify.hpp"

#include <gtest/gtest.h>

namespace leadsync::webhooks {
namespace {

constexpr const char* kUrl = "https://leadsync.example.com/hubspot/webhooks";
constexpr const char* kTs = "1765000000000";
constexpr std::int64_t kPortal = 12345678;

TEST(WebhookSignatureTest, MatchesAKnownAnswer) {
  EXPECT_EQ(signature_v3("secret-123", "POST", kUrl, R"([{"eventId":1}])", kTs),
            "RtnljClZx6BUIFCCneNuhkXfNhzJG8kHHU1wv2RfAng=");
  // The body's bytes as sent (UTF-8), not re-encoded.
  EXPECT_EQ(signature_v3("secret-123", "POST", kUrl, "[{\"v\":\"\xc3\xa9\"}]", kTs),
            "3Ov0/C84tUmp+mK5MjqpVQZltmtFRCjK7Ko7wTo0jZQ=");
}

TEST(WebhookSignatureTest, AcceptsOnlyTheSignatureOfThisExactRequest) {
  const std::string body = R"([{"eventId":1}])";
  const std::string good = "RtnljClZx6BUIFCCneNuhkXfNhzJG8kHHU1wv2RfAng=";
  EXPECT_TRUE(signature_v3_valid("secret-123", "POST", kUrl, body, kTs, good));
  EXPECT_FALSE(signature_v3_valid("another-secret", "POST", kUrl, body, kTs, good)) << "secret";
  EXPECT_FALSE(signature_v3_valid("secret-123", "POST", kUrl, R"([{"eventId":2}])", kTs, good)) << "body";
  EXPECT_FALSE(
      signature_v3_valid("secret-123", "POST", "http://127.0.0.1:9465/hubspot/webhooks", body, kTs, good))
      << "url";
  EXPECT_FALSE(signature_v3_valid("secret-123", "POST", kUrl, body, "1765000000001", good)) << "timestamp";
  EXPECT_FALSE(signature_v3_valid("secret-123", "PUT", kUrl, body, kTs, good)) << "method";
  std::string flipped = good;
  flipped[10] = flipped[10] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(signature_v3_valid("secret-123", "POST", kUrl, body, kTs, flipped)) << "one character";
  EXPECT_FALSE(signature_v3_valid("secret-123", "POST", kUrl, body, kTs, good.substr(0, 43))) << "short";
  EXPECT_FALSE(signature_v3_valid("secret-123", "POST", kUrl, body, kTs, good + "=")) << "long";
  EXPECT_FALSE(signature_v3_valid("secret-123", "POST", kUrl, body, kTs, "")) << "empty";
}

TEST(WebhookTimestampTest, RefusesStaleFutureAndMalformedTimestamps) {
  const std::int64_t now = 1'765'000'000'000;
  const TimestampWindow w;  // 5 minutes back, 1 minute ahead
  auto fresh = [&](std::int64_t ts) { return timestamp_fresh(std::to_string(ts), now, w); };
  EXPECT_TRUE(fresh(now));
  EXPECT_TRUE(fresh(now - 5 * 60 * 1000)) << "exactly 5 minutes old";
  EXPECT_FALSE(fresh(now - 5 * 60 * 1000 - 1)) << "older than 5 minutes";
  EXPECT_FALSE(fresh(now - 24LL * 3600 * 1000)) << "a replay of yesterday's request";
  EXPECT_TRUE(fresh(now + 60 * 1000)) << "a clock a minute ahead";
  EXPECT_FALSE(fresh(now + 60 * 1000 + 1)) << "from the future";
  for (const char* bad :
       {"", "abc", "1765000000000.5", "-1765000000000", " 1765000000000", "1e12", "1765000000000000000000"})
    EXPECT_FALSE(timestamp_fresh(bad, now, w)) << '"' << bad << '"';
  EXPECT_FALSE(timestamp_fresh("1765000000", now, w)) << "seconds instead of milliseconds";
}

std::string event(std::int64_t id, std::int64_t portal = kPortal, std::int64_t app = 1234001) {
  return R"({"eventId":)" + std::to_string(id) + R"(,"portalId":)" + std::to_string(portal) + R"(,"appId":)" +
         std::to_string(app) +
         R"(,"occurredAt":1765000000000,"subscriptionType":"object.propertyChange","objectId":42,)"
         R"("objectTypeId":"0-136","propertyName":"hs_lead_name","propertyValue":"x"})";
}

TEST(WebhookBatchTest, ParsesTheEventsOfTheExpectedPortalAndApp) {
  const auto b = parse_batch("[" + event(7) + "," + event(8) + "]", kPortal, 1234001);
  ASSERT_FALSE(b.refusal);
  ASSERT_EQ(b.events.size(), 2u);
  EXPECT_EQ(b.events[0].event_id, 7);
  EXPECT_EQ(b.events[0].object_id, 42);
  EXPECT_EQ(b.events[0].occurred_at_ms, 1765000000000);
  EXPECT_EQ(b.events[0].subscription_type, "object.propertyChange");
  EXPECT_NE(b.events[1].payload.find(R"("propertyValue":"x")"), std::string::npos) << b.events[1].payload;
  // Without app_id configured, any app of the portal is accepted.
  EXPECT_FALSE(parse_batch("[" + event(7, kPortal, 99) + "]", kPortal, std::nullopt).refusal);
}

// PostgreSQL's jsonb refuses "\u0000": such an event is stored with U+FFFD instead of failing its batch.
TEST(WebhookBatchTest, AnEscapedNulIsStoredAsAReplacementCharacter) {
  const std::string body =
      R"([{"eventId":1,"portalId":12345678,"subscriptionType":"object.propertyChange\u0000","objectId":42,)"
      R"("propertyValue":"a\u0000b","x\u0000":["\u0000"]}])";
  const auto b = parse_batch(body, kPortal, std::nullopt);
  ASSERT_FALSE(b.refusal);
  ASSERT_EQ(b.events.size(), 1u);
  EXPECT_EQ(b.events[0].payload.find("\\u0000"), std::string::npos) << b.events[0].payload;
  EXPECT_NE(b.events[0].payload.find("\"propertyValue\":\"a\xEF\xBF\xBD"
                                     "b\""),
            std::string::npos)
      << b.events[0].payload;
  EXPECT_NE(b.events[0].payload.find("\"x\xEF\xBF\xBD\":[\"\xEF\xBF\xBD\"]"), std::string::npos)
      << b.events[0].payload;
  EXPECT_EQ(b.events[0].subscription_type, "object.propertyChange\xEF\xBF\xBD");
}

TEST(WebhookBatchTest, RefusesTheWholeBatchWhenOneEventIsOfAnotherPortalOrApp) {
  const auto portal = parse_batch("[" + event(7) + "," + event(8, 99999) + "]", kPortal, 1234001);
  EXPECT_EQ(portal.refusal, Refusal::foreign);
  EXPECT_TRUE(portal.events.empty());
  EXPECT_EQ(parse_batch("[" + event(7, kPortal, 5) + "]", kPortal, 1234001).refusal, Refusal::foreign);
  const std::string no_app = R"([{"eventId":1,"portalId":12345678,"subscriptionType":"object.creation",)"
                             R"("objectId":1}])";
  EXPECT_EQ(parse_batch(no_app, kPortal, 1234001).refusal, Refusal::foreign) << "app unknown";
  EXPECT_EQ(http_status(Refusal::foreign), 400);
}

TEST(WebhookBatchTest, RefusesMalformedBatches) {
  for (const std::string& bad :
       {std::string(""), std::string("not json"), std::string("[]"), std::string(R"({"eventId":1})"),
        std::string("[1]"), "[" + event(1).substr(0, 30),
        std::string(R"([{"eventId":"1","portalId":12345678,"subscriptionType":"x","objectId":1}])"),
        std::string(R"([{"portalId":12345678,"subscriptionType":"x","objectId":1}])"),
        std::string(R"([{"eventId":1,"portalId":12345678,"objectId":1}])"),
        std::string(R"([{"eventId":1,"portalId":12345678,"subscriptionType":"x"}])")}) {
    const auto b = parse_batch(bad, kPortal, std::nullopt);
    EXPECT_EQ(b.refusal, Refusal::malformed) << bad;
    EXPECT_TRUE(b.events.empty());
  }
}

TEST(WebhookRefusalTest, EachRefusalHasItsStatusAndLabel) {
  EXPECT_EQ(http_status(Refusal::wrong_method), 405);
  EXPECT_EQ(http_status(Refusal::wrong_path), 404);
  EXPECT_EQ(http_status(Refusal::too_large), 413);
  EXPECT_EQ(http_status(Refusal::unsigned_request), 401);
  EXPECT_EQ(http_status(Refusal::stale), 401);
  EXPECT_EQ(http_status(Refusal::bad_signature), 401);
  EXPECT_EQ(http_status(Refusal::malformed), 400);
  EXPECT_STREQ(outcome_label(Refusal::unsigned_request), "unsigned");
  EXPECT_STREQ(outcome_label(Refusal::bad_signature), "bad_signature");
}

}  // namespace
}  // namespace leadsync::webhooks
