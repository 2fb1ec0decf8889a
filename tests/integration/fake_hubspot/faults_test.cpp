// Fault injection: every kind, matching by method and path prefix, counts, execute semantics.
#include "helpers.hpp"

namespace leadsync::fake_hubspot_test {
namespace {

void inject(FakeHubspot& fake, const json& fault) {
  auto r = fake.admin("POST", "/_fake/faults", fault.dump());
  ASSERT_EQ(r.status, 201) << r.body;
}

TEST(FakeHubspotFaults, StatusFaultsCarryHubSpotBodiesAndFireNTimes) {
  FakeHubspot fake;
  inject(fake, {{"method", "GET"},
                {"path_prefix", "/crm/v3/objects/leads"},
                {"kind", "status"},
                {"status", 503},
                {"times", 2}});
  for (int i = 0; i < 2; ++i) {
    auto r = fake.api("GET", "/crm/v3/objects/leads");
    ASSERT_EQ(r.status, 503);
    EXPECT_EQ(body_of(r)["category"], "SERVICE_UNAVAILABLE");
    EXPECT_EQ(body_of(r)["correlationId"], r.headers["x-hubspot-correlation-id"]);
  }
  EXPECT_EQ(fake.api("GET", "/crm/v3/objects/leads").status, 200);
  EXPECT_EQ(stats(fake)["faults_fired"], 2);
}

TEST(FakeHubspotFaults, MethodAndPrefixMustMatch) {
  FakeHubspot fake;
  inject(fake, {{"method", "PATCH"}, {"path_prefix", "/crm/v3/objects/leads/"}, {"status", 500}});
  EXPECT_EQ(fake.api("GET", "/crm/v3/objects/leads").status, 200);            // other method
  EXPECT_EQ(fake.api("PATCH", "/crm/v3/objects/0-136/1", "{}").status, 404);  // other prefix: a real 404
  EXPECT_EQ(fake.api("PATCH", "/crm/v3/objects/leads/1", "{}").status, 500);
  auto list = body_of(fake.admin("GET", "/_fake/faults"));
  EXPECT_EQ(list["results"][0]["remaining"], 0);
  EXPECT_EQ(list["results"][0]["fired"], 1);
}

TEST(FakeHubspotFaults, LockedMigrationAndGatewayErrors) {
  FakeHubspot fake;
  inject(fake, {{"status", 423}});
  auto locked = fake.api("GET", "/crm/v3/objects/leads");
  EXPECT_EQ(locked.status, 423);
  EXPECT_EQ(body_of(locked)["category"], "LOCKED");
  inject(fake, {{"status", 477}, {"retry_after", 7}});
  auto migrating = fake.api("GET", "/crm/v3/objects/leads");
  EXPECT_EQ(migrating.status, 477);
  EXPECT_EQ(migrating.headers["retry-after"], "7");
  inject(fake, {{"status", 502}});
  auto gateway = fake.api("GET", "/crm/v3/objects/leads");
  EXPECT_EQ(gateway.status, 502);
  EXPECT_EQ(gateway.headers["content-type"], "text/html");
  inject(fake, {{"status", 400},
                {"body", R"({"status":"error","message":"custom","category":"VALIDATION_ERROR"})"}});
  EXPECT_EQ(body_of(fake.api("GET", "/crm/v3/objects/leads"))["message"], "custom");
}

TEST(FakeHubspotFaults, RateLimitFaultsOfEachPolicy) {
  FakeHubspot fake;
  inject(fake, {{"kind", "rate_limit"}, {"policy", "TEN_SECONDLY_ROLLING"}});
  auto ten = fake.api("GET", "/crm/v3/objects/leads");
  ASSERT_EQ(ten.status, 429);
  EXPECT_EQ(body_of(ten)["policyName"], "TEN_SECONDLY_ROLLING");
  EXPECT_EQ(body_of(ten)["message"], "You have reached your ten_secondly_rolling limit.");
  EXPECT_EQ(ten.headers["x-hubspot-ratelimit-remaining"], "0");
  inject(fake, {{"kind", "rate_limit"}, {"policy", "DAILY"}});
  EXPECT_EQ(body_of(fake.api("GET", "/crm/v3/objects/leads"))["policyName"], "DAILY");
  inject(fake, {{"kind", "rate_limit"}, {"policy", "SECONDLY"}});
  auto secondly = fake.api("POST", "/crm/v3/objects/leads/search", "{}");
  EXPECT_EQ(body_of(secondly)["message"], "You have reached your secondly limit.");
  EXPECT_EQ(stats(fake)["rate_limited"], 3);
}

TEST(FakeHubspotFaults, DelayThenNormalAnswer) {
  FakeHubspot fake;
  inject(fake, {{"kind", "delay"}, {"delay_ms", 400}});
  const auto t0 = std::chrono::steady_clock::now();
  auto r = fake.api("GET", "/crm/v3/objects/leads");
  EXPECT_EQ(r.status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(400));
  // A delay can precede any other fault.
  inject(fake, {{"status", 500}, {"delay_ms", 200}});
  const auto t1 = std::chrono::steady_clock::now();
  EXPECT_EQ(fake.api("GET", "/crm/v3/objects/leads").status, 500);
  EXPECT_GE(std::chrono::steady_clock::now() - t1, std::chrono::milliseconds(200));
}

TEST(FakeHubspotFaults, DroppedConnectionsAndBrokenBodies) {
  FakeHubspot fake;
  std::string contact;
  const std::string id = create_lead_with_contact(fake, "Faulty", &contact)["id"];
  inject(fake, {{"kind", "drop_before_response"}});
  EXPECT_THROW(fake.api("GET", "/crm/v3/objects/leads"), std::runtime_error);

  inject(fake, {{"kind", "drop_after_headers"}});
  auto headers_only = fake.api("GET", "/crm/v3/objects/leads/" + id);
  EXPECT_EQ(headers_only.status, 200);
  EXPECT_GT(std::stoul(headers_only.headers["content-length"]), 0u);
  EXPECT_TRUE(headers_only.body.empty());

  inject(fake, {{"kind", "drop_mid_body"}});
  auto half = fake.api("GET", "/crm/v3/objects/leads/" + id);
  EXPECT_EQ(half.body.size(), std::stoul(half.headers["content-length"]) / 2);

  inject(fake, {{"kind", "truncated_body"}});
  auto truncated = fake.api("GET", "/crm/v3/objects/leads/" + id);
  EXPECT_LT(truncated.body.size(), std::stoul(truncated.headers["content-length"]));
  json parsed;
  EXPECT_NO_THROW(parsed = json::parse(truncated.body));  // the whole real body, but less than announced

  inject(fake, {{"kind", "invalid_json"}});
  auto garbage = fake.api("GET", "/crm/v3/objects/leads/" + id);
  EXPECT_EQ(garbage.status, 200);
  EXPECT_THROW(parsed = json::parse(garbage.body), json::parse_error);
}

TEST(FakeHubspotFaults, ExecuteDecidesWhetherTheWriteHappens) {
  FakeHubspot fake;
  const std::string id = create_lead_with_contact(fake, "Before")["id"];
  const std::string path = "/crm/v3/objects/leads/" + id;
  // Default: a status fault does not apply the request.
  inject(fake, {{"method", "PATCH"}, {"path_prefix", path}, {"status", 502}});
  EXPECT_EQ(fake.api("PATCH", path, R"({"properties":{"hs_lead_name":"Lost"}})").status, 502);
  EXPECT_EQ(body_of(fake.api("GET", path))["properties"]["hs_lead_name"], "Before");
  // execute: applied, but the client sees the failure (the nastiest case for retries).
  inject(fake, {{"method", "PATCH"}, {"path_prefix", path}, {"status", 504}, {"execute", true}});
  EXPECT_EQ(fake.api("PATCH", path, R"({"properties":{"hs_lead_name":"Applied"}})").status, 504);
  EXPECT_EQ(body_of(fake.api("GET", path))["properties"]["hs_lead_name"], "Applied");
  // A connection dropped after the head still applied the write.
  inject(fake, {{"method", "PATCH"}, {"path_prefix", path}, {"kind", "drop_after_headers"}});
  (void)fake.api("PATCH", path, R"({"properties":{"hs_lead_name":"Dropped"}})");
  EXPECT_EQ(body_of(fake.api("GET", path))["properties"]["hs_lead_name"], "Dropped");
}

TEST(FakeHubspotFaults, ClearAndRejectBadFaults) {
  FakeHubspot fake;
  inject(fake, {{"status", 500}, {"times", -1}});
  EXPECT_EQ(fake.api("GET", "/crm/v3/objects/leads").status, 500);
  EXPECT_EQ(fake.api("GET", "/crm/v3/objects/leads").status, 500);
  EXPECT_EQ(fake.admin("DELETE", "/_fake/faults").status, 204);
  EXPECT_EQ(fake.api("GET", "/crm/v3/objects/leads").status, 200);
  EXPECT_EQ(fake.admin("POST", "/_fake/faults", R"({"kind":"explode"})").status, 400);
  EXPECT_EQ(fake.admin("POST", "/_fake/faults", R"({"status":500,"path":"/x"})").status, 400);
  // Several at once.
  auto many = fake.admin("POST", "/_fake/faults", R"([{"status":500},{"status":503}])");
  ASSERT_EQ(many.status, 201);
  EXPECT_EQ(body_of(many)["results"].size(), 2u);
  EXPECT_EQ(fake.api("GET", "/crm/v3/objects/leads").status, 500);
  EXPECT_EQ(fake.api("GET", "/crm/v3/objects/leads").status, 503);
}

TEST(FakeHubspotFaults, RedirectAnswersTheStatusAndLocationWithoutApplyingTheRequest) {
  FakeHubspot fake;
  inject(fake, {{"kind", "redirect"}, {"status", 301}, {"location", "https://elsewhere.example/crm?x=1"}});
  auto r = fake.api("POST", "/crm/v3/objects/leads", R"({"properties":{"hs_lead_name":"x"}})");
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(r.headers["location"], "https://elsewhere.example/crm?x=1");
  EXPECT_EQ(r.headers["content-type"], "text/html");
  EXPECT_NE(r.body.find("301 Moved Permanently"), std::string::npos) << r.body;
  EXPECT_EQ(body_of(fake.api("GET", "/crm/v3/objects/leads"))["results"].size(), 0u) << "nothing created";
}

TEST(FakeHubspotFaults, GzipBodyIsTheRealAnswerGzipEncoded) {
  FakeHubspot fake;
  const auto plain = fake.api("GET", "/crm/v3/objects/leads");
  inject(fake, {{"kind", "gzip_body"}});
  auto r = fake.api("GET", "/crm/v3/objects/leads");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-encoding"], "gzip");
  ASSERT_GE(r.body.size(), 18u);
  EXPECT_EQ(r.body.substr(0, 2), std::string("\x1f\x8b"));
  // Stored blocks: the plain answer is inside, after the 10-byte header and the 5-byte block header.
  EXPECT_EQ(r.body.substr(15, plain.body.size()), plain.body);
}

}  // namespace
}  // namespace leadsync::fake_hubspot_test
