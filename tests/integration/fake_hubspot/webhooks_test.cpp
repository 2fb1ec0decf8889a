// Webhook delivery: fake-hubspot POSTs signed object.* batches to a real listener, and retries.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "helpers.hpp"
#include "webhook_listener.hpp"

namespace leadsync::fake_hubspot_test {
namespace {

constexpr const char* kSecret = "test-client-secret";

std::string expected_signature(const std::string& url, const std::string& body, const std::string& ts) {
  const std::string source = "POST" + url + body + ts;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), kSecret, static_cast<int>(std::strlen(kSecret)),
       reinterpret_cast<const unsigned char*>(source.data()), source.size(), mac, &len);
  std::string out(4 * ((len + 2) / 3), '\0');
  out.resize(static_cast<std::size_t>(
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(len))));
  return out;
}

void subscribe(FakeHubspot& fake, const WebhookListener& l, json extra = json::object()) {
  json body = {{"target_url", l.url()}, {"client_secret", kSecret}};
  body.update(extra);
  auto r = fake.admin("POST", "/_fake/webhooks", body.dump());
  ASSERT_EQ(r.status, 201) << r.body;
}

// Every event of every request received so far, in arrival order.
std::vector<json> events_of(WebhookListener& l) {
  std::vector<json> out;
  for (const auto& r : l.requests()) {
    const json batch = json::parse(r.body);
    EXPECT_TRUE(batch.is_array());
    for (const auto& e : batch) out.push_back(e);
  }
  return out;
}

std::vector<json> of_type(const std::vector<json>& events, const std::string& type) {
  std::vector<json> out;
  for (const auto& e : events)
    if (e["subscriptionType"] == type) out.push_back(e);
  return out;
}

TEST(FakeHubspotWebhooks, DeliversSignedObjectEventBatches) {
  WebhookListener listener;
  FakeHubspot fake;
  subscribe(fake, listener, {{"batch_window_ms", 100}});
  const json lead = create_lead_with_contact(fake, "Webhook lead");
  const std::string id = lead["id"].get<std::string>();
  auto ui = fake.admin("PATCH", "/_fake/leads/" + id, R"({"properties":{"hs_lead_name":"Edited in UI"}})");
  ASSERT_EQ(ui.status, 200) << ui.body;
  ASSERT_TRUE(eventually(
      [&] {
        return body_of(fake.admin("GET", "/_fake/webhooks"))["pending"] == 0 && !listener.requests().empty();
      },
      std::chrono::seconds(5)));

  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  for (const auto& r : listener.requests()) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/hooks");
    EXPECT_EQ(r.headers.at("content-type"), "application/json");
    const std::string ts = r.headers.at("x-hubspot-request-timestamp");
    EXPECT_NEAR(static_cast<double>(std::stoll(ts)), static_cast<double>(now), 10'000.0) << "milliseconds";
    EXPECT_EQ(r.headers.at("x-hubspot-signature-v3"), expected_signature(listener.url(), r.body, ts));
    EXPECT_EQ(r.headers.at("x-hubspot-signature-version"), "v2");
  }
  const auto events = events_of(listener);
  const auto created = of_type(events, "object.creation");
  ASSERT_EQ(created.size(), 1u);
  const json& c = created[0];
  EXPECT_EQ(c["objectId"].get<std::uint64_t>(), std::stoull(id));
  EXPECT_EQ(c["objectTypeId"], "0-136");
  EXPECT_EQ(c["portalId"], 12345678);
  EXPECT_EQ(c["appId"], 1234001);
  EXPECT_EQ(c["attemptNumber"], 0);
  EXPECT_EQ(c["changeSource"], "INTEGRATION");
  EXPECT_EQ(c["sourceId"], "1234001");
  EXPECT_EQ(c["changeFlag"], "NEW");
  EXPECT_TRUE(c["occurredAt"].is_number_integer());
  EXPECT_TRUE(c["subscriptionId"].is_number_integer());

  bool saw_ui_edit = false;
  for (const auto& e : of_type(events, "object.propertyChange")) {
    if (e["propertyName"] == "hs_lead_name" && e["propertyValue"] == "Edited in UI") {
      saw_ui_edit = true;
      EXPECT_EQ(e["changeSource"], "CRM_UI");
      EXPECT_EQ(e["sourceId"], "userId:9000001");
    }
  }
  EXPECT_TRUE(saw_ui_edit);
  // The primary contact association made with the lead: unlabeled and primary kinds, lead -> contact.
  const auto assoc = of_type(events, "object.associationChange");
  ASSERT_EQ(assoc.size(), 2u);
  for (const auto& a : assoc) {
    EXPECT_EQ(a["fromObjectId"].get<std::uint64_t>(), std::stoull(id));
    EXPECT_EQ(a["toObjectTypeId"], "0-1");
    EXPECT_EQ(a["associationRemoved"], false);
  }
  std::set<std::int64_t> ids;
  for (const auto& e : events) ids.insert(e["eventId"].get<std::int64_t>());
  EXPECT_EQ(ids.size(), events.size()) << "eventIds are unique";
  const json st = body_of(fake.admin("GET", "/_fake/webhooks"));
  EXPECT_EQ(st["delivered"].get<std::size_t>(), events.size());
  EXPECT_EQ(st["failed"], 0);
  EXPECT_EQ(st["subscriptions"].size(), 6u);
}

TEST(FakeHubspotWebhooks, ArchiveAndAssociationRemovalEvents) {
  WebhookListener listener;
  FakeHubspot fake;
  std::string contact, company;
  const std::string id = create_lead_with_contact(fake, "To archive", &contact, &company)["id"];
  subscribe(fake, listener, {{"subscriptions", {"object.deletion", "object.associationChange"}}});
  // Removing the primary company leaves the primary contact: an association event, no archive.
  ASSERT_EQ(fake.api("DELETE", "/crm/v3/objects/leads/" + id + "/associations/companies/" + company + "/580")
                .status,
            204);
  ASSERT_EQ(fake.api("DELETE", "/crm/v3/objects/leads/" + id).status, 204);
  ASSERT_TRUE(eventually([&] { return of_type(events_of(listener), "object.deletion").size() == 1; },
                         std::chrono::seconds(5)));
  const auto events = events_of(listener);
  const auto removed = of_type(events, "object.associationChange");
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0]["associationRemoved"], true);
  EXPECT_EQ(removed[0]["isPrimaryAssociation"], true);
  EXPECT_EQ(removed[0]["associationTypeId"], 580);
  EXPECT_EQ(removed[0]["toObjectId"].get<std::uint64_t>(), std::stoull(company));
  const auto del = of_type(events, "object.deletion")[0];
  EXPECT_EQ(del["objectId"].get<std::uint64_t>(), std::stoull(id));
  EXPECT_EQ(del["changeFlag"], "DELETED");
  EXPECT_EQ(of_type(events, "object.propertyChange").size(), 0u) << "not subscribed";
}

TEST(FakeHubspotWebhooks, RetriesUntilAcknowledgedWithGrowingAttemptNumber) {
  WebhookListener listener({503, 0, 500});  // 0: connection closed without an answer
  FakeHubspot fake;
  subscribe(fake, listener, {{"retry_base_ms", 20}, {"subscriptions", {"object.creation"}}});
  create_lead_with_contact(fake, "Retried");
  ASSERT_TRUE(eventually([&] { return listener.requests().size() == 4; }, std::chrono::seconds(5)));
  std::vector<int> attempts;
  std::set<std::int64_t> event_ids;
  for (const auto& e : events_of(listener)) {
    attempts.push_back(e["attemptNumber"].get<int>());
    event_ids.insert(e["eventId"].get<std::int64_t>());
  }
  EXPECT_EQ(attempts, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(event_ids.size(), 1u) << "a retry resends the same event";
  ASSERT_TRUE(eventually([&] { return body_of(fake.admin("GET", "/_fake/webhooks"))["delivered"] == 1; },
                         std::chrono::seconds(2)));
  const json st = body_of(fake.admin("GET", "/_fake/webhooks"));
  EXPECT_EQ(st["retries"], 3);
  EXPECT_EQ(st["pending"], 0);
}

TEST(FakeHubspotWebhooks, RefusalsThatHubSpotDoesNotRetryAndSpentRetriesFail) {
  WebhookListener listener({401, 503, 503});
  FakeHubspot fake;
  subscribe(fake, listener,
            {{"retry_base_ms", 10}, {"max_retries", 1}, {"subscriptions", {"object.creation"}}});
  create_lead_with_contact(fake, "Refused");
  create_lead_with_contact(fake, "Unavailable");
  ASSERT_TRUE(eventually([&] { return body_of(fake.admin("GET", "/_fake/webhooks"))["failed"] == 2; },
                         std::chrono::seconds(5)));
  EXPECT_EQ(listener.requests().size(), 3u) << "401 is not retried; 503 once (max_retries 1)";
}

TEST(FakeHubspotWebhooks, FaultsDuplicateWrongSignatureStaleTimestamp) {
  WebhookListener listener;
  FakeHubspot fake;
  subscribe(fake, listener,
            {{"duplicate", true},
             {"wrong_signature", true},
             {"timestamp_offset_ms", -600'000},
             {"signed_url", "https://hooks.example.com/hubspot"},
             {"subscriptions", {"object.creation"}}});
  create_lead_with_contact(fake, "Faulty");
  ASSERT_TRUE(eventually([&] { return listener.requests().size() == 2; }, std::chrono::seconds(5)));
  const auto reqs = listener.requests();
  EXPECT_EQ(reqs[0].body, reqs[1].body);
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const std::string ts = reqs[0].headers.at("x-hubspot-request-timestamp");
  EXPECT_LT(std::stoll(ts), now - 590'000);
  EXPECT_NE(reqs[0].headers.at("x-hubspot-signature-v3"),
            expected_signature("https://hooks.example.com/hubspot", reqs[0].body, ts));
}

TEST(FakeHubspotWebhooks, SignedUrlPauseAndUnsubscribe) {
  WebhookListener listener;
  FakeHubspot fake;
  subscribe(fake, listener,
            {{"enabled", false},
             {"signed_url", "https://hooks.example.com/hubspot"},
             {"subscriptions", {"object.creation"}}});
  create_lead_with_contact(fake, "Paused");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(listener.requests().empty());
  EXPECT_EQ(body_of(fake.admin("GET", "/_fake/webhooks"))["pending"], 1);
  ASSERT_EQ(fake.admin("PATCH", "/_fake/webhooks", R"({"enabled":true})").status, 204);
  ASSERT_TRUE(eventually([&] { return listener.requests().size() == 1; }, std::chrono::seconds(5)));
  const auto r = listener.requests()[0];
  EXPECT_EQ(r.headers.at("x-hubspot-signature-v3"),
            expected_signature("https://hooks.example.com/hubspot", r.body,
                               r.headers.at("x-hubspot-request-timestamp")));
  ASSERT_EQ(fake.admin("DELETE", "/_fake/webhooks").status, 204);
  create_lead_with_contact(fake, "After unsubscribe");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(listener.requests().size(), 1u);
  EXPECT_EQ(body_of(fake.admin("GET", "/_fake/webhooks"))["subscriptions"].size(), 0u);
}

TEST(FakeHubspotWebhooks, BadSubscriptionRequestsAreRefused) {
  FakeHubspot fake;
  for (const char* body :
       {R"({"client_secret":"s"})", R"({"target_url":"https://x/y","client_secret":"s"})",
        R"({"target_url":"http://127.0.0.1:1/y"})",
        R"({"target_url":"http://127.0.0.1:1/y","client_secret":"s","subscriptions":["contact.creation"]})",
        R"({"target_url":"http://127.0.0.1:1/y","client_secret":"s","max_batch":0})", "[1]"}) {
    EXPECT_EQ(fake.admin("POST", "/_fake/webhooks", body).status, 400) << body;
  }
}

}  // namespace
}  // namespace leadsync::fake_hubspot_test
