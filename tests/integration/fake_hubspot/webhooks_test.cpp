// Webhook delivery: fake-hubspot POSTs signed object.* batches to a real listener, and retries.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <map>
#include <set>

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

// The eventIds of every event received so far, in arrival order.
std::vector<std::int64_t> event_ids(WebhookListener& l) {
  std::vector<std::int64_t> out;
  for (const auto& e : events_of(l)) out.push_back(e["eventId"].get<std::int64_t>());
  return out;
}

json webhook_stats(FakeHubspot& fake) {
  return body_of(fake.admin("GET", "/_fake/webhooks"));
}

// Waits until every event recorded is either acknowledged or dropped.
bool settled(FakeHubspot& fake, std::int64_t events) {
  return eventually(
      [&] {
        const json st = webhook_stats(fake);
        return st["pending"] == 0 && st["delivered"].get<std::int64_t>() + st["dropped"].get<std::int64_t>() +
                                             st["failed"].get<std::int64_t>() ==
                                         events;
      },
      std::chrono::seconds(10));
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
  subscribe(
      fake, listener,
      // One event per POST: two leads created in a row may otherwise share a batch (one 401, no
      // retry, 1 request instead of 3).
      {{"retry_base_ms", 10}, {"max_retries", 1}, {"max_batch", 1}, {"subscriptions", {"object.creation"}}});
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

// Every event of several paused leads, released at once in batches of 4 with reorder on; returns the
// eventIds of each POST in arrival order.
std::vector<std::vector<std::int64_t>> reordered_batches(std::int64_t seed, int* events) {
  WebhookListener listener;
  FakeHubspot fake;
  subscribe(fake, listener, {{"enabled", false}, {"max_batch", 4}, {"reorder", true}, {"fault_seed", seed}});
  for (int i = 0; i < 3; ++i) create_lead_with_contact(fake, "Reordered " + std::to_string(i));
  *events = webhook_stats(fake)["pending"].get<int>();
  EXPECT_GT(*events, 12) << "several batches";
  EXPECT_EQ(fake.admin("PATCH", "/_fake/webhooks", R"({"enabled":true})").status, 204);
  EXPECT_TRUE(settled(fake, *events));
  std::vector<std::vector<std::int64_t>> out;
  for (const auto& r : listener.requests()) {
    out.emplace_back();
    for (const auto& e : json::parse(r.body)) out.back().push_back(e["eventId"].get<std::int64_t>());
  }
  return out;
}

TEST(FakeHubspotWebhooks, FaultReorderShufflesEventsAndBatchesBySeed) {
  int events = 0;
  const auto batches = reordered_batches(7, &events);
  std::vector<std::int64_t> arrived;
  bool some_batch_shuffled = false;
  std::vector<std::int64_t> batch_firsts;
  for (const auto& b : batches) {
    ASSERT_FALSE(b.empty());
    arrived.insert(arrived.end(), b.begin(), b.end());
    some_batch_shuffled |= !std::is_sorted(b.begin(), b.end());
    batch_firsts.push_back(*std::min_element(b.begin(), b.end()));
  }
  EXPECT_TRUE(some_batch_shuffled) << "events within a batch out of order";
  EXPECT_FALSE(std::is_sorted(batch_firsts.begin(), batch_firsts.end())) << "batches sent out of order";
  std::vector<std::int64_t> sorted = arrived;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end()) << "each event once";
  EXPECT_EQ(sorted.size(), static_cast<std::size_t>(events)) << "nothing lost";

  int again = 0;
  EXPECT_EQ(reordered_batches(7, &again), batches) << "same seed, same order";
  EXPECT_NE(reordered_batches(8, &again), batches) << "another seed, another order";
}

std::vector<std::int64_t> delivered_with_drops(std::int64_t seed, json* stats) {
  WebhookListener listener;
  FakeHubspot fake;
  subscribe(fake, listener,
            {{"drop_rate", 0.5}, {"fault_seed", seed}, {"subscriptions", {"object.creation"}}});
  for (int i = 0; i < 20; ++i) create_lead_with_contact(fake, "Maybe lost " + std::to_string(i));
  EXPECT_TRUE(settled(fake, 20));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // a dropped event never turns up later
  *stats = webhook_stats(fake);
  return event_ids(listener);
}

TEST(FakeHubspotWebhooks, FaultDropRateLosesEventsForGood) {
  json st;
  const auto ids = delivered_with_drops(3, &st);
  EXPECT_GT(st["dropped"].get<int>(), 0);
  EXPECT_LT(st["dropped"].get<int>(), 20);
  EXPECT_EQ(st["delivered"].get<std::size_t>(), ids.size()) << "dropped events do not count as delivered";
  EXPECT_EQ(st["dropped"].get<std::size_t>() + ids.size(), 20u);
  EXPECT_EQ(st["failed"], 0);
  EXPECT_EQ(std::set<std::int64_t>(ids.begin(), ids.end()).size(), ids.size());
  json again;
  EXPECT_EQ(delivered_with_drops(3, &again), ids) << "same seed, same events lost";
}

TEST(FakeHubspotWebhooks, FaultDelayHoldsEachBatchAndJitterSpreadsThem) {
  {
    WebhookListener listener;
    FakeHubspot fake;
    subscribe(fake, listener, {{"delay_ms", 600}, {"subscriptions", {"object.creation"}}});
    const auto start = std::chrono::steady_clock::now();
    create_lead_with_contact(fake, "Late");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_TRUE(listener.requests().empty()) << "held back";
    EXPECT_EQ(webhook_stats(fake)["pending"], 1);
    ASSERT_TRUE(eventually([&] { return listener.requests().size() == 1; }, std::chrono::seconds(5)));
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(550));
  }
  // Jitter alone: batches released together reach the target in the order of their drawn delays.
  WebhookListener listener;
  FakeHubspot fake;
  subscribe(fake, listener,
            {{"enabled", false},
             {"max_batch", 1},
             {"delay_jitter_ms", 800},
             {"subscriptions", {"object.creation"}}});
  for (int i = 0; i < 8; ++i) create_lead_with_contact(fake, "Jittered " + std::to_string(i));
  ASSERT_EQ(fake.admin("PATCH", "/_fake/webhooks", R"({"enabled":true})").status, 204);
  ASSERT_TRUE(settled(fake, 8));
  const auto ids = event_ids(listener);
  ASSERT_EQ(ids.size(), 8u);
  EXPECT_FALSE(std::is_sorted(ids.begin(), ids.end())) << "a later event overtook an earlier one";
}

TEST(FakeHubspotWebhooks, FaultDuplicateRatePostsSomeBatchesTwice) {
  WebhookListener listener;
  FakeHubspot fake;
  subscribe(fake, listener,
            {{"duplicate_rate", 0.5}, {"max_batch", 1}, {"subscriptions", {"object.creation"}}});
  for (int i = 0; i < 16; ++i) create_lead_with_contact(fake, "Twice maybe " + std::to_string(i));
  ASSERT_TRUE(settled(fake, 16));
  std::map<std::string, int> posts;
  for (const auto& r : listener.requests()) ++posts[r.body];
  EXPECT_EQ(posts.size(), 16u);
  int twice = 0;
  for (const auto& [body, n] : posts) {
    EXPECT_LE(n, 2) << body;
    twice += n == 2;
  }
  EXPECT_GT(twice, 0);
  EXPECT_LT(twice, 16);
  const json st = webhook_stats(fake);
  EXPECT_EQ(st["requests"].get<int>(), 16 + twice);
  EXPECT_EQ(st["delivered"], 16) << "a duplicate POST delivers no extra event";
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
       {R"({"client_secret":"s"})", R"({"target_url":"ftp://x/y","client_secret":"s"})",
        R"({"target_url":"https://x/y","client_secret":"s","ca_file":""})",
        R"({"target_url":"https://x/y","client_secret":"s","ca_file":7})",
        R"({"target_url":"http://127.0.0.1:1/y"})",
        R"({"target_url":"http://127.0.0.1:1/y","client_secret":"s","subscriptions":["contact.creation"]})",
        R"({"target_url":"http://127.0.0.1:1/y","client_secret":"s","max_batch":0})", "[1]",
        R"({"target_url":"http://127.0.0.1:1/y","client_secret":"s","drop_rat":0.5})",
        R"({"target_url":"http://127.0.0.1:1/y","client_secret":"s","drop_rate":1.5})",
        R"({"target_url":"http://127.0.0.1:1/y","client_secret":"s","drop_rate":"0.5"})",
        R"({"target_url":"http://127.0.0.1:1/y","client_secret":"s","duplicate_rate":-0.1})",
        R"({"target_url":"http://127.0.0.1:1/y","client_secret":"s","reorder":1})",
        R"({"target_url":"http://127.0.0.1:1/y","client_secret":"s","delay_ms":-1})",
        R"({"target_url":"http://127.0.0.1:1/y","client_secret":"s","delay_jitter_ms":2.5})",
        R"({"target_url":"http://127.0.0.1:1/y","client_secret":"s","fault_seed":-1})",
        R"({"target_url":"http://127.0.0.1:1/y","client_secret":"s","fault_seed":"7"})"}) {
    EXPECT_EQ(fake.admin("POST", "/_fake/webhooks", body).status, 400) << body;
  }
}

}  // namespace
}  // namespace leadsync::fake_hubspot_test
